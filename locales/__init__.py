"""The product's gettext catalogues and locale-aware formatting.

Source strings in the code are English; `vi/LC_MESSAGES/messages.po` holds the Vietnamese,
which is the default language. Babel manages the catalogues (see README: extract, update,
compile); the compiled `.mo` files are committed so that a plain `pip install` works.
"""

from __future__ import annotations

import gettext
import unicodedata
from datetime import datetime, tzinfo
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


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(code: str, locale: str) -> str:
    """A period as texts name it: "tháng 11/2026", "quý IV năm 2026", "năm 2026" (vi);
    "month 11/2026", "quarter IV of 2026", "the year 2026" (en)."""
    gettext = translations(locale).gettext
    year, _, rest = code.partition("-")
    if not rest:
        return gettext("the year {year}").format(year=year)
    if rest.startswith("Q"):
        return gettext("quarter {quarter} of {year}").format(
            quarter=_ROMAN[int(rest[1:])], year=year
        )
    return gettext("month {month}/{year}").format(month=rest, year=year)


def periods(code: str, locale: str) -> dict[str, str]:
    """The period's label for a message, as {period} and, to begin a sentence, {Period}."""
    label = period_label(code, locale)
    return {"period": label, "Period": label[:1].upper() + label[1:]}


def format_moment(moment: datetime, timezone: tzinfo, locale: str) -> str:
    """A moment as the reader's clock shows it: "17:00 ngày 30/11/2026" (vi),
    "17:00 on 30/11/2026" (en)."""
    local = moment.astimezone(timezone)
    return (
        translations(locale)
        .gettext("{time} on {date}")
        .format(time=local.strftime("%H:%M"), date=local.strftime("%d/%m/%Y"))
    )


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


# Vietnamese alphabetical order (Luật chính tả; dictionaries): letters with their own
# place (ă â after a, đ after d, ê after e, ô ơ after o, ư after u), tones compared only
# when the letters are equal, in the order ngang, huyền, hỏi, ngã, sắc, nặng.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER = {letter: index for index, letter in enumerate(_ALPHABET)}
_MODIFIERS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}  # ă/â ê ô/ơ ư
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


@lru_cache(maxsize=65536)
def _word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letters, tones) of a word: the letters decide, the tones break ties."""
    letters: list[int] = []
    tones: list[int] = []
    for char in word.lower():
        if char == "đ":
            letters.append(_LETTER["đ"])
            tones.append(0)
            continue
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _MODIFIERS))
        # other characters (digits, foreign letters) after the alphabet, by code point
        letters.append(_LETTER.get(letter, len(_ALPHABET) + ord(letter[0])))
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
    return tuple(letters), tuple(tones)


def name_sort_key(full_name: str) -> tuple:
    """Order of names in Vietnamese lists: by the given name (the last word), then the
    family and middle names, in the Vietnamese alphabet ("Đào" after "Dung", "Ân" after
    "An"); tones only where the letters are equal."""
    words = full_name.split() or [""]
    letters, tones = zip(*map(_word_key, [words[-1], *words[:-1]]), strict=True)
    return letters, tones


def text_sort_key(text: str) -> tuple:
    """Order of texts (units' names) in the Vietnamese alphabet, word by word."""
    keys = [_word_key(w) for w in text.split()]
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys)
