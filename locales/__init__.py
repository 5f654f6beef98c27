"""The product's gettext catalogues and locale-aware formatting.

Source strings in the code are English; `vi/LC_MESSAGES/messages.po` holds the Vietnamese,
which is the default language. Babel manages the catalogues (see README: extract, update,
compile); the compiled `.mo` files are committed so that a plain `pip install` works.
"""

from __future__ import annotations

import gettext
from functools import cache, lru_cache
from pathlib import Path

from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_format_percent

LOCALES_DIR = Path(__file__).parent
DOMAIN = "messages"
DEFAULT_LOCALE = "vi"
SUPPORTED_LOCALES = ("vi", "en")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel extracts
    """Mark a string for extraction; it is translated later, where the locale is known."""
    return message


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The catalogue for `locale`. English is the source language and needs none."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    if locale == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALES_DIR, languages=[locale])


@lru_cache(maxsize=4096)
def format_percent(share: float, locale: str) -> str:
    """A share as a percentage (vi: 66,67%)."""
    return babel_format_percent(share, format="#,##0.##%", locale=locale)


@lru_cache(maxsize=65536)
def format_number(value: float | int, locale: str) -> str:
    """A number as a reader of `locale` writes it (vi: 93,5 and 2.340.000)."""
    if not abs(value) < 1e15:  # beyond money and points: Babel's decimals give up at ~1e26
        return f"{value:g}"
    return format_decimal(value, format="#,##0.##", locale=locale)
