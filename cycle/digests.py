"""The leaders' digest of a month: chat messages, a bar chart and an Excel workbook.

Pure functions over plain data (no database, no bot): the caller gathers a unit's results
(or all units' for the director) into a `UnitDigest` and sends what these functions make.
Every text is in the reader's language, Vietnamese by default.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.model import Level
from core.texts import level_name
from handlers.events import Document, Reply
from locales import N_, format_number, format_percent, period_label, translations
from papers.spreadsheet import clean, xlsx_cell, xlsx_row

MESSAGE_LIMIT = 4000
"""The longest chat message made, in UTF-16 code units as Telegram counts them (it allows
4096; an emoji is two units, every Vietnamese letter one)."""

NAMES_SHOWN = 30
"""At most this many names of those who did not submit in the message; the rest are counted."""
NAMES_CHARS = 1200
"""…and at most this many characters of names."""

LEVELS = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)

CHART_SIZE = (8, 5)  # inches, at CHART_DPI: 800 × 500 pixels
CHART_DPI = 100
CHART_COLORS = {
    Level.EXCELLENT: "#2e7d32",
    Level.GOOD: "#1565c0",
    Level.COMPLETED: "#ef6c00",
    Level.NOT_COMPLETED: "#c62828",
}

# (heading, width) of the results sheet, in order
RESULT_COLUMNS = (
    (N_("No."), 6),
    (N_("ID"), 12),
    (N_("Full name"), 26),
    (N_("Unit"), 26),
    (N_("Group"), 18),
    (N_("Score"), 9),
    (N_("General criteria"), 11),
    (N_("Task results"), 11),
    (N_("Bonus"), 9),
    (N_("Deductions"), 9),
    (N_("Level by score"), 11),
    (N_("Final level"), 11),
    (N_("Exemplary reward (VND)"), 15),
    (N_("Reasons"), 80),
)
# breakdown keys shown in the results sheet, in the order of RESULT_COLUMNS
BREAKDOWN_KEYS = ("general", "tasks", "bonus", "deductions")


@dataclass(frozen=True)
class DigestRow:
    """One person's result of the period."""

    code: str  # roster id
    full_name: str
    unit_name: str
    group_name: str
    score: float | None
    breakdown: dict[str, Any] = field(default_factory=dict)  # the core's breakdown
    computed_level: str | None = None  # "A".."D" before the quota
    level: str | None = None  # "A".."D", final; None: not rated
    reasons: tuple[str, ...] = ()  # rendered in the reader's language
    reward_vnd: int = 0
    submitted: bool = True


@dataclass(frozen=True)
class UnitDigest:
    """What a leader reads about a period: one unit, or the whole organization."""

    title: str  # the unit's or the organization's name
    period_code: str  # "2026-11" (or "2026" for a year)
    rows: tuple[DigestRow, ...]
    not_submitted: tuple[str, ...] = ()  # full names
    warnings: tuple[str, ...] = ()  # rendered in the reader's language
    quota_lines: tuple[str, ...] = ()  # e.g. "Chuyên viên: 3 đề xuất A, giữ 2"


@dataclass(frozen=True)
class _Counts:
    per_level: dict[Level, int]
    rated: int
    not_rated: int

    def share(self, level: Level) -> float:
        return self.per_level[level] / self.rated if self.rated else 0.0


def _counts(digest: UnitDigest) -> _Counts:
    found = Counter(Level(row.level) for row in digest.rows if row.level)
    per_level = {level: found[level] for level in LEVELS}
    rated = sum(per_level.values())
    return _Counts(per_level, rated, len(digest.rows) - rated)


def _heading(digest: UnitDigest, locale: str) -> str:
    _ = translations(locale).gettext
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}|Q[1-4]))?", digest.period_code)
    if match is None:
        raise ValueError(f"not a period code: {digest.period_code!r}")
    year, part = match.groups()
    if part is None:
        return _("Rating results for {year} — {title}").format(year=year, title=digest.title)
    return _("Rating results for {period} — {title}").format(
        period=period_label(digest.period_code, locale), title=digest.title
    )


# -- chat messages ----------------------------------------------------------------------


def digest_text(digest: UnitDigest, locale: str = "vi") -> list[str]:
    """The digest as chat messages of at most MESSAGE_LIMIT characters (UTF-16 units) each.

    The first holds the counts per level and who did not submit; the quota lines and the
    warnings follow, spilling over into further messages (with their heading repeated)
    between lines, never inside one unless a single line is longer than a message.
    """
    t = translations(locale)
    _, ngettext = t.gettext, t.ngettext
    counts = _counts(digest)

    summary = [_heading(digest, locale), ""]
    if counts.rated:
        summary.append(
            ngettext("Rated: {n} person", "Rated: {n} people", counts.rated).format(
                n=format_number(counts.rated, locale)
            )
        )
        for level in LEVELS:
            n = counts.per_level[level]
            summary.append(
                ngettext(
                    "{level}: {n} person ({share})", "{level}: {n} people ({share})", n
                ).format(
                    level=level_name(level, locale),
                    n=format_number(n, locale),
                    share=format_percent(counts.share(level), locale),
                )
            )
    else:
        summary.append(_("Nobody has been rated yet."))
    if counts.not_rated:
        summary.append(
            ngettext(
                "Not rated yet: {n} person", "Not rated yet: {n} people", counts.not_rated
            ).format(n=format_number(counts.not_rated, locale))
        )
    summary += ["", _not_submitted_line(digest.not_submitted, locale)]

    sections = [(None, None, summary)]
    if digest.quota_lines:
        sections.append(
            (
                _("Quota of level A:"),
                _("Quota of level A (continued):"),
                [f"• {line}" for line in digest.quota_lines],
            )
        )
    if digest.warnings:
        n = len(digest.warnings)
        sections.append(
            (
                _("Warnings ({n}):").format(n=format_number(n, locale)),
                _("Warnings (continued):"),
                [f"• {line}" for line in digest.warnings],
            )
        )
    return _pack(sections, MESSAGE_LIMIT)


def _not_submitted_line(names: tuple[str, ...], locale: str) -> str:
    t = translations(locale)
    if not names:
        return t.gettext("Everyone has submitted the self-assessment.")
    shown: list[str] = []
    size = 0
    for name in names[:NAMES_SHOWN]:
        size += len(name) + 2
        if shown and size > NAMES_CHARS:
            break
        shown.append(name)
    listed = ", ".join(shown)
    rest = len(names) - len(shown)
    if rest:
        listed += " " + t.gettext("… and {n} more (the full list is in the Excel file)").format(
            n=format_number(rest, locale)
        )
    return t.ngettext(
        "Did not submit the self-assessment: {n} person: {names}",
        "Did not submit the self-assessment: {n} people: {names}",
        len(names),
    ).format(n=format_number(len(names), locale), names=listed)


def _pack(sections: list[tuple[str | None, str | None, list[str]]], limit: int) -> list[str]:
    """Lay the sections' lines out in messages of at most `limit` characters.

    A section is (heading, heading when continued, lines); sections are set apart by a
    blank line, a heading stays with the section's first line, and a message that goes on
    with a section starts with its continued heading.
    """
    messages: list[str] = []
    lines: list[str] = []
    size = -1  # the length of "\n".join(lines)

    def flush() -> None:
        nonlocal lines, size
        text = "\n".join(lines).strip("\n")
        if text:
            messages.append(text)
        lines, size = [], -1

    def fits(*more: str) -> bool:
        return size + sum(_units(line) + 1 for line in more) <= limit

    def put(*more: str) -> None:
        nonlocal size
        lines.extend(more)
        size += sum(_units(line) + 1 for line in more)

    for heading, continued, body in sections:
        room = limit - max((_units(h) + 1 for h in (heading, continued) if h), default=0)
        pieces = [piece for line in body for piece in _split_line(line, room)]
        opening = ([""] if lines else []) + ([heading] if heading else [])
        if not fits(*opening, *pieces[:1]):
            flush()
            opening = [heading] if heading else []
        put(*opening)
        for piece in pieces:
            if not fits(piece):
                flush()
                if continued:
                    put(continued)
            put(piece)
    flush()
    return messages


def _split_line(line: str, limit: int) -> list[str]:
    """A line as is, or, longer than `limit`, cut between words (within a word if need be)."""
    if _units(line) <= limit:
        return [line]
    width = limit
    while True:
        pieces = textwrap.wrap(line, width, break_long_words=True, replace_whitespace=False)
        if all(_units(piece) <= limit for piece in pieces):
            return pieces or [""]
        width = width * 9 // 10  # characters beyond the BMP count twice


def _units(text: str) -> int:
    """The length of `text` in UTF-16 code units, Telegram's measure of a message."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


# -- chart ------------------------------------------------------------------------------


def level_chart_png(digest: UnitDigest, locale: str = "vi") -> bytes:
    """A bar chart of the number of people per level, as PNG (800 × 500 pixels)."""
    from matplotlib import rc_context

    out = BytesIO()
    # DejaVu Sans (matplotlib's own font, the default) has every Vietnamese letter; named
    # here so that a matplotlibrc elsewhere cannot swap it for a font without them
    with rc_context({"font.family": "DejaVu Sans"}):
        figure = _chart_figure(digest, locale)
        figure.savefig(out, format="png", dpi=CHART_DPI, metadata={"Software": None})
    return out.getvalue()


def _chart_figure(digest: UnitDigest, locale: str):
    # matplotlib is imported here: it is slow to import and only the charts need it.
    # A bare Figure on the Agg canvas needs no display and touches no pyplot state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    _ = translations(locale).gettext
    counts = _counts(digest)
    values = [counts.per_level[level] for level in LEVELS]
    figure = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.bar(
        [level.value for level in LEVELS],
        values,
        color=[CHART_COLORS[level] for level in LEVELS],
        label=[level_name(level, locale) for level in LEVELS],
    )
    axes.bar_label(bars, labels=[format_number(v, locale) for v in values], padding=3)
    axes.set_ylim(0, max(values) * 1.15 + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(_("Number of people"))
    axes.spines[["top", "right"]].set_visible(False)
    # a name is plain text: "$...$" in it is not mathtext (which may not even parse)
    axes.set_title(textwrap.fill(_heading(digest, locale), 70), fontsize=13, parse_math=False)
    figure.legend(loc="outside lower center", ncols=2, frameon=False)
    return figure


# -- workbook ---------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", start_color="1F4E78")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAPPED = {3, 4, 5, len(RESULT_COLUMNS)}  # names, unit, group, reasons


def results_workbook(digest: UnitDigest, locale: str = "vi") -> bytes:
    """An .xlsx of the results (one row a person) and a summary sheet (counts, missing)."""
    _ = translations(locale).gettext
    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")[:31]
    _header(sheet, 1, [_(heading) for heading, _width in RESULT_COLUMNS])
    for number, row in enumerate(digest.rows, start=1):
        values = [
            number,
            row.code,
            row.full_name,
            row.unit_name,
            row.group_name,
            row.score,
            *(row.breakdown.get(key) for key in BREAKDOWN_KEYS),
            _level(row.computed_level),
            _level(row.level),
            row.reward_vnd,
            "\n".join(row.reasons),
        ]
        _append(sheet, values)
    for column, (_unused, width) in enumerate(RESULT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column in _WRAPPED)
        cells[12].number_format = "#,##0"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(RESULT_COLUMNS))}{sheet.max_row}"
    sheet.print_title_rows = "1:1"

    _summary_sheet(book.create_sheet(_("Summary")[:31]), digest, locale)
    book.properties.title = clean(_heading(digest, locale))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_sheet(sheet, digest: UnitDigest, locale: str) -> None:
    _ = translations(locale).gettext
    counts = _counts(digest)
    xlsx_cell(sheet["A1"], _heading(digest, locale))
    sheet["A1"].font = Font(bold=True, size=13)
    _header(sheet, 3, [_("Level"), _("Number of people"), _("Share")])
    for level in LEVELS:
        _append(sheet, [level_name(level, locale), counts.per_level[level], counts.share(level)])
        sheet.cell(sheet.max_row, 3).number_format = "0.0%"
    _append(sheet, [_("Total rated"), counts.rated, 1 if counts.rated else 0])
    sheet.cell(sheet.max_row, 3).number_format = "0.0%"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    if counts.not_rated:
        _append(sheet, [_("Not rated yet"), counts.not_rated, None])

    start = sheet.max_row + 2
    for cell in xlsx_row(sheet, start, [_("Did not submit the self-assessment")]):
        cell.font = Font(bold=True)
    sheet.cell(start, 2, len(digest.not_submitted)).font = Font(bold=True)
    _header(sheet, start + 1, [_("No."), _("Full name")])
    for number, name in enumerate(digest.not_submitted, start=1):
        _append(sheet, [number, name])
    for column, width in (("A", 40), ("B", 30), ("C", 10)):
        sheet.column_dimensions[column].width = width


def _header(sheet, row: int, headings: list[str]) -> None:
    for cell in xlsx_row(sheet, row, headings):
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _append(sheet, values: list[Any]) -> None:
    """A row below the last one: numbers as numbers, texts never read as formulas."""
    for cell in xlsx_row(sheet, sheet.max_row + 1, values):
        cell.border = _BORDER


def _level(level: str | None) -> str | None:
    return Level(level).value if level else None


def quota_lines(
    run: dict[str, Any], unit_codes: set[str], whole: bool, organization_name: str
) -> tuple[str, ...]:
    """The quota of a classification run (`units` of the core's output, kept on the period
    or the year's round) for the units `unit_codes`: "Unit / Group: A kept / proposed
    (≤ cap)"; a quota over the whole organization (nd335's scope) only in a `whole` digest."""
    unit_names = run.get("unit_names", {})
    group_names = run.get("group_names", {})
    return tuple(
        f"{unit_names.get(g['unit'], organization_name)} / "
        f"{group_names.get(g['group'], g['group'])}: "
        f"A {g['counts']['A']} / {g['proposed_a']} (≤ {g['cap']})"
        for g in run.get("units", [])
        if (g["unit"] in unit_codes or (g["unit"] is None and whole)) and g["proposed_a"]
    )


def digest_replies(digest: UnitDigest, locale: str, name: str) -> list[Reply]:
    """The digest as a leader receives it: the messages, the chart (`name`.png) and the
    workbook (`name`.xlsx)."""
    replies = [Reply(text) for text in digest_text(digest, locale)]
    replies.append(Reply("", document=Document(f"{name}.png", level_chart_png(digest, locale))))
    replies.append(Reply("", document=Document(f"{name}.xlsx", results_workbook(digest, locale))))
    return replies
