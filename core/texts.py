"""Rendering of reasons, warnings and errors in the reader's language.

The rules build `Reason`s and `Alert`s holding an English msgid and raw parameters; only
here are they translated and the parameters formatted (numbers with the locale's
separators, levels by their official names).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from core.model import Level, Period
from locales import N_, format_number, format_percent, translations

LEVEL_NAMES = {
    Level.EXCELLENT: N_("Excellent completion of duties (A)"),
    Level.GOOD: N_("Good completion of duties (B)"),
    Level.COMPLETED: N_("Completion of duties (C)"),
    Level.NOT_COMPLETED: N_("Non-completion of duties (D)"),
}


class Localized(NamedTuple):
    """A text the ruleset gives per language (criterion and deduction labels), as
    (language, text) pairs; the Vietnamese stands in for a missing language."""

    texts: tuple[tuple[str, str], ...]

    def get(self, locale: str) -> str:
        texts = dict(self.texts)
        return texts.get(locale) or texts["vi"]


class Term(str):
    """A msgid given as a parameter, translated with the message (a form of discipline)."""

    __slots__ = ()


class Percent(float):
    """A share (0.2) shown as a percentage in the reader's locale (20%)."""

    __slots__ = ()


class Quoted(str):
    """A name the person gave (a task's title), shown between quotation marks: “…”."""

    __slots__ = ()


def quoted(texts) -> tuple[Quoted, ...]:
    """Titles as a parameter: “Báo cáo tháng”, “Dự thảo kế hoạch”."""
    return tuple(Quoted(t) for t in texts)


def shown(value: Any, limit: int | None = None) -> str:
    """A bad input value in an error line: a text between quotation marks (“E”), anything
    else as Python writes it (1.5, None); longer than `limit` characters, cut with "..."."""
    if isinstance(value, str):
        if limit is not None and len(value) > limit - 2:
            value = value[: limit - 5] + "..."
        return Quoted(value)
    text = repr(value)
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def render(message: str, params: dict[str, Any], locale: str) -> str:
    """Translate `message` into `locale` and fill in its parameters.

    The texts repeat a lot across a large unit (the same score, the same quota reason):
    each is built once, keyed by the message and its parameters.
    """
    try:
        return _render(message, tuple(params.items()), locale)
    except TypeError:  # a list among the parameters (errors list their choices)
        key = tuple((k, tuple(v) if type(v) is list else v) for k, v in params.items())
        return _render(message, key, locale)


@lru_cache(maxsize=65536)
def _render(message: str, params: tuple[tuple[str, Any], ...], locale: str) -> str:
    gettext = translations(locale).gettext
    if not params:
        return gettext(message)
    values = {key: _format_value(value, locale, gettext) for key, value in params}
    return gettext(message).format(**values)


def level_name(level: Level, locale: str) -> str:
    return translations(locale).gettext(LEVEL_NAMES[level])


def _format_value(value: Any, locale: str, gettext) -> str:
    # by exact type: one dict look-up instead of a chain of isinstance (a hot path)
    return _FORMATTERS.get(type(value), _as_text)(value, locale, gettext)


def _as_text(value: Any, locale: str, gettext) -> str:
    return str(value)


def _as_period(value: Period, locale: str, gettext) -> str:
    """A year as written (2026), a month 10/2026, a quarter "quý 3/2026" (Q3 2026)."""
    if value.month is not None:
        return f"{value.month:02d}/{value.year}"
    if value.quarter is not None:
        return gettext(N_("Q{quarter} {year}")).format(quarter=value.quarter, year=value.year)
    return str(value.year)


def _as_sequence(value: list | tuple, locale: str, gettext) -> str:
    return ", ".join(_format_value(v, locale, gettext) for v in value)


_FORMATTERS = {
    str: lambda value, locale, gettext: value,
    int: lambda value, locale, gettext: format_number(value, locale),
    float: lambda value, locale, gettext: format_number(value, locale),
    Percent: lambda value, locale, gettext: format_percent(value, locale),
    Quoted: lambda value, locale, gettext: f"\u201c{value}\u201d",
    Term: lambda value, locale, gettext: gettext(value),
    Localized: lambda value, locale, gettext: value.get(locale),
    Level: lambda value, locale, gettext: gettext(LEVEL_NAMES[value]),
    Period: _as_period,
    date: lambda value, locale, gettext: f"{value.day:02d}/{value.month:02d}/{value.year}",
    list: _as_sequence,
    tuple: _as_sequence,
}
