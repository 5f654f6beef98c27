"""The leaders' digest: chat messages, the chart of levels and the results workbook.

The texts are checked in English (the source language); in Vietnamese only what does not
wait for the catalogue: names from the data and the official level names.
"""

from __future__ import annotations

import warnings
import zipfile
from io import BytesIO

import pytest
from matplotlib.image import imread
from openpyxl import load_workbook

from core.model import Level
from core.texts import level_name
from cycle.digests import (
    MESSAGE_LIMIT,
    DigestRow,
    UnitDigest,
    _chart_figure,
    digest_text,
    level_chart_png,
    results_workbook,
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
        "unit_name": UNIT,
        "group_name": "Chuyên viên",
        "score": 85.5,
        "breakdown": {"general": 28, "tasks": 56.5, "bonus": 2, "deductions": 1},
        "computed_level": level,
        "level": level,
        "reasons": (f"Lý do {n}",),
        "reward_vnd": 0,
        "submitted": True,
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
    with pytest.raises(ValueError):
        results_workbook(unit(rows=(row(1, "B", computed_level="X"),)), "en")


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


# -- workbook ---------------------------------------------------------------------------


def test_the_workbook_holds_the_results_as_numbers():
    rows = (
        row(
            1,
            "A",
            score=93.5,
            breakdown={"general": 28, "tasks": 66.5, "bonus": 2, "deductions": 3},
            computed_level="A",
            reasons=("Đạt 93,5 điểm.", "Tiêu biểu trong tháng."),
            reward_vnd=2_340_000,
        ),
        row(2, "B", score=88.25, computed_level="A", reasons=()),
        row(3, None, score=None, breakdown={}, submitted=False),
    )
    book = load_workbook(BytesIO(results_workbook(unit(rows=rows), "en")))
    assert book.sheetnames == ["Results", "Summary"]
    sheet = book["Results"]
    assert [c.value for c in sheet[1]] == [
        "No.",
        "ID",
        "Full name",
        "Unit",
        "Group",
        "Score",
        "General criteria",
        "Task results",
        "Bonus",
        "Deductions",
        "Level by score",
        "Final level",
        "Exemplary reward (VND)",
        "Reasons",
    ]
    assert [c.value for c in sheet[2]] == [
        1,
        "nv001",
        "Nguyễn Thị Hằng 1",
        UNIT,
        "Chuyên viên",
        93.5,
        28,
        66.5,
        2,
        3,
        "A",
        "A",
        2_340_000,
        "Đạt 93,5 điểm.\nTiêu biểu trong tháng.",
    ]
    assert all(c.data_type == "n" for c in sheet[2][5:10] + (sheet[2][12], sheet[2][0]))
    assert sheet["M2"].number_format == "#,##0"
    assert [c.value for c in sheet[3]][5:12] == [88.25, 28, 56.5, 2, 1, "A", "B"]
    assert [c.value for c in sheet[4]][5:13] == [None] * 7 + [0]
    assert sheet.max_row == 4
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N4"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["N"].width > sheet.column_dimensions["A"].width


def test_the_summary_sheet_counts_the_levels_and_lists_who_did_not_submit():
    missing = ("Đỗ Thị Lan", "Vũ Minh Quân")
    book = load_workbook(BytesIO(results_workbook(unit(not_submitted=missing), "en")))
    cells = [tuple(r) for r in book["Summary"].iter_rows(values_only=True)]
    by_label = {r[0]: r[1:] for r in cells if r[0] is not None}
    assert by_label["Excellent completion of duties (A)"][:2] == (2, 0.1)
    assert by_label["Good completion of duties (B)"][:2] == (15, 0.75)
    assert by_label["Completion of duties (C)"][:2] == (3, 0.15)
    assert by_label["Non-completion of duties (D)"][:2] == (0, 0)
    assert by_label["Total rated"][0] == 20
    assert by_label["Did not submit the self-assessment"][0] == 2
    start = cells.index(("No.", "Full name", None))
    assert cells[start + 1 :] == [(1, "Đỗ Thị Lan", None), (2, "Vũ Minh Quân", None)]


def test_the_vietnamese_workbook_keeps_the_names_and_the_official_levels():
    book = load_workbook(BytesIO(results_workbook(unit())))
    results, summary = book.worksheets
    assert results["C2"].value == "Nguyễn Thị Hằng 1"
    assert results["D2"].value == UNIT
    labels = [r[0] for r in summary.iter_rows(values_only=True)]
    assert labels[0].endswith(UNIT)
    for level in Level:
        assert level_name(level, "vi") in labels
    assert "Hoàn thành xuất sắc nhiệm vụ (A)" in labels


TRAPS = {
    '=HYPERLINK("http://example.com","x")': '=HYPERLINK("http://example.com","x")',
    "+1": "+1",
    "-2+3": "-2+3",
    "@SUM(A1)": "@SUM(A1)",
    "\t=1+1": "\t=1+1",
    " =1+1": " =1+1",
    "Lan\x07": "Lan",
    "Nguyễn\x07 Văn A\x1b": "Nguyễn Văn A",
    "#N/A": "#N/A",
}


def test_a_text_that_looks_like_a_formula_stays_a_text():
    rows = tuple(
        row(
            n,
            "B",
            code=text,
            full_name=text,
            unit_name=text,
            group_name=text,
            reasons=(text, "=1+1"),
            score=-2.5,
        )
        for n, text in enumerate(TRAPS, start=1)
    )
    digest = unit(rows=rows, title="=Phòng\x07 X", not_submitted=tuple(TRAPS))
    data = results_workbook(digest, "en")  # no IllegalCharacterError
    book = load_workbook(BytesIO(data))
    sheet = book["Results"]
    for n, kept in enumerate(TRAPS.values(), start=2):
        for cell in (sheet.cell(n, c) for c in (2, 3, 4, 5)):
            assert cell.value == kept and cell.data_type == "s", (cell.coordinate, kept)
            assert cell.quotePrefix == (kept.lstrip()[:1] in "=+-@"), cell.coordinate
        assert sheet.cell(n, 14).value == kept + "\n=1+1"
        assert sheet.cell(n, 14).data_type == "s"
        assert sheet.cell(n, 1).value == n - 1 and sheet.cell(n, 1).data_type == "n"
        assert sheet.cell(n, 6).value == -2.5 and sheet.cell(n, 6).data_type == "n"
    summary = book["Summary"]
    assert summary["A1"].value == "Rating results for month 11/2026 — =Phòng X"
    listed = [r[1] for r in summary.iter_rows() if isinstance(r[0].value, int)]
    assert [c.value for c in listed] == list(TRAPS.values())
    assert all(c.data_type == "s" for c in listed)
    assert book.properties.title == "Rating results for month 11/2026 — =Phòng X"
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode(), name  # not one formula
