"""The leaders' digest: chat messages and the chart of levels (the workbook is the export
of papers/exports.py: tests/test_exports.py).

The texts are checked in English (the source language); in Vietnamese only what does not
wait for the catalogue: names from the data and the official level names.
"""

from __future__ import annotations

import warnings
from io import BytesIO

import pytest
from matplotlib.image import imread

from core.model import Level
from core.texts import level_name
from cycle.digests import (
    MESSAGE_LIMIT,
    DigestRow,
    UnitDigest,
    _chart_figure,
    digest_text,
    level_chart_png,
)

UNIT = "Phòng Tổ chức cán bộ"
LEVEL_NAMES_EN = [
    "Excellent completion of duties (A)",
    "Good completion of duties (B)",
    "Completion of duties (C)",
    "Non-completion of duties (D)",
]


def row(n: int, level: str | None = "B", **fields) -> DigestRow:
    values = {
        "code": f"nv{n:03d}",
        "full_name": f"Nguyễn Thị Hằng {n}",
        "level": level,
    }
    return DigestRow(**(values | fields))


def unit(levels: str = "AABBBBBBBBBBBBBBBCCC", **fields) -> UnitDigest:
    """A unit with one person per letter of `levels` (20 people: 2 A, 15 B, 3 C, 0 D)."""
    values = {
        "title": UNIT,
        "period_code": "2026-11",
        "rows": tuple(row(n, level) for n, level in enumerate(levels, start=1)),
    }
    return UnitDigest(**(values | fields))


# -- chat messages ----------------------------------------------------------------------


def test_counts_and_shares_per_level_with_the_official_names():
    (message,) = digest_text(unit(), "en")
    lines = message.splitlines()
    assert lines[0] == f"Rating results for month 11/2026 — {UNIT}"
    assert "Rated: 20 people" in lines
    assert lines[lines.index("Rated: 20 people") + 1 :][:4] == [
        "Excellent completion of duties (A): 2 people (10%)",
        "Good completion of duties (B): 15 people (75%)",
        "Completion of duties (C): 3 people (15%)",
        "Non-completion of duties (D): 0 people (0%)",
    ]


def test_vietnamese_is_the_default_and_names_the_levels_officially():
    messages = digest_text(unit())
    assert messages == digest_text(unit(), "vi") != digest_text(unit(), "en")
    assert messages[0].splitlines()[0].endswith(f"— {UNIT}")
    assert f"{level_name(Level.EXCELLENT, 'vi')}: 2 " in messages[0]
    assert "Hoàn thành xuất sắc nhiệm vụ (A): 2 " in messages[0]
    assert "Không hoàn thành nhiệm vụ (D): 0 " in messages[0]


def test_people_without_a_level_are_counted_apart_from_the_rated():
    digest = unit("AB", rows=(row(1, "A"), row(2, "D"), row(3, None), row(4, None)))
    (message,) = digest_text(digest, "en")
    assert "Rated: 2 people" in message
    assert "Excellent completion of duties (A): 1 person (50%)" in message
    assert "Non-completion of duties (D): 1 person (50%)" in message
    assert "Not rated yet: 2 people" in message


def test_nobody_rated_yet():
    (message,) = digest_text(unit("", rows=(row(1, None),)), "en")
    assert "Nobody has been rated yet." in message
    assert "(A):" not in message


def test_a_year_is_titled_by_its_year():
    (message,) = digest_text(unit(period_code="2026"), "en")
    assert message.startswith(f"Rating results for 2026 — {UNIT}\n")


def test_an_unknown_level_or_period_is_refused():
    with pytest.raises(ValueError):
        digest_text(unit(rows=(row(1, "E"),)), "en")
    with pytest.raises(ValueError):
        digest_text(unit(period_code="11/2026"), "en")


def test_those_who_did_not_submit_are_named():
    names = ("Nguyễn Văn An", "Trần Thị Bích", "Lê Đức Cường")
    (message,) = digest_text(unit(not_submitted=names), "en")
    assert (
        "Did not submit the self-assessment: 3 people: "
        "Nguyễn Văn An, Trần Thị Bích, Lê Đức Cường" in message.splitlines()
    )
    (message,) = digest_text(unit(), "en")
    assert "Everyone has submitted the self-assessment." in message


def test_a_long_list_of_those_who_did_not_submit_is_cut_and_counted():
    names = tuple(f"Phạm Thị Thu Hương {n}" for n in range(300))
    message = digest_text(unit(not_submitted=names), "en")[0]
    (line,) = [x for x in message.splitlines() if x.startswith("Did not submit")]
    prefix = "Did not submit the self-assessment: 300 people: "
    assert line.startswith(prefix)
    listed, _, rest = line[len(prefix) :].partition(" … and ")
    shown = listed.split(", ")
    assert 0 < len(shown) < 300
    assert shown == list(names[: len(shown)])
    assert rest == f"{300 - len(shown)} more (the full list is in the Excel file)"


def test_a_large_unit_is_split_into_messages_without_losing_a_line():
    levels = "A" * 30 + "B" * 200 + "C" * 60 + "D" * 10
    names = tuple(f"Hoàng Văn Thái {n}" for n in range(150))
    warnings_ = tuple(
        f"W{n:03d} Nguyễn Thị Hằng {n}: nhiệm vụ không hoàn thành, chưa có giải trình "
        + "được chấp thuận; " * (n % 7 + 1)
        for n in range(300)
    )
    quota = tuple(f"Nhóm {n}: 5 đề xuất A, giữ 3" for n in range(40))
    digest = unit(levels, not_submitted=names, warnings=warnings_, quota_lines=quota)

    messages = digest_text(digest, "en")

    assert len(messages) > 3
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert all(m == m.strip("\n") for m in messages)
    assert "Excellent completion of duties (A): 30 people (10%)" in messages[0]
    assert "Non-completion of duties (D): 10 people (3.33%)" in messages[0]
    lines = [line for m in messages for line in m.splitlines()]
    assert [x for x in lines if x.startswith("• W")] == [f"• {w}" for w in warnings_]
    assert [x for x in lines if x.startswith("• Nhóm")] == [f"• {q}" for q in quota]
    assert lines.count("Warnings (300):") == 1
    for later in messages[1:]:
        first = later.splitlines()[0]
        assert first in (
            "Quota of level A:",
            "Quota of level A (continued):",
            "Warnings (300):",
            "Warnings (continued):",
        )
    # a heading never ends a message apart from its first line
    assert not any(m.endswith(":") for m in messages)


def test_messages_are_measured_as_telegram_does_emoji_counting_twice():
    warnings_ = tuple(f"⚠️{n} " + "🔥" * 100 for n in range(100))
    messages = digest_text(unit(warnings=warnings_), "en")
    assert all(len(m.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT for m in messages)
    assert max(len(m.encode("utf-16-le")) // 2 for m in messages) > MESSAGE_LIMIT * 0.9
    lines = [line for m in messages for line in m.splitlines()]
    assert [x for x in lines if x.startswith("• ⚠️")] == [f"• {w}" for w in warnings_]


def test_a_line_longer_than_a_message_is_cut_between_words():
    words = [f"từ{n}" for n in range(2500)]
    messages = digest_text(unit(warnings=(" ".join(words),)), "en")
    assert len(messages) >= 3
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    text = " ".join(messages)
    found = [w for w in text.split() if w.startswith("từ")]
    assert found == words


# -- chart ------------------------------------------------------------------------------


def test_the_chart_is_a_small_png():
    png = level_chart_png(unit())
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = imread(BytesIO(png))
    assert image.shape[:2] == (500, 800)
    assert image.std() > 0.05  # not a blank page


def test_the_chart_renders_vietnamese_with_no_missing_glyph():
    digest = unit(title="Phòng Tổ chức cán bộ — Sở Nội vụ tỉnh Quảng Ngãi")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph its font lacks
        png = level_chart_png(digest, "vi")
    assert png.startswith(b"\x89PNG")


def test_a_name_with_dollar_signs_is_plain_text_on_the_chart():
    title = r"Phòng $\frac{$ Kế hoạch $x$"  # mathtext that does not even parse
    png = level_chart_png(unit(title=title), "en")
    assert png.startswith(b"\x89PNG")
    (axes,) = _chart_figure(unit(title=title), "en").axes
    assert title in axes.get_title()


def test_the_chart_shows_the_count_of_each_level_and_its_official_name():
    figure = _chart_figure(unit("AABBBBBCCCD"), "en")
    (axes,) = figure.axes
    bars = axes.patches
    assert [bar.get_height() for bar in bars] == [2, 5, 3, 1]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["A", "B", "C", "D"]
    counts = [t.get_text() for t in axes.texts]
    assert counts == ["2", "5", "3", "1"]
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == LEVEL_NAMES_EN
    assert "11/2026" in axes.get_title() and UNIT in axes.get_title()
