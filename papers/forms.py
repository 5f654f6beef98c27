"""The official forms as DOCX (python-docx), filled from the stored data and readable by an
official with no edits (issue 11): Mẫu số 01 of a month or a quarter with the task scoring
sheet (`period_form`), the annual form (`year_form`), the summary table of a unit or the
organization (`summary_table`), many forms in one ZIP (`forms_zip`), and a PDF copy where
LibreOffice is installed (`to_pdf`).

Page setup per NĐ 30/2020/NĐ-CP (Phụ lục I) on administrative documents: A4, Times New
Roman, text 13 (headings 14), margins top and bottom 20 mm, left 30 mm, right 15 mm. The
labels are the forms' own words (papers/labels.py); the numbers are the core's, as stored
(the result's breakdown and score, the annual rating), printed as Vietnamese writes them
(93,5; 66,67%)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from sqlmodel import Session

from locales import format_number, format_percent
from papers import labels as L
from papers.spreadsheet import clean
from storage.forms import FormTask, PeriodSheet, Scope, YearSheet, period_sheets, year_sheets
from storage.models import Period, Role, TaskKind, YearRound
from storage.roster import slugify

FONT = "Times New Roman"
TEXT, TITLE, TABLE = Pt(13), Pt(14), Pt(12)
PENALTY = 0.25  # a quarter of a task's points per failure or delay (the scoring sheet's rule)
LEADERS = (Role.HEAD, Role.DEPUTY, Role.DIRECTOR)
LEVEL_ORDER = ("A", "B", "C", "D")
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY


# -- the pieces of every form -----------------------------------------------------------


def _document(landscape: bool = False) -> Document:
    """An empty A4 document in Times New Roman 13, with the decree's margins."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = TEXT
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.space_before = Pt(0)
    _page(doc.sections[0], landscape)
    return doc


def _page(section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Mm(297), Mm(210)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _para(doc_or_cell, text: str = "", *, bold=False, italic=False, size=None, align=None):
    paragraph = doc_or_cell.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size is not None:
            run.font.size = size
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _labelled(doc, label: str, value: str) -> None:
    """ "Họ và tên: Nguyễn Văn An" with the label in bold."""
    paragraph = doc.add_paragraph()
    paragraph.add_run(label).bold = True
    paragraph.add_run(value)


def _cell(cell, text: str, *, bold=False, align=None, size=TABLE) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.font.size = size
    if bold:
        run.bold = True
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)


def _table(
    doc,
    rows: list[list[str]],
    widths: list[float],
    *,
    head: int = 1,
    bold_rows=(),
    spans: dict[tuple[int, int], tuple[int, int]] | None = None,
) -> None:
    """A bordered table of `rows` (`head` heading rows in bold, centred, repeated on each
    page); `widths` in mm; `spans`: {(row, column): (rows down, columns across)} for the
    merged cells. Short cells are centred, texts left.

    Written as WordprocessingML directly: python-docx's cell by cell calls cost ten times
    as much, and an office prints hundreds of these."""
    spans = spans or {}
    covered: dict[tuple[int, int], str] = {}  # "v": continues a merge down; "h": across
    for (row, column), (down, across) in spans.items():
        for dr in range(down):
            for dc in range(across):
                if dr or dc:
                    covered[(row + dr, column + dc)] = "h" if dc else "v"
    twips = [round(w * 1440 / 25.4) for w in widths]
    style = doc.styles["Table Grid"].style_id
    out = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{style}"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{t}"/>' for t in twips),
        "</w:tblGrid>",
    ]
    for r, values in enumerate(rows):
        out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if r < head else "<w:tr>")
        bold = r < head or r in bold_rows
        for c, value in enumerate(values):
            kind = covered.get((r, c))
            if kind == "h":
                continue
            down, across = spans.get((r, c), (1, 1))
            cell = f'<w:tc><w:tcPr><w:tcW w:w="{sum(twips[c : c + across])}" w:type="dxa"/>'
            if across > 1:
                cell += f'<w:gridSpan w:val="{across}"/>'
            if down > 1:
                cell += '<w:vMerge w:val="restart"/>'
            elif kind == "v":
                cell += "<w:vMerge/>"
            cell += '<w:vAlign w:val="center"/></w:tcPr>'
            text = "" if kind else value
            centred = r < head or (c != 1 and len(text) <= 12)  # names and texts: left
            out.append(cell + _cell_xml(text, bold, centred) + "</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    doc.element.body._insert_tbl(parse_xml("".join(out)))


def _cell_xml(text: str, bold: bool, centred: bool) -> str:
    """A cell's paragraph: Times New Roman 12 (the style's font), lines kept."""
    align = "center" if centred else "left"
    paragraph = f'<w:p><w:pPr><w:spacing w:after="0"/><w:jc w:val="{align}"/></w:pPr>'
    if not text:
        return paragraph + "</w:p>"
    lines = [escape(clean(line)) for line in text.splitlines() or [""]]
    runs = '</w:t><w:br/><w:t xml:space="preserve">'.join(lines)
    props = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{int(TABLE.pt * 2)}"/></w:rPr>'
    return f'{paragraph}<w:r>{props}<w:t xml:space="preserve">{runs}</w:t></w:r></w:p>'


def _columns(doc, shares: tuple[float, ...]):
    """A borderless one-row table across the page, its columns in these shares of the
    width (the header, the signatures)."""
    section = doc.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    table = doc.add_table(rows=1, cols=len(shares))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, cell, share in zip(table.columns, table.rows[0].cells, shares, strict=True):
        column.width = cell.width = int(width * share)  # the grid, which LibreOffice reads
    return table


def _national_header(doc, organization: str, unit: str | None = None) -> None:
    """The agency on the left, the national title and motto on the right (NĐ 30/2020:
    the national title 12-13 upper case, the motto 13-14, both bold)."""
    left, right = _columns(doc, (0.4, 0.6)).rows[0].cells
    _cell(left, organization.upper(), size=TEXT, align=CENTER)
    if unit:
        _para(left, unit.upper(), bold=True, size=TEXT, align=CENTER)
    _cell(right, L.NATION, bold=True, align=CENTER, size=Pt(12))
    _para(right, L.MOTTO, bold=True, size=TEXT, align=CENTER)
    _para(right, "_" * 22, size=TEXT, align=CENTER)


def _signatures(doc, blocks: list[tuple[str, str, str]]) -> None:
    """Signature blocks side by side: (title, hint, name), the names on one line; the
    place and date above, to be written by hand."""
    _para(doc, L.PLACE_DATE, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    table = _columns(doc, tuple(1 / len(blocks) for _ in blocks))
    names = table.add_row().cells
    for cell, below, (title, hint, name) in zip(table.rows[0].cells, names, blocks, strict=True):
        _cell(cell, title, bold=True, align=CENTER, size=TEXT)
        _para(cell, hint, italic=True, align=CENTER)
        for _ in range(3):
            _para(cell)
        _cell(below, name, bold=True, align=CENTER, size=TEXT)


def _dotted(doc, lines: int = 2) -> None:
    for _ in range(lines):
        _para(doc, L.DOTS)


def _bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def number(value: float | None) -> str:
    """A score as Vietnamese writes it (93,5), or empty."""
    return "" if value is None else format_number(value, "vi")


def percent(share: float | None) -> str:
    return "" if share is None else format_percent(share, "vi")


def period_name(code: str) -> str:
    """ "tháng 11/2026", "quý IV năm 2026": the period as the form names it."""
    year, _, rest = code.partition("-")
    if rest.startswith("Q"):
        return L.QUARTER.format(quarter=("I", "II", "III", "IV")[int(rest[1:]) - 1], year=year)
    return L.MONTH.format(month=rest, year=year)


def level_name(level: str | None) -> str:
    return L.LEVELS.get(level or "", "")


# -- Mẫu số 01 ---------------------------------------------------------------------------


def period_form(sheet: PeriodSheet) -> bytes:
    """Mẫu số 01 (PHIẾU THEO DÕI, ĐÁNH GIÁ CÔNG CHỨC) of a month or a quarter for one
    person, with the task scoring sheet on a landscape page after it: DOCX bytes."""
    doc = _document()
    person = sheet.person
    _para(doc, L.FORM_01, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _national_header(doc, sheet.organization, sheet.unit)
    _para(doc)
    _para(doc, L.FORM_01_TITLE, bold=True, size=TITLE, align=CENTER)
    _para(doc, L.PERIOD_LINE.format(period=period_name(sheet.period)), italic=True, align=CENTER)
    _labelled(doc, L.NAME, person.full_name)
    _labelled(doc, L.JOB_TITLE, sheet.title)
    _labelled(doc, L.UNIT, sheet.unit)

    _para(doc, L.PART_I, bold=True)
    rows = [list(L.GENERAL_HEADERS)]
    scored = {**sheet.general, **sheet.reviewed}  # the reviewer's score of an item wins
    groups: dict[int, list[str]] = {}  # a group's row: its items (the group's subtotal)
    for number_, wording, top, key in L.GENERAL_ITEMS:
        if key is None:
            groups[len(rows)] = []
            rows.append([number_, wording, number(top), "", ""])
            continue
        groups[max(groups)].append(key)
        rows.append(
            [number_, wording, number(top), number(sheet.general.get(key)), number(scored.get(key))]
        )
    if sheet.general:
        for index, keys in groups.items():
            rows[index][3] = number(sum(sheet.general.get(k, 0) for k in keys))
            rows[index][4] = number(sum(scored.get(k, 0) for k in keys))
    own_total = sum(sheet.general.values()) if sheet.general else None
    reviewed_total = sum(scored.values()) if sheet.general else None
    rows.append(
        ["", L.GENERAL_TOTAL, number(L.GENERAL_MAX), number(own_total), number(reviewed_total)]
    )
    _table(doc, rows, [12, 95, 18, 20, 20], bold_rows={*groups, len(rows) - 1})

    _summary_part(doc, sheet)
    reviewer = sheet.reviewer.full_name if sheet.reviewer else ""
    _signatures(
        doc,
        [(L.SIGN_SELF, L.SIGN_HINT, person.full_name), (L.SIGN_REVIEWER, L.SIGN_HINT, reviewer)],
    )
    _scoring_sheet(doc, sheet)
    return _bytes(doc)


def _summary_part(doc, sheet: PeriodSheet) -> None:
    """Part II: the points of the general items and of the tasks (a, b, c; d, đ, e for
    leaders), the total, the level, the basis, strengths, shortcomings, the comments."""
    result = sheet.result
    breakdown = result.breakdown if result is not None else {}
    _para(doc, L.PART_II, bold=True)
    _labelled(
        doc, L.SUM_GENERAL, L.POINTS_OF.format(value=number(breakdown.get("general")), max=30)
    )
    _labelled(doc, L.SUM_TASKS, L.POINTS_OF.format(value=number(breakdown.get("tasks")), max=70))
    parts = [("a", L.PART_A), ("b", L.PART_B), ("c", L.PART_C)]
    if sheet.person.role in LEADERS:
        parts += [("d", L.PART_D), ("dd", L.PART_DD), ("e", L.PART_E)]
    for key, label in parts:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(8)
        paragraph.add_run(label)
        paragraph.add_run(percent(breakdown.get(key))).bold = True
    for key, label in (("bonus", L.BONUS), ("deductions", L.DEDUCTIONS)):
        if key in breakdown:
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.left_indent = Mm(8)
            paragraph.add_run(label + number(breakdown[key]))
    if result is None:
        _labelled(doc, L.SUM_TOTAL, L.NOT_CLASSIFIED)
    elif result.score is None:
        _labelled(doc, L.SUM_TOTAL, L.NOT_RATED)
    else:
        _labelled(doc, L.SUM_TOTAL, L.POINTS_OF.format(value=number(result.score), max=100))
        _labelled(doc, L.LEVEL, level_name(result.level))
    if sheet.proposed_level:
        _labelled(doc, L.PROPOSED, level_name(sheet.proposed_level))
    reasons = (result.reasons.get("vi") or []) if result is not None else []
    if reasons:
        _para(doc, L.BASIS, bold=True)
        for reason in reasons:
            paragraph = _para(doc, "- " + reason["text"], align=JUSTIFY)
            paragraph.paragraph_format.left_indent = Mm(8)
    _para(doc, L.STRENGTHS, bold=True)
    _dotted(doc)
    _para(doc, L.SHORTCOMINGS, bold=True)
    _dotted(doc)
    _para(doc, L.COMMENT, bold=True)
    comments = [
        (label, sheet.comments[stage])
        for stage, label in (("head", L.COMMENT_HEAD), ("director", L.COMMENT_DIRECTOR))
        if stage in sheet.comments
    ]
    for label, text in comments:
        _labelled(doc, label, text)
    if not comments:
        _dotted(doc)


def task_points(task: FormTask) -> tuple[str, str, str, str, str, str, str]:
    """A task's cells of the scoring sheet: done, not done, quantity %, failures,
    quality %, delays, progress % (a quarter off per failure or delay; a confirmed
    objective reason waives them; a task not done scores nothing)."""
    if task.status is None:
        return ("", "", "", "", "", "", "")
    if task.status == "not_done":
        return ("", L.MARK, "0%", "", "", "", "")
    delays = max(1, task.delays) if task.status == "late" else 0
    if task.objective_reason:
        quality = progress = 1.0
    else:
        quality = max(0.0, 1 - PENALTY * task.quality_failures)
        progress = max(0.0, 1 - PENALTY * delays)
    return (
        L.MARK,
        "",
        "100%",
        str(task.quality_failures),
        percent(quality),
        str(delays),
        percent(progress),
    )


def _task_note(task: FormTask) -> str:
    notes = []
    if task.kind is TaskKind.TAKEN_OVER:
        notes.append(L.TAKEN_OVER)
    elif task.kind is TaskKind.AD_HOC:
        notes.append(L.AD_HOC)
    if task.status is None:
        notes.append(L.NOT_REPORTED)
    if task.report:
        notes.append(L.REPORTED.format(report=task.report))
    if task.explanation:
        notes.append(task.explanation)
    if task.objective_reason:
        notes.append(L.OBJECTIVE)
    return "; ".join(notes)


def _scoring_sheet(doc, sheet: PeriodSheet) -> None:
    """The decree's scoring sheet on a landscape page: planned tasks, then the tasks taken
    over or ad hoc, then the parts and the points of the task results."""
    section = doc.add_section()
    _page(section, landscape=True)
    _para(doc, L.SHEET_TITLE, bold=True, size=TITLE, align=CENTER)
    _para(
        doc,
        f"{sheet.person.full_name} – {sheet.unit} – {period_name(sheet.period)}",
        italic=True,
        align=CENTER,
    )
    widths = [12, 72, 16, 18, 18, 16, 20, 16, 20, 16, 28]
    rows = [list(L.SHEET_HEAD), list(L.SHEET_SUBHEAD)]
    bold_rows = set()
    planned = [t for t in sheet.tasks if t.kind is TaskKind.PLANNED]
    extra = [t for t in sheet.tasks if t.kind is not TaskKind.PLANNED]
    for title, tasks in ((L.GROUP_PLANNED, planned), (L.GROUP_EXTRA, extra)):
        bold_rows.add(len(rows))
        rows.append(["", title, *[""] * 9])
        if not tasks:
            rows.append(["", L.NO_TASK, *[""] * 9])
        for index, task in enumerate(tasks, start=1):
            rows.append(
                [str(index), task.title, number(task.weight), *task_points(task), _task_note(task)]
            )
    breakdown = sheet.result.breakdown if sheet.result is not None else {}
    bold_rows.add(len(rows))
    rows.append(["", L.GROUP_PARTS, *[""] * 9])
    keys = ["a", "b", "c"]
    leader = sheet.person.role in LEADERS
    if leader:
        keys += ["d", "dd", "e"]
    for index, key in enumerate(keys, start=1):
        rows.append(
            [str(index), L.PART_NAMES[key], "", "", "", percent(breakdown.get(key)), *[""] * 5]
        )
    bold_rows.add(len(rows))
    total = L.POINTS_OF.format(value=number(breakdown.get("tasks")), max=70)
    formula = L.TOTAL_LEADER if leader else L.TOTAL_STAFF
    rows.append(["", L.GROUP_TOTAL, "", f"{total} = {formula} × 70", *[""] * 7])
    # the heading's groups span their columns; a group's title spans the row
    spans = {(0, column): (2, 1) for column in (0, 1, 2, 10)}
    spans |= {(0, 3): (1, 3), (0, 6): (1, 2), (0, 8): (1, 2)}
    spans |= {(index, 1): (1, 10) for index in bold_rows if index != len(rows) - 1}
    spans |= {(len(rows) - 1, 1): (1, 2), (len(rows) - 1, 3): (1, 8)}
    _table(doc, rows, widths, head=2, bold_rows=bold_rows, spans=spans)
    _para(doc, L.FOOTNOTE_EXTRA, italic=True, size=TABLE, align=JUSTIFY)
    if leader:
        _para(doc, L.FOOTNOTE_LEADER, italic=True, size=TABLE)


# -- the annual form ---------------------------------------------------------------------


def year_form(sheet: YearSheet) -> bytes:
    """The annual form (PHIẾU XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC) of one person: the period
    scores and their mean, the self-rating, the reviewers' proposals and the level of the
    competent authority; DOCX bytes."""
    doc = _document()
    rating, person = sheet.rating, sheet.person
    _national_header(doc, sheet.organization, sheet.unit)
    _para(doc)
    _para(doc, L.YEAR_TITLE, bold=True, size=TITLE, align=CENTER)
    _para(doc, L.YEAR_LINE.format(year=sheet.year), bold=True, align=CENTER)
    _labelled(doc, L.NAME, person.full_name)
    _labelled(doc, L.JOB_TITLE, sheet.title)
    _labelled(doc, L.UNIT, sheet.unit)

    _para(doc, L.YEAR_I, bold=True)
    rows = [list(L.YEAR_HEADERS)]
    for index, item in enumerate(rating.periods, start=1):
        source = item.get("source", "ours")
        note = "" if source == "ours" else L.YEAR_OTHER_AGENCY.format(agency=source)
        score = item.get("score")
        rows.append(
            [
                str(index),
                period_name(item["period"]),
                number(score),
                note or ("" if score is not None else L.YEAR_NOT_WORKED),
            ]
        )
    rows.append(["", L.YEAR_MEAN, number(rating.score), ""])
    _table(doc, rows, [12, 60, 30, 63], bold_rows={len(rows) - 1})

    _para(doc, L.YEAR_II, bold=True)
    for level in LEVEL_ORDER:
        box = L.BOX_ON if rating.self_level == level else L.BOX_OFF
        paragraph = _para(doc, f"{box} {L.LEVELS[level]}")
        paragraph.paragraph_format.left_indent = Mm(8)
    if rating.comment:
        _labelled(doc, L.YEAR_COMMENT, rating.comment)

    _para(doc, L.YEAR_III, bold=True)
    _labelled(doc, L.YEAR_PROPOSAL, level_name(rating.computed_level) or L.YEAR_NOT_RATED)
    for label, decision, level, comment in (
        (L.YEAR_HEAD, rating.head_decision, rating.head_level, rating.head_comment),
        (L.YEAR_DIRECTOR, rating.director_decision, rating.director_level, rating.director_comment),
    ):
        if decision == "agree":
            _labelled(doc, label, L.YEAR_AGREE)
        elif decision == "change" and level:
            _labelled(
                doc, label, L.YEAR_LOWER.format(level=level_name(level), reason=comment or "")
            )
    reasons = rating.reasons.get("vi") or []
    if reasons:
        _para(doc, L.BASIS, bold=True)
        for reason in reasons:
            paragraph = _para(doc, "- " + reason["text"], align=JUSTIFY)
            paragraph.paragraph_format.left_indent = Mm(8)
    if rating.level is None and rating.computed_level is None:
        final = L.YEAR_NOT_RATED
    elif sheet.published:
        final = level_name(rating.level)
    else:
        final = L.YEAR_PENDING.format(level=level_name(rating.computed_level))
    paragraph = doc.add_paragraph()
    paragraph.add_run(L.YEAR_FINAL).bold = True
    paragraph.add_run(final).bold = True

    _para(doc, L.YEAR_IV, bold=True)
    _para(doc, L.YEAR_IV_HINT, italic=True)
    _dotted(doc)
    reviewer = sheet.reviewer.full_name if sheet.reviewer else ""
    _signatures(
        doc,
        [(L.SIGN_SELF, L.SIGN_HINT, person.full_name), (L.SIGN_REVIEWER, L.SIGN_HINT, reviewer)],
    )
    return _bytes(doc)


# -- the summary table -------------------------------------------------------------------


@dataclass
class UnitCounts:
    """A unit's (or the organization's) people by level, and those not rated."""

    name: str
    total: int = 0
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVEL_ORDER, 0))
    not_rated: list[tuple[str, str, str]] = field(default_factory=list)  # (name, unit, reason)

    @property
    def rated(self) -> int:
        return sum(self.levels.values())

    def share(self, level: str) -> float | None:
        return self.levels[level] / self.rated if self.rated else None

    def quota_use(self) -> float | None:
        """A against B: the decree allows up to 20%."""
        return self.levels["A"] / self.levels["B"] if self.levels["B"] else None


def count_levels(
    entries: Iterable[tuple[str, str, str | None, str | None]],
) -> tuple[list[UnitCounts], UnitCounts]:
    """(unit name, person's name, level or None, reason when None) in the order of the
    paper → each unit's counts, in that order, and the organization's."""
    units: dict[str, UnitCounts] = {}
    everyone = UnitCounts(L.SUMMARY_ALL)
    for unit, name, level, reason in entries:
        counts = units.setdefault(unit, UnitCounts(unit))
        for into in (counts, everyone):
            into.total += 1
            if level in into.levels:
                into.levels[level] += 1
            else:
                into.not_rated.append((name, unit, reason or ""))
    return list(units.values()), everyone


def summary_table(
    organization: str,
    title: str,
    period: str,
    entries: Iterable[tuple[str, str, str | None, str | None]],
) -> bytes:
    """The summary table (landscape): per unit and for the organization, the number of
    people, those rated, each level's count and percentage of those rated, those not
    rated, and A against B (the 20% quota); then who was not rated and why. `entries`:
    (unit name, person's name, level or None, reason when None), units in the order to
    print them."""
    units, everyone = count_levels(entries)
    doc = _document(landscape=True)
    _national_header(doc, organization)
    _para(doc)
    _para(doc, title, bold=True, size=TITLE, align=CENTER)
    _para(doc, f"({period})", italic=True, align=CENTER)
    head = [*L.SUMMARY_HEAD]
    sub = ["", "", "", ""]
    for level in LEVEL_ORDER:
        head += [L.LEVELS[level], ""]
        sub += [L.SUMMARY_COUNT, L.SUMMARY_SHARE]
    head += [L.SUMMARY_NOT_RATED, L.SUMMARY_QUOTA]
    sub += ["", ""]
    rows = [head, sub]
    for index, counts in enumerate([*units, everyone], start=1):
        row = [
            str(index) if counts is not everyone else "",
            counts.name,
            str(counts.total),
            str(counts.rated),
        ]
        for level in LEVEL_ORDER:
            row += [str(counts.levels[level]), percent(counts.share(level))]
        row += [str(len(counts.not_rated)), percent(counts.quota_use())]
        rows.append(row)
    widths = [10, 34, 15, 15, *[17, 17] * 4, 18, 24]
    spans = {(0, column): (2, 1) for column in (0, 1, 2, 3, 12, 13)}
    spans |= {(0, column): (1, 2) for column in (4, 6, 8, 10)}
    _table(doc, rows, widths, head=2, bold_rows={len(rows) - 1}, spans=spans)
    _para(doc, L.QUOTA_NOTE, italic=True, size=TABLE)
    if everyone.not_rated:
        _para(doc, L.SUMMARY_LIST, bold=True)
        rows = [list(L.SUMMARY_LIST_HEAD)]
        for index, (name, unit, reason) in enumerate(everyone.not_rated, start=1):
            rows.append([str(index), name, unit, reason])
        _table(doc, rows, [12, 70, 80, 90])
    _signatures(doc, [(L.SIGN_MAKER, L.SIGN_HINT, ""), (L.SIGN_DIRECTOR, L.SIGN_HINT_SEAL, "")])
    return _bytes(doc)


# -- files -------------------------------------------------------------------------------


def slug(text: str) -> str:
    """ASCII-safe, as the roster makes a unit's code: "Nguyễn Thị Đào" → "nguyen-thi-dao"."""
    return slugify(text) or "x"


def file_name(index: int, unit: str, name: str, code: str, kind: str) -> str:
    """A form's file name in a ZIP: its place in the order (unit, then name), the unit,
    the person, the roster code (two people may share a name), all ASCII."""
    return f"{index:03d}-{slug(unit)}-{slug(name)}-{slug(code)}-{kind}.docx"


def forms_zip(files: Iterable[tuple[str, bytes]]) -> bytes:
    """Many forms in one ZIP, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def to_pdf(docx: bytes, timeout: float = 120) -> bytes | None:
    """A PDF copy by LibreOffice (`soffice --headless --convert-to pdf`), or None where
    soffice is not installed or fails."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "form.docx"
        source.write_bytes(docx)
        try:
            subprocess.run(
                [soffice, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        target = source.with_suffix(".pdf")
        return target.read_bytes() if target.exists() else None


# -- the papers of a scope -----------------------------------------------------------------


def period_files(
    session: Session, scope: Scope, period: Period, progress: Callable[[int], None] | None = None
) -> list[tuple[str, bytes]]:
    """Mẫu số 01 of each person of `scope` who has one in the period, as (file name,
    DOCX), in the scope's order; `progress(n)` after each."""
    return _period_files(period_sheets(session, scope, period), period, progress)


def _period_files(
    sheets: list[PeriodSheet], period: Period, progress: Callable[[int], None] | None = None
) -> list[tuple[str, bytes]]:
    return _files(sheets, f"mau-01-{period.code.lower()}", period_form, progress)


def year_files(
    session: Session,
    scope: Scope,
    year_round: YearRound,
    progress: Callable[[int], None] | None = None,
) -> list[tuple[str, bytes]]:
    """The annual form of each person of `scope` rated in the round, as (file name, DOCX)."""
    return _year_files(year_sheets(session, scope, year_round), year_round, progress)


def _year_files(
    sheets: list[YearSheet], year_round: YearRound, progress: Callable[[int], None] | None = None
) -> list[tuple[str, bytes]]:
    return _files(sheets, f"xep-loai-{year_round.year}", year_form, progress)


def _files(sheets, kind: str, render, progress: Callable[[int], None] | None):
    """(file name, DOCX) of each sheet, numbered in the scope's order; `progress(n)`
    after each."""
    files = []
    for index, sheet in enumerate(sheets, start=1):
        person = sheet.person
        name = file_name(index, sheet.unit, person.full_name, person.code, kind)
        files.append((name, render(sheet)))
        if progress is not None:
            progress(index)
    return files


def period_entries(
    scope: Scope, sheets: list[PeriodSheet]
) -> list[tuple[str, str, str | None, str | None]]:
    """(unit, name, level, reason when not rated) of each active person of `scope` in the
    period (`sheets`: theirs): the summary table's input."""
    by_person = {s.person.id: s for s in sheets}
    entries = []
    for person in scope.people:
        sheet = by_person.get(person.id)
        result = sheet.result if sheet else None
        if result is not None and result.score is not None and result.level:
            level, reason = result.level, None
        elif result is not None:
            level, reason = None, L.NO_TASKS
        else:
            level, reason = None, L.NO_ASSESSMENT
        entries.append((scope.units[person.unit_id].name, person.full_name, level, reason))
    return entries


def year_entries(
    scope: Scope, sheets: list[YearSheet]
) -> list[tuple[str, str, str | None, str | None]]:
    """(unit, name, level, reason when not rated) of each person of `scope` for the year
    (`sheets`: theirs)."""
    by_person = {s.person.id: s for s in sheets}
    entries = []
    for person in scope.people:
        sheet = by_person.get(person.id)
        level = sheet.rating.level if sheet else None
        entries.append(
            (
                scope.units[person.unit_id].name,
                person.full_name,
                level,
                None if level else L.NO_PERIODS,
            )
        )
    return entries


def period_summary(session: Session, scope: Scope, period: Period) -> bytes:
    """The summary table of a month or a quarter (the levels are informative there)."""
    return _period_summary(scope, period, period_sheets(session, scope, period))


def _period_summary(scope: Scope, period: Period, sheets: list[PeriodSheet]) -> bytes:
    return summary_table(
        scope.organization.name,
        L.SUMMARY_PERIOD_TITLE,
        L.PERIOD_LINE.format(period=period_name(period.code)).strip("()"),
        period_entries(scope, sheets),
    )


def year_summary(session: Session, scope: Scope, year_round: YearRound) -> bytes:
    """The summary table of the annual rating."""
    return _year_summary(scope, year_round, year_sheets(session, scope, year_round))


def _year_summary(scope: Scope, year_round: YearRound, sheets: list[YearSheet]) -> bytes:
    return summary_table(
        scope.organization.name,
        L.SUMMARY_TITLE,
        L.YEAR_LINE.format(year=year_round.year),
        year_entries(scope, sheets),
    )


def period_papers(
    session: Session, scope: Scope, period: Period, progress: Callable[[int], None] | None = None
) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The period's summary table and its Mẫu số 01 (`period_summary`, `period_files`)
    from one read of the sheets."""
    sheets = period_sheets(session, scope, period)
    return _period_summary(scope, period, sheets), _period_files(sheets, period, progress)


def year_papers(
    session: Session,
    scope: Scope,
    year_round: YearRound,
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The year's summary table and its annual forms (`year_summary`, `year_files`) from
    one read of the ratings."""
    sheets = year_sheets(session, scope, year_round)
    return _year_summary(scope, year_round, sheets), _year_files(sheets, year_round, progress)
