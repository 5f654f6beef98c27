"""The exports: the ratings of a period or a year (Excel: a summary sheet and a sheet per
unit; CSV: one file with a unit column) and the audit trail (Excel or CSV).

The workbooks print as the office hands them in: A4 landscape, fit to the page's width,
the agency's header (organization, title, period, unit) above the table, the table's
header repeated on every page and frozen on screen. Numbers are numbers (the score
breakdown: points, and a, b, c, d, đ, e as shares); every text goes through
`papers.spreadsheet` (a name beginning with "=" stays a text). Labels are in the chosen
locale; levels by their official names, decisions, statuses and the audit's kinds and
fields by readable labels, never raw identifiers.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import tzinfo
from functools import cache
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.model import Level
from core.ruleset import load
from core.texts import level_name
from locales import N_, period_label, translations
from papers.spreadsheet import clean, write_csv, xlsx_cell, xlsx_row
from storage.conclusions import FORM_NAMES, KIND_NAMES, SOURCE_NAMES
from storage.exports import AuditRow, Decision, RatingRow, RatingsExport, unit_quota

Progress = Callable[[int, int], None]
LEVELS = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)
HEADER_ROWS = 4  # organization, title, unit, a blank line; the table's header after them

ROLE_NAMES = {
    "staff": N_("Staff"),
    "deputy": N_("Deputy"),
    "head": N_("Head"),
    "director": N_("Director"),
}
DECISION_NAMES = {
    "agree": N_("Agreed"),
    "change": N_("Lowered the level"),
    "return": N_("Returned for correction"),
}
UNCONFIRMED = "unconfirmed"  # a year's proposal the person has not confirmed
STATUS_NAMES = {  # a period's self-assessment, a year's confirmation
    None: N_("Not begun"),
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "returned": N_("Returned for correction"),
    "confirmed": N_("Confirmed"),
    "commented": N_("Commented"),
    UNCONFIRMED: N_("Not confirmed"),
}
OUTCOME_NAMES = {  # a task's outcome, an explanation's status
    "exceeded": N_("Exceeded"),
    "on_time": N_("On time"),
    "late": N_("Behind schedule"),
    "not_done": N_("Not done"),
    "none": N_("None"),
    "approved": N_("Accepted"),
}

# (key, heading, width) of a period's rows; the breakdown's columns follow its keys
PERIOD_BREAKDOWN = (
    ("general", N_("General criteria"), 10),
    ("a", N_("a) Quantity"), 9),
    ("b", N_("b) Quality"), 9),
    ("c", N_("c) Progress"), 9),
    ("d", N_("d) Results of the field led"), 9),
    ("dd", N_("đ) Organising"), 9),
    ("e", N_("e) Cohesion"), 9),
    ("tasks", N_("Task results"), 10),
    ("bonus", N_("Bonus points"), 9),
    ("deductions", N_("Deduction points"), 9),
)
SHARES = frozenset({"a", "b", "c", "d", "dd", "e"})  # shown as percentages


def _t(locale: str) -> Callable[[str], str]:
    return translations(locale).gettext


def _level(level: str | None, locale: str) -> str | None:
    return level_name(Level(level), locale) if level else None


def _decision(decision: Decision | None, locale: str) -> str | None:
    """ "Lowered the level: Completion of duties (C) — reason (Reviewer)"."""
    if decision is None:
        return None
    _ = _t(locale)
    text = _(DECISION_NAMES.get(decision.decision, decision.decision))
    if decision.decision == "change" and decision.level:
        text += ": " + _level(decision.level, locale)
    if decision.comment:
        text += f" \u2014 \u201c{decision.comment}\u201d"
    if decision.reviewer:
        text += f" ({decision.reviewer})"
    return text


def _period_short(code: str) -> str:
    """ "01/2026", "Q1/2026"."""
    year, _, part = code.partition("-")
    return f"{part}/{year}"


# -- the ratings --------------------------------------------------------------------------


class _Table:
    """The columns of an export: headings, widths, number formats and each row's values."""

    def __init__(self, data: RatingsExport, locale: str) -> None:
        self.data, self.locale = data, locale
        _ = _t(locale)
        columns: list[tuple[str, int, str | None, Callable[[RatingRow], Any]]] = [
            (_("ID"), 12, None, lambda r: r.code),
            (_("Full name"), 24, None, lambda r: r.full_name),
            (_("Role"), 12, None, lambda r: _(ROLE_NAMES.get(r.role, r.role))),
            (_("Group"), 16, None, lambda r: r.group_name),
        ]
        if data.is_year:
            codes = sorted({p["period"] for r in data.rows for p in r.periods})
            for code in codes:
                columns.append((_period_short(code), 8, "0.00", _period_score(code)))
            columns += [
                (_("Periods scored by another agency"), 20, None, lambda r: _external(r)),
                (_("Mean score"), 9, "0.00", lambda r: r.score),
                (_("Proposed level"), 22, None, lambda r: _level(r.computed_level, locale)),
                (_("Confirmation"), 14, None, lambda r: _(STATUS_NAMES[r.status or UNCONFIRMED])),
                (_("Comment of the person"), 24, None, lambda r: r.comment),
            ]
        else:
            present = {k for r in data.rows for k, v in r.breakdown.items() if v is not None}
            for key, heading, width in PERIOD_BREAKDOWN:
                if key in present:
                    fmt = "0%" if key in SHARES else "0.00"
                    columns.append((_(heading), width, fmt, _part(key)))
            if any(r.reward_vnd for r in data.rows):
                columns.append(
                    (_("Exemplary reward (VND)"), 14, "#,##0", lambda r: r.reward_vnd or None)
                )
            columns += [
                (_("Score"), 9, "0.00", lambda r: r.score),
                (_("Level by score"), 22, None, lambda r: _level(r.computed_level, locale)),
                (_("Self-assessment"), 14, None, lambda r: _(STATUS_NAMES.get(r.status, r.status))),
                (
                    _("Level proposed by the person"),
                    22,
                    None,
                    lambda r: _level(r.self_level, locale),
                ),
            ]
        columns += [
            (_("Head's review"), 28, None, lambda r: _decision(r.head, locale)),
            (_("Director's review"), 28, None, lambda r: _decision(r.director, locale)),
            (_("Final level"), 22, None, lambda r: _level(r.level, locale)),
            (_("Reasons"), 60, None, lambda r: "\n".join(r.reasons) or None),
            (_("Warnings"), 40, None, lambda r: "\n".join(r.warnings) or None),
            (
                _("Status"),
                14,
                None,
                lambda r: _("Published") if r.published else _("Not published"),
            ),
        ]
        self.columns = [(_("No."), 6, "0", None), *columns]

    def headings(self) -> list[str]:
        return [c[0] for c in self.columns]

    def values(self, number: int, row: RatingRow) -> list[Any]:
        return [number, *(get(row) for _h, _w, _f, get in self.columns[1:])]


def _part(key: str) -> Callable[[RatingRow], Any]:
    return lambda row: row.breakdown.get(key)


def _period_score(code: str) -> Callable[[RatingRow], Any]:
    return lambda row: next((p["score"] for p in row.periods if p["period"] == code), None)


def _external(row: RatingRow) -> str | None:
    found = [
        f"{_period_short(p['period'])}: {p['source']}"
        for p in row.periods
        if p.get("source") not in (None, "ours")
    ]
    return "; ".join(found) or None


def _title(data: RatingsExport, locale: str) -> str:
    _ = _t(locale)
    label = period_label(data.period_code, locale)
    if data.is_year:
        return _("QUALITY RATING RESULTS OF THE STAFF, {period}").format(period=label.upper())
    return _("RESULTS OF THE TRACKING AND ASSESSMENT OF THE STAFF, {period}").format(
        period=label.upper()
    )


_BOLD = Font(bold=True)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", start_color="1F4E78")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def ratings_workbook(
    data: RatingsExport, locale: str = "vi", progress: Progress | None = None
) -> bytes:
    """The ratings as an .xlsx: a summary sheet (counts and shares per level by unit, the
    quota's use), then a sheet per unit, a row per person."""
    _ = _t(locale)
    table = _Table(data, locale)
    title = _title(data, locale)
    book = Workbook()
    _add_styles(book)
    summary = book.active
    summary.title = _sheet_name(_("Summary"), set())
    _summary(summary, data, locale)
    taken = {summary.title}
    by_unit: dict[str, list[RatingRow]] = {}
    for row in data.rows:
        by_unit.setdefault(row.unit_code, []).append(row)
    done, total = 0, len(data.rows)
    styles = [
        f"export-{fmt}" if fmt else ("export-wrap" if width >= 20 else "export-text")
        for _h, width, fmt, _g in table.columns
    ]
    for code, name in data.units:
        sheet = book.create_sheet(_sheet_name(name, taken))
        taken.add(sheet.title)
        _agency_header(sheet, len(table.columns), data.organization, title, name)
        _heading_row(sheet, HEADER_ROWS + 1, table.headings())
        for number, row in enumerate(by_unit.get(code, ()), start=1):
            _table_row(sheet, HEADER_ROWS + 1 + number, table.values(number, row), styles)
            done += 1
            if progress is not None:
                progress(done, total)
        for index, (_h, width, _f, _g) in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A{HEADER_ROWS + 1}:{last}{max(sheet.max_row, HEADER_ROWS + 1)}"
        _print_setup(sheet, locale, freeze=f"D{HEADER_ROWS + 2}")
    book.properties.title = clean(title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ratings_csv(data: RatingsExport, locale: str = "vi", progress: Progress | None = None) -> bytes:
    """The ratings as one CSV (UTF-8 with a byte order mark, so that Excel reads the
    diacritics): a unit column first, then the workbook's columns."""
    _ = _t(locale)
    table = _Table(data, locale)
    total = len(data.rows)

    def rows() -> Iterable[list[Any]]:
        yield [_("Unit"), *table.headings()]
        numbers: Counter[str] = Counter()
        for done, row in enumerate(data.rows, start=1):
            numbers[row.unit_code] += 1
            yield [row.unit_name, *table.values(numbers[row.unit_code], row)]
            if progress is not None:
                progress(done, total)

    return _csv_bytes(rows())


def only_unit(data: RatingsExport, unit_code: str) -> RatingsExport:
    """The export of one of its units (a head's digest, from the organization's read
    once): its rows, and the quota lines of the unit or of the whole organization."""
    return replace(
        data,
        units=tuple(u for u in data.units if u[0] == unit_code),
        rows=tuple(r for r in data.rows if r.unit_code == unit_code),
        quota=unit_quota(data.quota, unit_code),
    )


def _csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO(newline="")
    write_csv(out, rows)
    return out.getvalue().encode("utf-8-sig")


def _summary(sheet: Worksheet, data: RatingsExport, locale: str) -> None:
    """Per unit and for the whole: the people, the rated, each level's count and share of
    the rated, the not rated; then the quota of A of the last run."""
    _ = _t(locale)
    headings = [_("Unit"), _("People"), _("Rated")]
    for level in LEVELS:
        headings += [level_name(level, locale), _("Share")]
    headings.append(_("Not rated"))
    _agency_header(sheet, len(headings), data.organization, _title(data, locale), _("Summary"))
    _heading_row(sheet, HEADER_ROWS + 1, headings)
    names = dict(data.units)
    groups: dict[str, list[RatingRow]] = {code: [] for code, _name in data.units}
    for row in data.rows:
        groups.setdefault(row.unit_code, []).append(row)
    lines = [(names.get(code, code), rows) for code, rows in groups.items()]
    with_total = len(lines) != 1  # one unit's export: its line is the total
    if with_total:
        lines.append((_("Total"), list(data.rows)))
    for number, (name, rows) in enumerate(lines, start=1):
        total_line = with_total and number == len(lines)
        counts = Counter(r.level for r in rows if r.level)
        rated = sum(counts.values())
        values: list[Any] = [name, len(rows), rated]
        for level in LEVELS:
            values += [counts[level.value], counts[level.value] / rated if rated else 0]
        values.append(len(rows) - rated)
        styles = ["export-text", "export-0", "export-0"]
        styles += ["export-0", "export-0.0%"] * len(LEVELS) + ["export-0"]
        _table_row(sheet, sheet.max_row + 1, values, styles)
        if total_line:
            for cell in sheet[sheet.max_row]:
                cell.font = _BOLD
    sheet.column_dimensions["A"].width = 32
    for index in range(2, len(headings) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    if data.quota:
        start = sheet.max_row + 2
        xlsx_cell(sheet.cell(start, 1), _("Quota of level A")).font = _BOLD
        _heading_row(
            sheet,
            start + 1,
            [_("Unit"), _("Group"), _("Proposed for A"), _("Kept at A"), _("Cap"), _("Demoted")],
        )
        for line in data.quota:
            values = [
                data.unit_names.get(line.get("unit"), data.organization)
                if line.get("unit")
                else data.organization,
                data.group_names.get(line.get("group"), line.get("group")),
                line.get("proposed_a"),
                (line.get("counts") or {}).get("A"),
                line.get("cap"),
                len(line.get("demoted") or ()),
            ]
            _table_row(sheet, sheet.max_row + 1, values, ["export-text"] * len(values))
    missing = [r for r in data.rows if not r.level]
    if missing:  # who is not rated, and why
        start = sheet.max_row + 2
        xlsx_cell(sheet.cell(start, 1), _("Not rated")).font = _BOLD
        _heading_row(sheet, start + 1, [_("Unit"), _("ID"), _("Full name"), _("Reason")])
        for row in missing:
            _table_row(
                sheet,
                sheet.max_row + 1,
                [row.unit_name, row.code, row.full_name, _not_rated(row, data, locale)],
                ["export-text", "export-text", "export-text", "export-text"],
            )
    _print_setup(sheet, locale, freeze=f"B{HEADER_ROWS + 2}")


def _not_rated(row: RatingRow, data: RatingsExport, locale: str) -> str:
    """Why a person has no level: the core's reason, else no self-assessment submitted
    (a period) or no rated period (a year)."""
    _ = _t(locale)
    if row.reasons:
        return row.reasons[0]
    if data.is_year:
        return _("No rated period in the year")
    if row.status in (None, "draft"):
        return _("No self-assessment submitted")
    return _("Not rated yet")


def _add_styles(book: Workbook) -> None:
    """The named styles of the tables' cells: a cell takes a named style many times faster
    than a border, an alignment and a number format one by one (tens of thousands of
    cells)."""
    for name, alignment, fmt in (
        ("export-text", _TOP, "General"),
        ("export-wrap", _WRAP, "General"),
        ("export-0", _TOP, "0"),
        ("export-0.00", _TOP, "0.00"),
        ("export-0%", _TOP, "0%"),
        ("export-0.0%", _TOP, "0.0%"),
        ("export-#,##0", _TOP, "#,##0"),
        ("export-time", _TOP, "dd/mm/yyyy hh:mm:ss"),
    ):
        if name not in book.named_styles:
            style = NamedStyle(name=name, border=_BORDER, alignment=alignment, number_format=fmt)
            book.add_named_style(style)


def _table_row(sheet: Worksheet, row: int, values: list[Any], styles: list[str]) -> None:
    """A row of the table: each cell its named style, then its value (`xlsx_cell`: a text
    that looks like a formula stays a text)."""
    for column, (value, style) in enumerate(zip(values, styles, strict=True), start=1):
        cell = sheet.cell(row, column)
        cell.style = style
        xlsx_cell(cell, value)


def _agency_header(sheet: Worksheet, width: int, organization: str, *lines: str) -> None:
    """The organization, the title with the period, and the unit (or "Summary") if any,
    each across the table's width."""
    fonts = (Font(bold=True, size=12), Font(bold=True, size=13), Font(italic=True, size=12))
    texts = (organization.upper(), *lines)
    for row, (text, font) in enumerate(zip(texts, fonts[: len(texts)], strict=True), start=1):
        cell = xlsx_cell(sheet.cell(row, 1), text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _heading_row(sheet: Worksheet, row: int, headings: list[str]) -> None:
    for cell in xlsx_row(sheet, row, headings):
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTER


def _print_setup(sheet: Worksheet, locale: str, freeze: str) -> None:
    """A4 landscape, fit to the page's width (as many pages down as needed), the table's
    header repeated on each page, page numbers in the footer, the header frozen."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROWS + 1}:{HEADER_ROWS + 1}"
    _ = _t(locale)
    sheet.oddFooter.center.text = _("Page &P of &N")
    sheet.freeze_panes = freeze


_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, taken: set[str]) -> str:
    """A sheet's name: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = _SHEET_NAME_BAD.sub(" ", clean(name)).strip().strip("'")[:31] or "-"
    candidate, n = base, 1
    while candidate.lower() in {t.lower() for t in taken}:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    return candidate


# -- the audit trail ------------------------------------------------------------------------

ENTITY_NAMES = {
    "self_assessment": N_("Self-assessment"),
    "task_outcome": N_("Task result"),
    "initiative": N_("Initiative"),
    "task": N_("Task"),
    "review": N_("Review"),
    "result": N_("Result of the period"),
    "year_rating": N_("Annual rating"),
    "external_score": N_("Score sent by a previous agency"),
    "discipline_decision": N_("Discipline decision"),
    "conclusion": N_("Conclusion"),
    "organization": N_("Organization settings"),
    "person": N_("Person"),
}
FIELD_NAMES = {
    "score": N_("Score"),
    "level": N_("Level"),
    "status": N_("Status"),
    "delays": N_("Number of delays"),
    "explanation_status": N_("Explanation"),
    "approved": N_("Accepted"),
    "proposed_level": N_("Proposed level"),
    "self_level": N_("Level confirmed by the person"),
    "head_level": N_("Head's level"),
    "director_level": N_("Director's level"),
    "decision": N_("Decision"),
    "rank": N_("Rank among people tied for level A"),
    "exemplary": N_("Exemplary of the month"),
    "organising": N_("đ) Organising"),
    "cohesion": N_("e) Cohesion"),
    "report": N_("Reported as beyond the person's ability"),
    "person": N_("Handed over to"),
    "assigned": N_("Assigned to"),
    "weight": N_("Conversion factor"),
    "recorded": N_("Recorded"),
    "removed": N_("Removed"),
}
STAGE_NAMES = {"head": N_("Head"), "director": N_("Director")}
LEVEL_FIELDS = frozenset({"level", "proposed_level", "self_level", "head_level", "director_level"})


@cache
def _criteria() -> dict[str, dict[str, str]]:
    """The general criteria's labels of the built-in rulesets, by key."""
    found: dict[str, dict[str, str]] = {}
    for name in ("nd90", "nd335"):
        for criterion in load(name).criteria:
            found[criterion.key] = criterion.label
    return found


def field_label(field: str, locale: str) -> str:
    """ "Decision (Head)", "General criterion: Ý thức kỷ luật... (Director)", "Score"."""
    _ = _t(locale)
    stage = None
    head, _dot, rest = field.partition(".")
    if head in STAGE_NAMES and rest:
        stage, field = head, rest
    if field.startswith("general."):
        key = field.removeprefix("general.")
        labels = _criteria().get(key, {})
        text = _("General criterion: {name}").format(
            name=labels.get(locale) or labels.get("vi") or key
        )
    else:
        text = _(FIELD_NAMES[field]) if field in FIELD_NAMES else field
    if stage:
        text = f"{text} ({_(STAGE_NAMES[stage])})"
    return text


def audit_value(field: str, value: Any, locale: str) -> Any:
    """A value of the audit log as the reader reads it: numbers as numbers, levels by
    their names, decisions and statuses by their labels, yes or no."""
    _ = _t(locale)
    name = field.rpartition(".")[2]
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if name in LEVEL_FIELDS and value in Level.__members__.values():
            return level_name(Level(value), locale)
        if name == "decision" and value in DECISION_NAMES:
            return _(DECISION_NAMES[value])
        if name == "status" and value in STATUS_NAMES:
            return _(STATUS_NAMES[value])
        if name in ("status", "explanation_status") and value in OUTCOME_NAMES:
            return _(OUTCOME_NAMES[value])
        return value
    if isinstance(value, dict):  # a discipline decision or a conclusion, as recorded
        return "; ".join(
            f"{_(DETAIL_NAMES[key])}: {_detail(key, item, locale)}"
            if key in DETAIL_NAMES
            else f"{key}: {item}"
            for key, item in value.items()
            if key != "person_id" and item is not None  # the person has a column
        )
    return str(value)


# What a discipline decision or a conclusion records (storage.conclusions.details), the
# values named by storage.conclusions as /conclusions names them
DETAIL_NAMES = {
    "kind": N_("Kind of entry"),
    "date": N_("Date"),
    "number": N_("Document number"),
    "form": N_("Form"),
    "source": N_("Source"),
    "violation": N_("Violation"),
    "public_duty": N_("In public duty"),
    "note": N_("Note"),
}
DETAIL_VALUES = {"kind": KIND_NAMES, "form": FORM_NAMES, "source": SOURCE_NAMES}


def _detail(key: str, value: Any, locale: str) -> str:
    _ = _t(locale)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "date" and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    names = DETAIL_VALUES.get(key, {})
    return _(names[value]) if value in names else str(value)


def _audit_table(
    rows: list[AuditRow], timezone: tzinfo, locale: str, progress: Progress | None, *, moment
) -> Iterable[list[Any]]:
    _ = _t(locale)
    yield [
        _("No."),
        _("Time"),
        _("Changed by"),
        _("ID"),
        _("Full name"),
        _("Unit"),
        _("What"),
        _("Field"),
        _("Before"),
        _("After"),
        _("Reason"),
    ]
    for number, row in enumerate(rows, start=1):
        yield [
            number,
            moment(row.at.astimezone(timezone)),
            row.actor or _("the system"),
            row.person_code,
            row.person,
            row.unit,
            _(ENTITY_NAMES[row.entity]) if row.entity in ENTITY_NAMES else row.entity,
            field_label(row.field, locale),
            audit_value(row.field, row.before, locale),
            audit_value(row.field, row.after, locale),
            row.reason,
        ]
        if progress is not None:
            progress(number, len(rows))


AUDIT_WIDTHS = (6, 17, 22, 12, 22, 24, 20, 34, 24, 24, 40)


def audit_workbook(
    rows: list[AuditRow],
    organization: str,
    period_code: str,
    timezone: tzinfo,
    locale: str = "vi",
    progress: Progress | None = None,
) -> bytes:
    """The audit trail as an .xlsx: the agency's header, a row per change."""
    _ = _t(locale)
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_name(_("Audit trail"), set())
    title = _("AUDIT TRAIL OF THE RATING, {period}").format(
        period=period_label(period_code, locale).upper()
    )
    _agency_header(sheet, len(AUDIT_WIDTHS), organization, title)
    table = _audit_table(
        rows, timezone, locale, progress, moment=lambda at: at.replace(tzinfo=None)
    )
    _heading_row(sheet, HEADER_ROWS + 1, next(table))
    _add_styles(book)
    styles = ["export-0", "export-time"] + ["export-wrap"] * (len(AUDIT_WIDTHS) - 2)
    for number, values in enumerate(table, start=1):
        _table_row(sheet, HEADER_ROWS + 1 + number, values, styles)
    for index, w in enumerate(AUDIT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = w
    _print_setup(sheet, locale, freeze=f"A{HEADER_ROWS + 2}")
    book.properties.title = clean(title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def audit_csv(
    rows: list[AuditRow], timezone: tzinfo, locale: str = "vi", progress: Progress | None = None
) -> bytes:
    """The audit trail as CSV (UTF-8 with a byte order mark), the times as dd/mm/yyyy
    hh:mm:ss in `timezone`."""
    return _csv_bytes(
        _audit_table(
            rows, timezone, locale, progress, moment=lambda at: at.strftime("%d/%m/%Y %H:%M:%S")
        )
    )
