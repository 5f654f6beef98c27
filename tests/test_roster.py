"""Roster import: CSV and Excel, Vietnamese headers and titles, all or nothing."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from storage.db import make_engine, migrate, transaction
from storage.models import Category, Organization, Person, Role, RoleGroup, Unit
from storage.roster import (
    MAX_PROBLEMS,
    RosterError,
    ensure_organization,
    import_roster,
    import_roster_file,
    parse_roster,
    read_roster,
    slugify,
)
from storage.roster import _cell_text as cell_text

HEADER = "id,full_name,unit,group,role,category,language"
GOOD = f"""{HEADER}
tccb-01,Nguyễn Văn Hùng,Phòng Tổ chức cán bộ,Lãnh đạo phòng,head,civil_servant,vi
tccb-02,Trần Thị Mai,Phòng Tổ chức cán bộ,Chuyên viên,staff,civil_servant,en
vp-01,Đỗ Minh Đức,Đội xe,Nhân viên,staff,contract_worker,
"""


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DATABASE_URL", url)  # the migration environment reads it first
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def write(tmp_path, text: str, name: str = "roster.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(engine, path, org: str = "so-test"):
    with transaction(engine) as session:
        organization, _ = ensure_organization(session, org, "Sở thử nghiệm")
        return import_roster_file(session, organization, path)


def people(engine) -> dict[str, Person]:
    with Session(engine) as session:
        return {p.code: p for p in session.exec(select(Person))}


def count(engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def problems_of(error: RosterError) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in error.problems]


# -- good files ----------------------------------------------------------------------


def test_good_csv_creates_people_with_their_units_and_groups(engine, tmp_path):
    summary = load(engine, write(tmp_path, GOOD))

    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    assert summary.units_created == ["Phòng Tổ chức cán bộ", "Đội xe"]
    with Session(engine) as session:
        units = {u.code: u.name for u in session.exec(select(Unit))}
        groups = {g.code for g in session.exec(select(RoleGroup))}
    assert units == {"phong-to-chuc-can-bo": "Phòng Tổ chức cán bộ", "doi-xe": "Đội xe"}
    assert groups == {"lanh-dao-phong", "chuyen-vien", "nhan-vien"}
    found = people(engine)
    assert found["tccb-01"].full_name == "Nguyễn Văn Hùng"
    assert found["tccb-01"].role is Role.HEAD
    assert found["tccb-02"].language == "en"
    assert found["vp-01"].language == "vi"  # the default
    assert found["vp-01"].category is Category.CONTRACT_WORKER


def test_semicolon_csv_with_bom_and_vietnamese_headers_and_titles(engine, tmp_path):
    text = (
        "Mã;Họ và tên;Đơn vị;Nhóm;Chức vụ;Loại;Ngôn ngữ\n"
        "gd;Lê Văn An;Ban Giám đốc;Lãnh đạo Sở;Giám đốc;Công chức;Tiếng Việt\n"
        "p1;Phạm Thị Bình;Văn phòng;Lãnh đạo phòng;Phó trưởng phòng;công chức;\n"
        "p2;Hoàng Văn Cường;Văn phòng;Lãnh đạo phòng;phó phòng;Công chức;\n"
        "t1;Vũ Thị Dung;Văn phòng;Lãnh đạo phòng;TRƯỞNG PHÒNG;Công chức;\n"
        "cv;Bùi Văn Em;Văn phòng;Chuyên viên;Chuyên viên;Viên chức;\n"
        "nv;Ngô Thị Phương;Văn phòng;Nhân viên;chuyen vien;Người lao động;\n"
    )
    load(engine, write(tmp_path, text, encoding="utf-8-sig"))

    found = people(engine)
    roles = {code: p.role for code, p in found.items()}
    assert roles == {
        "gd": Role.DIRECTOR,
        "p1": Role.DEPUTY,
        "p2": Role.DEPUTY,
        "t1": Role.HEAD,
        "cv": Role.STAFF,
        "nv": Role.STAFF,
    }
    assert found["gd"].full_name == "Lê Văn An"
    assert found["cv"].category is Category.PUBLIC_EMPLOYEE
    assert found["nv"].category is Category.CONTRACT_WORKER


def test_good_xlsx_reads_the_first_sheet(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Full name", "Unit", "Group", "Role", "Category", "Notes"])
    sheet.append(
        [101, "Nguyễn Thị Hoa", "Thanh tra Sở", "Chuyên viên", "staff", "civil_servant", "x"]
    )
    sheet.append([102, "Lý Văn Khoa", "Thanh tra Sở", "Lãnh đạo phòng", "head", "civil_servant"])
    book.create_sheet("ignored").append(["nothing", "here"])
    book.save(tmp_path / "roster.xlsx")

    summary = load(engine, tmp_path / "roster.xlsx")

    assert summary.created == 2
    found = people(engine)
    assert set(found) == {"101", "102"}  # whole numbers, not "101.0"
    assert found["102"].role is Role.HEAD
    with Session(engine) as session:
        assert [u.code for u in session.exec(select(Unit))] == ["thanh-tra-so"]


def test_a_number_cell_reads_as_the_id_typed():
    assert [cell_text(v) for v in (101, 101.0, 1.5, None, " a\u200b ")] == [
        "101",
        "101",
        "1.5",
        "",
        "a",
    ]


def test_units_are_coded_by_their_name_without_diacritics():
    assert slugify("Phòng Tổ chức cán bộ") == "phong-to-chuc-can-bo"
    assert slugify("Đ") == "d"
    assert slugify("  Văn phòng Sở  ") == "van-phong-so"
    assert slugify("Phòng Tổ chức, biên chế và tổ chức phi chính phủ") == (
        "phong-to-chuc-bien-che-va-to-chuc-phi-chinh-phu"
    )


# -- bad rows: reported by line, nothing imported ------------------------------------


def test_a_bad_row_is_reported_by_its_line_and_nothing_is_imported(engine, tmp_path):
    load(engine, write(tmp_path, GOOD))
    before = people(engine)
    text = (
        f"{HEADER}\n"
        "tccb-01,Nguyễn Văn Hùng,Phòng mới,Lãnh đạo phòng,staff,civil_servant,vi\n"
        "new-01,Người Mới,Phòng mới,Chuyên viên,staff,civil_servant,vi\n"
        "\n"  # a blank line in the middle is skipped, and still counted
        "new-02,Người Sai,Phòng mới,Chuyên viên,thủ trưởng,civil_servant,vi\n"
    )

    with pytest.raises(RosterError) as raised:
        load(engine, write(tmp_path, text, "bad.csv"))

    assert problems_of(raised.value) == [(5, "role")]
    assert raised.value.problems[0].params == {"value": "thủ trưởng"}
    assert people(engine) == before  # neither the update nor the new people
    assert count(engine, Person) == 3
    assert count(engine, Unit) == 2  # "Phòng mới" not created


def test_every_problem_of_the_file_is_collected(tmp_path):
    text = (
        f"{HEADER}\n"
        "a1,Nguyễn Văn A,Văn phòng,Chuyên viên,staff,civil_servant,vi\n"
        ",Trần Văn B,Văn phòng,Chuyên viên,staff,civil_servant,vi\n"
        "a1,Lê Văn C,Văn phòng,Chuyên viên,staff,civil_servant,vi\n"
        f"{'x' * 33},Phạm Văn D,Văn phòng,Chuyên viên,staff,civil_servant,vi\n"
        "a5,Hoàng Văn E,,Chuyên viên,staff,công nhân,fr\n"
        "a 6,Vũ Văn G,Văn phòng,Chuyên viên,staff,civil_servant\n"
        "a7,Đặng Văn H,Văn phòng,Chuyên viên,staff,civil_servant,vi,extra\n"
    )

    with pytest.raises(RosterError) as raised:
        read_roster(write(tmp_path, text))

    assert problems_of(raised.value) == [
        (3, "id"),  # missing
        (4, "id"),  # already on line 2
        (5, "id"),  # too long
        (6, "unit"),  # missing
        (6, "category"),  # unknown
        (6, "language"),  # unknown
        (7, "id"),  # a space
        (8, None),  # more cells than the header
    ]
    assert raised.value.problems[1].params["other"] == "2"
    assert raised.value.total == 8


def test_problems_beyond_twenty_are_counted_not_listed(tmp_path):
    rows = [f"p{i},Nguyễn Văn {i},Văn phòng,Chuyên viên,boss,civil_servant,vi" for i in range(25)]
    with pytest.raises(RosterError) as raised:
        read_roster(write(tmp_path, "\n".join([HEADER, *rows])))
    assert len(raised.value.problems) == MAX_PROBLEMS == 20
    assert raised.value.total == 25
    assert raised.value.problems[-1].line == 21


def test_a_quoted_value_over_two_lines_keeps_the_line_numbers_true(tmp_path):
    text = (
        f"{HEADER}\n"
        '"q1","Nguyễn\nVăn Quang",Văn phòng,Chuyên viên,staff,civil_servant,vi\n'
        "q2,Trần Văn R,Văn phòng,Chuyên viên,nobody,civil_servant,vi\n"
    )
    with pytest.raises(RosterError) as raised:
        read_roster(write(tmp_path, text))
    assert problems_of(raised.value) == [(4, "role")]


def test_a_bad_row_of_a_workbook_is_reported_by_its_sheet_row(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã", "Họ và tên", "Đơn vị", "Nhóm", "Chức vụ", "Loại"])
    sheet.append(["a1", "Nguyễn Văn A", "Văn phòng", "Chuyên viên", "Chuyên viên", "Công chức"])
    sheet.append([])
    sheet.append(["a2", "Trần Văn B", "Văn phòng", "Chuyên viên", "Chuyên viên", ""])
    book.save(tmp_path / "roster.xlsx")

    with pytest.raises(RosterError) as raised:
        read_roster(tmp_path / "roster.xlsx")
    assert problems_of(raised.value) == [(4, "Loại")]


def test_a_title_above_the_header_is_skipped(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC THÁNG 11"])
    sheet.append([])
    sheet.append(["STT", "Mã", "Họ và tên", "Đơn vị", "Nhóm", "Chức vụ", "Loại"])
    sheet.append([1, "a1", "Nguyễn Văn A", "Văn phòng", "Chuyên viên", "Chuyên viên", "Công chức"])
    sheet.append([2, "a2", "Trần Văn B", "Văn phòng", "Chuyên viên", "Tạp vụ", "Công chức"])
    book.save(tmp_path / "roster.xlsx")

    with pytest.raises(RosterError) as raised:
        read_roster(tmp_path / "roster.xlsx")
    assert problems_of(raised.value) == [(5, "Chức vụ")]

    sheet.delete_rows(5)
    book.save(tmp_path / "roster.xlsx")
    assert load(engine, tmp_path / "roster.xlsx").created == 1
    assert set(people(engine)) == {"a1"}


# -- broken files: one clear error ---------------------------------------------------


def test_a_broken_xlsx_is_one_error_and_nothing_is_imported(engine, tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook at all")
    with pytest.raises(RosterError) as raised:
        load(engine, tmp_path / "broken.xlsx")
    assert [p.message for p in raised.value.problems] == [
        "The file is not a valid Excel (.xlsx) workbook."
    ]
    assert count(engine, Person) == 0
    assert count(engine, Organization) == 0  # the transaction was rolled back whole


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "roster.csv", "The file is empty."),
        (b"\n\n  \n", "roster.csv", "The file is empty."),
        (HEADER.encode() + b"\n", "roster.csv", "The file has a header but no people."),
        (GOOD.encode(), "roster.xlsx", "The file is not a valid Excel (.xlsx) workbook."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "roster.xls", "This is an old Excel"),
        (b"M\xe3,T\xean\n", "roster.csv", "The file is not UTF-8 text"),
        (b"\x7fELF\x00\x01\x02", "roster.csv", "The file is neither a CSV file"),
    ],
)
def test_a_file_that_is_no_roster_gives_one_clear_error(data, name, message):
    with pytest.raises(RosterError) as raised:
        parse_roster(data, name)
    assert len(raised.value.problems) == 1
    assert raised.value.problems[0].message.startswith(message)


def test_missing_header_columns_are_named(tmp_path):
    with pytest.raises(RosterError) as raised:
        read_roster(write(tmp_path, "id;name;unit\na;Nguyễn Văn A;Văn phòng\n"))
    (problem,) = raised.value.problems
    assert problem.line == 1
    assert list(problem.params["columns"]) == ["group", "role", "category"]


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(RosterError) as raised:
        read_roster(tmp_path / "nowhere.csv")
    assert raised.value.problems[0].message.startswith("File not found")


# -- importing again -----------------------------------------------------------------


def test_a_second_import_updates_and_leaves_the_missing_alone(engine, tmp_path):
    load(engine, write(tmp_path, GOOD))
    text = (
        f"{HEADER}\n"
        "tccb-01,Nguyễn Văn Hùng,Phòng Tổ chức cán bộ,Lãnh đạo phòng,head,civil_servant,vi\n"
        "tccb-02,Trần Thị Mai,Thanh tra Sở,Lãnh đạo phòng,deputy,civil_servant,en\n"
        "tt-01,Lê Văn Tâm,Thanh tra Sở,Chuyên viên,staff,civil_servant,vi\n"
    )

    summary = load(engine, write(tmp_path, text, "again.csv"))

    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert summary.units_created == ["Thanh tra Sở"]
    assert summary.not_in_file == ["vp-01"]
    found = people(engine)
    assert set(found) == {"tccb-01", "tccb-02", "tt-01", "vp-01"}
    assert found["tccb-02"].role is Role.DEPUTY
    assert found["vp-01"].active  # not in the file: left alone
    with Session(engine) as session:
        unit = session.get(Unit, found["tccb-02"].unit_id)
    assert unit.code == "thanh-tra-so"


def test_the_same_file_twice_changes_nothing(engine, tmp_path):
    path = write(tmp_path, GOOD)
    load(engine, path)
    summary = load(engine, path)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert summary.units_created == summary.groups_created == []
    assert count(engine, Person) == 3


def test_a_file_without_languages_keeps_the_peoples_language(engine, tmp_path):
    load(engine, write(tmp_path, GOOD))
    text = (
        "id,full_name,unit,group,role,category\n"
        "tccb-02,Trần Thị Mai,Phòng Tổ chức cán bộ,Chuyên viên,staff,civil_servant\n"
    )
    summary = load(engine, write(tmp_path, text, "nolang.csv"))
    assert summary.unchanged == 1
    assert people(engine)["tccb-02"].language == "en"


def test_people_of_another_organization_are_not_touched(engine, tmp_path):
    load(engine, write(tmp_path, GOOD), org="so-a")
    summary = load(engine, write(tmp_path, GOOD), org="so-b")
    assert summary.created == 3 and summary.not_in_file == []
    assert count(engine, Person) == 6


def test_progress_is_reported_while_writing(engine, tmp_path):
    rows = [
        f"p{i:04d},Nguyễn Văn {i},Văn phòng,Chuyên viên,staff,civil_servant," for i in range(450)
    ]
    calls = []
    with transaction(engine) as session:
        organization, _ = ensure_organization(session, "so-big")
        import_roster(
            session,
            organization,
            read_roster(write(tmp_path, "\n".join([HEADER, *rows]))),
            lambda done, total: calls.append((done, total)),
        )
    assert calls == [(200, 450), (400, 450), (450, 450)]
