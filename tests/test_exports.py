"""The exports of issue 11 on the demo organization's published year: `admin export` (the
ratings of a period or a year as Excel or CSV) and `admin audit` (the audit trail), read
back with openpyxl and the csv module and compared with the database."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.admin import main
from core.model import Level
from core.texts import level_name
from papers.exports import only_unit, ratings_csv, ratings_workbook
from papers.spreadsheet import looks_like_formula
from storage.db import transaction
from storage.exports import Decision, RatingRow, RatingsExport
from storage.models import (
    Organization,
    Period,
    Person,
    Result,
    Unit,
    YearRating,
)
from tests import test_year_demo
from tests.test_handover import REASON as HANDOVER_REASON
from tests.test_handover import notice
from tests.test_handover import setup as handover_setup
from tests.test_month import Month
from tests.test_month import at as month_at

# the demo's published year, built once for the module (the fixtures of test_year_demo)
ORG = test_year_demo.ORG
_published_year = test_year_demo._published_year
demo_year = test_year_demo.demo_year

NOW = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, after the year's publication
HEADER = 5  # the table's header row, under the agency's header


def admin(*args: str) -> int:
    return main(list(args), clock=lambda: NOW)


def table(sheet) -> dict[str, dict[str, object]]:
    """A unit sheet's rows by the person's ID, each {heading: value}."""
    headings = [c.value for c in sheet[HEADER]]
    rows = {}
    for values in sheet.iter_rows(min_row=HEADER + 1, values_only=True):
        row = dict(zip(headings, values, strict=True))
        rows[row["ID"]] = row
    return rows


def everyone(book) -> dict[str, dict[str, object]]:
    rows = {}
    for sheet in book.worksheets[1:]:
        rows |= table(sheet)
    return rows


def level(code: str | None, locale: str = "en") -> str | None:
    return level_name(Level(code), locale) if code else None


def stored(engine, model, **where):
    with Session(engine) as s:
        people = {p.id: p for p in s.exec(select(Person))}
        units = {u.id: u for u in s.exec(select(Unit))}
        query = select(model)
        if model is Result:
            query = query.join(Period).where(Period.code == where["period"])
        return {
            people[r.person_id].code: (r, units[people[r.person_id].unit_id]) for r in s.exec(query)
        }


def test_the_year_in_excel_holds_every_persons_scores_and_level(demo_year, tmp_path):
    out = tmp_path / "year.xlsx"
    assert admin("export", "--org", ORG, "--year", "2026", "--out", str(out), "--locale", "en") == 0
    book = load_workbook(out)
    ratings = stored(demo_year, YearRating)
    with Session(demo_year) as s:
        unit_names = sorted(u.name for u in s.exec(select(Unit)))
    assert book.sheetnames[0] == "Summary"
    assert sorted(book.sheetnames[1:]) == sorted(n[:31] for n in unit_names)
    rows = everyone(book)
    assert set(rows) == set(ratings) and len(rows) == 40
    for code, (rating, unit) in ratings.items():
        row = rows[code]
        assert row["Mean score"] == rating.score
        assert row["Proposed level"] == level(rating.computed_level)
        assert row["Final level"] == level(rating.level)
        assert row["Status"] == "Published"
        for period in rating.periods:
            month = period["period"]
            assert row[f"{month[5:]}/{month[:4]}"] == period["score"]
        assert book[unit.name[:31]] is not None and code in table(book[unit.name[:31]])
    rated = [r for r, _u in ratings.values() if r.level]
    assert any(isinstance(rows[c]["Mean score"], float) for c in rows)  # numbers, not texts

    # a sheet prints as the office hands it in
    sheet = book.worksheets[1]
    with Session(demo_year) as s:
        organization = s.exec(select(Organization).where(Organization.code == ORG)).one()
    assert sheet["A1"].value == organization.name.upper()
    assert "2026" in sheet["A2"].value and sheet["A3"].value == book.sheetnames[1]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$5:$5" and sheet.freeze_panes == "D6"
    assert sheet.auto_filter.ref.startswith("A5:")

    # the summary counts the levels of the rated, and the total is everyone's
    summary = book["Summary"]
    headings = [c.value for c in summary[HEADER]]
    lines = {
        r[0]: dict(zip(headings, r, strict=True))
        for r in summary.iter_rows(min_row=HEADER + 1, max_row=HEADER + 6, values_only=True)
    }
    total = lines["Total"]
    assert total["People"] == 40 and total["Rated"] == len(rated)
    for letter in "ABCD":
        assert total[level(letter)] == sum(1 for r in rated if r.level == letter)
    quota = [c.value for c in summary["A"] if c.value == "Quota of level A"]
    assert quota  # the quota's use follows the counts
    cells = [r for r in summary.iter_rows(values_only=True)]
    start = [r[0] for r in cells].index("Not rated") + 2  # its heading, then its table
    assert {r[1] for r in cells[start:]} == {c for c, (r, _u) in ratings.items() if not r.level}
    for _unit, code, _name, reason in (r[:4] for r in cells[start:]):  # and why
        reasons = ratings[code][0].reasons
        texts = [x["text"] for x in reasons.get("en") or reasons.get("vi") or []]
        assert reason == (texts[0] if texts else "No rated period in the year")


def test_the_month_in_excel_holds_the_score_breakdown_as_numbers(demo_year, tmp_path):
    out = tmp_path / "month.xlsx"
    assert (
        admin("export", "--org", ORG, "--period", "2026-11", "--out", str(out), "--locale", "en")
        == 0
    )
    book = load_workbook(out)
    rows = everyone(book)
    results = stored(demo_year, Result, period="2026-11")
    assert set(rows) == set(results)
    rated = 0
    for code, (result, _unit) in results.items():
        row = rows[code]
        assert row["Score"] == result.score
        assert row["Final level"] == level(result.level)
        assert row["Level by score"] == level(result.computed_level)
        if result.score is not None:
            rated += 1
            assert row["General criteria"] == result.breakdown["general"]
            assert row["a) Quantity"] == result.breakdown["a"]
            assert row["b) Quality"] == result.breakdown["b"]
            assert row["c) Progress"] == result.breakdown["c"]
            assert row["Task results"] == result.breakdown["tasks"]
            assert row["Self-assessment"] == "Submitted"
            assert row["Reasons"]  # the core's reasons, in the locale chosen
        else:
            assert row["Self-assessment"] == "Not begun" and row["Final level"] is None
    assert rated == 27
    # the summary names who is not rated, and why
    cells = list(book["Summary"].iter_rows(values_only=True))
    start = [r[0] for r in cells].index("Not rated") + 2
    why = {r[1]: r[3] for r in cells[start:]}
    assert set(why) == {c for c, (r, _u) in results.items() if not r.level}
    assert set(why.values()) == {"No self-assessment submitted"}


def test_the_csv_holds_the_same_numbers_with_a_unit_column(demo_year, tmp_path, capsys):
    out = tmp_path / "year.csv"
    assert admin("export", "--org", ORG, "--year", "2026", "--out", str(out), "--locale", "en") == 0
    summary = capsys.readouterr().err.splitlines()[-1]  # the progress's summary line
    assert summary == f"Exported, the year 2026: 40 people; units: 5; written to {out}."
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the diacritics
    lines = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    ratings = stored(demo_year, YearRating)
    assert len(lines) == len(ratings) == 40
    for line in lines:
        rating, unit = ratings[line["ID"]]
        assert line["Unit"] == unit.name
        assert (float(line["Mean score"]) if line["Mean score"] else None) == rating.score
        assert (line["Final level"] or None) == level(rating.level)


def test_one_unit_only(demo_year, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Session(demo_year) as s:
        vp = s.exec(select(Person).where(Person.code == "vp-03")).one()
        unit = s.get(Unit, vp.unit_id)
        members = {p.code for p in s.exec(select(Person).where(Person.unit_id == unit.id))}
    assert (
        admin("export", "--org", ORG, "--year", "2026", "--unit", unit.code, "--locale", "en") == 0
    )
    book = load_workbook(tmp_path / f"{ORG}-2026-{unit.code}.xlsx")
    assert len(book.sheetnames) == 2  # the summary and the unit's
    assert set(everyone(book)) == members
    assert (
        admin("export", "--org", ORG, "--period", "2026-11", "--unit", unit.code, "--format", "csv")
        == 0
    )
    lines = list(
        csv.reader(
            io.StringIO((tmp_path / f"{ORG}-2026-11-{unit.code}.csv").read_text("utf-8-sig"))
        )
    )
    assert {line[0] for line in lines[1:]} == {unit.name}  # the unit column first
    assert len(lines) - 1 == len(members)


def test_a_name_that_looks_like_a_formula_stays_a_text(demo_year, tmp_path):
    name = '=HYPERLINK("http://x","Bấm vào đây")'
    with transaction(demo_year) as s:
        person = s.exec(select(Person).where(Person.role == "staff")).first()
        person.full_name = name
        s.add(person)
        code = person.code
    xlsx, csv_file = tmp_path / "y.xlsx", tmp_path / "y.csv"
    assert (
        admin("export", "--org", ORG, "--year", "2026", "--out", str(xlsx), "--locale", "en") == 0
    )
    assert (
        admin("export", "--org", ORG, "--year", "2026", "--out", str(csv_file), "--locale", "en")
        == 0
    )
    book = load_workbook(xlsx)
    cells = [
        c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value == name
    ]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix
    line = next(r for r in csv.reader(io.StringIO(csv_file.read_text("utf-8-sig"))) if code in r)
    assert "'" + name in line


def test_the_vietnamese_export_names_the_levels_officially(demo_year, tmp_path):
    out = tmp_path / "nam.xlsx"
    assert admin("export", "--org", ORG, "--year", "2026", "--out", str(out)) == 0
    book = load_workbook(out)
    texts = {c.value for s in book.worksheets for row in s.iter_rows() for c in row}
    assert level_name(Level.GOOD, "vi") in texts
    assert book.sheetnames[0] == "Tổng hợp"
    assert "Mức xếp loại chính thức" in texts and "Căn cứ" in texts


def test_the_audit_trail_holds_the_changes_made_through_the_product(demo_year, tmp_path):
    file = tmp_path / "conclusions.csv"
    with Session(demo_year) as s:
        person = s.exec(select(Person).where(Person.code == "vp-04")).one()
        name = person.full_name
    file.write_text(
        "Mã,Họ và tên,Loại,Hình thức,Ngày,Nguồn,Hành vi vi phạm,Trong thi hành công vụ,"
        "Số quyết định,Ghi chú\n"
        f"vp-04,{name},Kỷ luật,Khiển trách,12/11/2026,Hành chính,Lưu trữ hồ sơ,Có,"
        "05/QĐ-SNV,\n",
        encoding="utf-8",
    )
    assert admin("import-conclusions", str(file), "--org", ORG) == 0
    out = tmp_path / "audit.xlsx"
    assert (
        admin("audit", "--org", ORG, "--period", "2026-11", "--out", str(out), "--locale", "en")
        == 0
    )
    sheet = load_workbook(out).active
    # the agency's header: the organization, then the title, each across the table
    with Session(demo_year) as s:
        organization = s.exec(select(Organization).where(Organization.code == ORG)).one().name
    assert sheet["A1"].value == organization.upper() and sheet["A1"].font.bold
    assert sheet["A2"].value == "AUDIT TRAIL OF THE RATING, MONTH 11/2026"
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:K1", "A2:K2"}
    headings = [c.value for c in sheet[HEADER]]
    rows = [
        dict(zip(headings, r, strict=True))
        for r in sheet.iter_rows(min_row=HEADER + 1, values_only=True)
    ]
    recorded = [r for r in rows if r["What"] == "Discipline decision"]
    assert len(recorded) == 1
    assert recorded[0]["Full name"] == name and recorded[0]["Field"] == "Recorded"
    assert recorded[0]["Reason"].startswith("import-conclusions conclusions.csv")
    assert recorded[0]["After"] == (
        "Kind of entry: Discipline decision; Date: 12/11/2026; Document number: 05/QĐ-SNV; "
        "Form: reprimand; Source: administrative discipline; Violation: Lưu trữ hồ sơ; "
        "In public duty: Yes"
    )
    # the month's classification run: each result's score and level, by the system
    results = stored(demo_year, Result, period="2026-11")
    levels = {
        r["ID"]: r["After"]
        for r in rows
        if r["What"] == "Result of the period" and r["Field"] == "Level"
    }
    for code, (result, _unit) in results.items():
        if result.level:
            assert levels[code] == level(result.level)
    assert {r["Changed by"] for r in rows if r["What"] == "Result of the period"} == {"the system"}
    assert all(isinstance(r["Time"], datetime) for r in rows)


def test_the_years_audit_trail_holds_the_runs_and_the_imported_scores(demo_year, tmp_path):
    scores = tmp_path / "transfers.csv"
    scores.write_text(
        'Mã,Kỳ,Điểm,Cơ quan cũ,Văn bản\nvp-05,2026-12,"92,5",UBND huyện A,CV 12\n', "utf-8"
    )
    assert admin("import-scores", str(scores), "--org", ORG) == 0
    out = tmp_path / "audit.csv"
    assert admin("audit", "--org", ORG, "--year", "2026", "--out", str(out), "--locale", "en") == 0
    lines = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    ratings = stored(demo_year, YearRating)
    levels = {
        line["ID"]: line["After"]
        for line in lines
        if line["What"] == "Annual rating" and line["Field"] == "Level"
    }
    for code, (rating, _unit) in ratings.items():
        if rating.level:
            assert levels[code] == level(rating.level)
    assert {line["Changed by"] for line in lines} == {"the system"}  # runs and an import
    imported = [line for line in lines if line["What"] == "Score sent by a previous agency"]
    assert [(i["ID"], i["Field"], i["After"], i["Reason"]) for i in imported] == [
        ("vp-05", "Score", "92.5", "import-scores transfers.csv:2")
    ]


@pytest.mark.parametrize(
    "args, says",
    [
        (["--org", "nowhere", "--year", "2026"], "nowhere"),
        (["--org", ORG, "--period", "2025-05"], "05/2025"),
        (["--org", ORG, "--period", "2026-13"], "2026-13"),
        (["--org", ORG, "--year", "2025"], "2025"),
        (["--org", ORG, "--year", "2026", "--unit", "no-such-unit"], "no-such-unit"),
    ],
)
def test_a_refusal_writes_nothing(demo_year, tmp_path, capsys, args, says):
    out = tmp_path / "x.xlsx"
    assert admin("export", *args, "--out", str(out)) == 2
    assert says in capsys.readouterr().err
    assert not out.exists()
    if "--unit" not in args:
        assert admin("audit", *args, "--out", str(out)) == 2
        assert not out.exists()


# -- the writers alone (papers/exports.py) ------------------------------------------------

TRAPS = {  # a text typed by someone: as the cell must keep it
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


def trapped() -> RatingsExport:
    rows = tuple(
        RatingRow(
            code=f"p{n}",
            full_name=text,
            role="staff",
            unit_code="u",
            unit_name="=Phòng\x07 X",
            group_name=text,
            score=-2.5,
            breakdown={"general": 28, "a": 1.0, "b": 0.875, "c": 1.0, "tasks": 67.08},
            computed_level="B",
            level="B",
            reasons=(text, "=1+1"),
            warnings=(text,),
            status="submitted",
            self_level="A",
            comment=None,
            head=Decision("return", comment=text, reviewer=text),
            director=None,
            published=True,
        )
        for n, text in enumerate(TRAPS, start=1)
    )
    return RatingsExport("=Sở\x07 Y", "so-y", "2026-11", (("u", "=Phòng\x07 X"),), rows, (), {}, {})


def test_every_typed_text_that_looks_like_a_formula_stays_a_text():
    data = ratings_workbook(trapped(), "en")  # no IllegalCharacterError
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[1]
    assert sheet["A3"].value == "=Phòng X" and sheet["A3"].data_type == "s"
    headings = [c.value for c in sheet[HEADER]]
    name, group = headings.index("Full name") + 1, headings.index("Group") + 1
    for n, kept in enumerate(TRAPS.values(), start=HEADER + 1):
        for cell in (sheet.cell(n, name), sheet.cell(n, group)):
            assert cell.value == kept and cell.data_type == "s", (cell.coordinate, kept)
            assert cell.quotePrefix == (kept.lstrip()[:1] in "=+-@"), cell.coordinate
        score = sheet.cell(n, headings.index("Score") + 1)
        assert score.value == -2.5 and score.data_type == "n"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(part).decode(), part  # not one formula
    lines = list(csv.reader(io.StringIO(ratings_csv(trapped(), "en").decode("utf-8-sig"))))
    names = [line[lines[0].index("Full name")] for line in lines[1:]]
    assert names == [("'" if looks_like_formula(k) else "") + k for k in TRAPS.values()]


def test_an_unknown_level_is_refused():
    data = replace(trapped(), rows=(replace(trapped().rows[0], level="X"),))
    with pytest.raises(ValueError):
        ratings_workbook(data, "en")


def test_a_unit_of_the_organizations_export():
    data = trapped()
    other = replace(data.rows[0], code="q1", unit_code="v", unit_name="Phòng khác")
    quota = ({"unit": "u", "group": "g"}, {"unit": "v", "group": "g"}, {"unit": None, "group": "h"})
    whole = replace(
        data, units=(*data.units, ("v", "Phòng khác")), rows=(*data.rows, other), quota=quota
    )
    assert only_unit(whole, "v").rows == (other,)
    assert only_unit(whole, "v").quota == quota[1:]  # its own lines and the organization's
    assert only_unit(whole, "v").units == (("v", "Phòng khác"),)
    book = load_workbook(io.BytesIO(ratings_workbook(whole, "en")))
    assert book.sheetnames == ["Summary", "=Phòng X", "Phòng khác"]


def test_a_reviewers_decision_in_the_chat_is_in_the_audit_trail(tmp_path, monkeypatch):
    m = Month(tmp_path)
    monkeypatch.setenv("DATABASE_URL", m.engine.url.render_as_string(hide_password=False))
    m.tick(month_at(26, 8))
    m.assess("a1")
    m.tick(month_at(30, 17))  # the deadline: the reviews
    head = m.chats["tp01"]
    head.now = month_at(1, 9, month=12)
    head.send("/review")
    assert "Xem xét: Trần Thị Mai" in head.text
    head.press("Trả lại để sửa")
    head.send("Đề nghị bổ sung sản phẩm của nhiệm vụ số 2")
    out = tmp_path / "audit.csv"
    code = main(
        ["audit", "--org", "so-noi-vu", "--period", "2026-11", "--out", str(out), "--locale", "en"],
        clock=lambda: month_at(1, 10, month=12),
    )
    assert code == 0
    lines = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    decision = [line for line in lines if line["Field"] == "Decision (Head)"]
    assert [
        (d["Changed by"], d["Full name"], d["What"], d["After"], d["Reason"], d["Time"])
        for d in decision
    ] == [
        (
            "Nguyễn Văn Hùng",
            "Trần Thị Mai",
            "Review",
            "Returned for correction",
            "Đề nghị bổ sung sản phẩm của nhiệm vụ số 2",
            "01/12/2026 09:00:00",
        )
    ]
    status = [
        line for line in lines if line["What"] == "Self-assessment" and line["Field"] == "Status"
    ]
    assert [(s["Before"], s["After"]) for s in status][-1] == (
        "Submitted",
        "Returned for correction",
    )
    tasks = [(x["Field"], x["After"]) for x in lines if x["What"] == "Task result"]
    assert ("Status", "Exceeded") in tasks and ("Status", "On time") in tasks
    own = [line for line in lines if line["Field"].startswith("General criterion: ")]
    assert own and {line["Changed by"] for line in own} == {"Trần Thị Mai"}


def test_a_task_handed_over_is_in_the_audit_trail_with_the_peoples_names(tmp_path, monkeypatch):
    engine, chats = handover_setup(tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    mai, head = chats["nv01"], chats["tp01"]
    mai.send("/plan")
    mai.press("Không đủ khả năng: nhiệm vụ 1")
    mai.send(HANDOVER_REASON)
    notice(engine, head, "tp01", "reported")
    head.press("Giao cho đồng chí khác")
    head.press("Lê Minh Tuấn")
    out = tmp_path / "audit.csv"
    assert main(["audit", "--org", "so-test", "--period", "2026-11", "--out", str(out)]) == 0
    lines = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    shown = [
        (x["Người thay đổi"], x["Họ và tên"], x["Đối tượng thay đổi"], x["Trước khi thay đổi"])
        + (x["Sau khi thay đổi"],)
        for x in lines
    ]
    with Session(engine) as s:
        head_name = s.exec(select(Person).where(Person.code == "tp01")).one().full_name
    assert ("Trần Thị Mai", "Trần Thị Mai", "Nhiệm vụ", "", HANDOVER_REASON) in shown
    assert (head_name, "Lê Minh Tuấn", "Nhiệm vụ", "Trần Thị Mai", "Lê Minh Tuấn") in shown
