"""The leaders' digest of a month: chat messages, a bar chart and an Excel workbook (the
export of the unit or the organization, papers/exports.py).

Pure functions over plain data (no database, no bot): the caller gathers a unit's results
(or all units' for the director) into a `UnitDigest` and sends what these functions make.
Every text is in the reader's language, Vietnamese by default.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from core.model import Level
from core.texts import level_name
from handlers.events import Document, Reply
from locales import format_number, format_percent, period_label, translations

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


@dataclass(frozen=True)
class DigestRow:
    """One person's result of the period: what the counts need (the rest of the row is
    in the workbook, papers/exports.py)."""

    code: str  # roster id
    full_name: str
    level: str | None = None  # "A".."D", final; None: not rated


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


# -- the quota and the replies (the workbook: the export, papers/exports.py) -----------


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


def digest_replies(digest: UnitDigest, locale: str, name: str, workbook: bytes) -> list[Reply]:
    """The digest as a leader receives it: the messages, the chart (`name`.png) and the
    workbook (`name`.xlsx): the export of the unit or the organization
    (`papers.exports.ratings_workbook`), the same file the office exports."""
    replies = [Reply(text) for text in digest_text(digest, locale)]
    replies.append(Reply("", document=Document(f"{name}.png", level_chart_png(digest, locale))))
    replies.append(Reply("", document=Document(f"{name}.xlsx", workbook)))
    return replies
