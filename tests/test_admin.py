"""Invite codes and the administrator's command line (`python -m bot admin`)."""

from __future__ import annotations

import csv
import hashlib
import os
import shlex
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, func, select

from bot.admin import main
from storage import invites
from storage.db import ROOT, make_engine, migrate, transaction
from storage.demo import load_demo
from storage.models import (
    AuditLog,
    Identity,
    InviteCode,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Role,
    RoleGroup,
    Task,
    Unit,
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
ROSTER = """id,full_name,unit,group,role,category
tccb-01,Nguyễn Văn Hùng,Phòng Tổ chức cán bộ,Lãnh đạo phòng,head,civil_servant
tccb-02,Trần Thị Mai,Phòng Tổ chức cán bộ,Chuyên viên,staff,civil_servant
tt-01,Lê Văn Tâm,Thanh tra Sở,Chuyên viên,staff,civil_servant
"""


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def engine(url):
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def org(engine, tmp_path):
    """The roster above imported into "so-test" through the command line."""
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert main(["import-roster", str(tmp_path / "roster.csv"), "--org", "so-test"]) == 0
    return "so-test"


def person(engine, code: str) -> Person:
    with Session(engine) as session:
        return session.exec(select(Person).where(Person.code == code)).one()


def count(engine, table, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table).where(*where)).one()


def issue(engine, code: str, now: datetime = NOW, days: int = 14) -> str:
    with transaction(engine) as session:
        return invites.issue(session, person(engine, code), days, now)[0]


def redeem(engine, code: str, now: datetime = NOW) -> Person | None:
    with transaction(engine) as session:
        return invites.redeem(session, code, now)


def check(engine, code: str, now: datetime = NOW) -> Person | None:
    with Session(engine) as session:
        return invites.check(session, code, now)


# -- invite codes --------------------------------------------------------------------


def test_a_code_is_eight_unambiguous_characters_and_only_its_hash_is_stored(engine, org):
    code = issue(engine, "tccb-02")

    assert len(code) == 8
    assert not set(code) & set("0O1IL")
    assert set(code) <= set(invites.ALPHABET)
    with Session(engine) as session:
        (stored,) = session.exec(select(InviteCode)).all()
    assert stored.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in stored.code_hash
    assert stored.expires_at == NOW + timedelta(days=14)


def test_a_valid_code_names_its_person(engine, org):
    code = issue(engine, "tccb-02")
    assert check(engine, code).code == "tccb-02"
    assert check(engine, "ZZZZZZZZ") is None
    assert check(engine, "short") is None


def test_a_code_works_once(engine, org):
    code = issue(engine, "tccb-02")
    assert redeem(engine, code).code == "tccb-02"
    assert redeem(engine, code) is None
    assert check(engine, code) is None
    with Session(engine) as session:
        assert session.exec(select(InviteCode)).one().used_at == NOW


def test_a_code_expires_after_its_days(engine, org):
    code = issue(engine, "tccb-02", days=14)
    assert check(engine, code, NOW + timedelta(days=14) - timedelta(seconds=1)) is not None
    assert check(engine, code, NOW + timedelta(days=14)) is None
    assert redeem(engine, code, NOW + timedelta(days=15)) is None


def test_codes_are_case_insensitive_with_spaces_and_dashes(engine, org):
    code = issue(engine, "tccb-02")
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    assert check(engine, typed).code == "tccb-02"
    assert redeem(engine, f"{code[:4]} {code[4:]}".lower()).code == "tccb-02"


def test_a_new_code_replaces_the_older_unused_one(engine, org):
    first = issue(engine, "tccb-02")
    second = issue(engine, "tccb-02")
    other = issue(engine, "tt-01")
    assert check(engine, first) is None
    assert check(engine, second).code == "tccb-02"
    assert check(engine, other).code == "tt-01"  # another person's code is kept


def test_an_inactive_persons_code_does_not_work(engine, org):
    code = issue(engine, "tccb-02")
    with transaction(engine) as session:
        session.get(Person, person(engine, "tccb-02").id).active = False
    assert redeem(engine, code) is None


def test_deep_link():
    assert invites.deep_link("@DanhGiaBot", "abcd-efgh") == (
        "https://t.me/DanhGiaBot?start=ABCDEFGH"
    )


# -- the command line ----------------------------------------------------------------


def test_init_db_creates_the_tables(url, tmp_path, capsys):
    assert main(["init-db"]) == 0
    assert "admin.db" in capsys.readouterr().out
    engine = make_engine(url)
    assert count(engine, Organization) == 0
    engine.dispose()


def test_import_roster_creates_the_organization_and_summarizes(url, tmp_path, capsys):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    code = main(
        [
            "import-roster",
            str(tmp_path / "roster.csv"),
            "--org",
            "so-test",
            "--org-name",
            "Sở Thử nghiệm",
            "--weights",
            "--locale",
            "en",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Organization created: Sở Thử nghiệm (so-test)." in out
    assert "3 people read; 3 created, 0 updated, 0 unchanged." in out
    assert "Units created: Phòng Tổ chức cán bộ, Thanh tra Sở." in out
    engine = make_engine(url)
    with Session(engine) as session:
        organization = session.exec(select(Organization)).one()
    assert organization.uses_weights
    assert count(engine, Person) == 3
    engine.dispose()


def test_a_large_import_shows_its_progress_on_stderr_and_ends_with_its_summary(
    url, tmp_path, capsys
):
    lines = [
        f"nv{n:04d},Người Số {n},Phòng {n % 7},Chuyên viên,staff,civil_servant" for n in range(450)
    ]
    (tmp_path / "roster.csv").write_text(
        "id,full_name,unit,group,role,category\n" + "\n".join(lines), encoding="utf-8"
    )
    assert main(["import-roster", str(tmp_path / "roster.csv"), "--org", "so-lon"]) == 0
    captured = capsys.readouterr()
    progress = captured.err.splitlines()
    assert progress[-1] == "Nhập danh sách nhân sự: 450/450 (100%)", progress
    assert 2 <= len(progress) <= 11  # a line per tenth at most, outside a terminal
    assert "đã đọc 450 người; thêm mới 450" in captured.out  # the summary, on stdout
    codes = tmp_path / "codes.csv"
    assert main(["--locale", "en", "invite", "--all", "--org", "so-lon", "--out", str(codes)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[-1] == "Issuing the codes: 450/450 (100%)"
    assert "450 codes issued" in captured.out


def test_import_roster_of_a_bad_file_exits_2_with_line_numbers(engine, org, tmp_path, capsys):
    capsys.readouterr()
    bad = ROSTER.replace("tt-01,Lê Văn Tâm", "tt-01,") + "new-1,Ngô Văn Mới,Văn phòng,X,cook,x\n"
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")

    code = main(["--locale", "en", "import-roster", str(tmp_path / "bad.csv"), "--org", "so-test"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "nothing was changed" in captured.err
    assert "line 4, column “full_name”: The full name is missing." in captured.err
    assert "line 5, column “role”: Unknown role “cook”" in captured.err
    assert "line 5, column “category”" in captured.err
    assert count(engine, Person) == 3
    assert count(engine, Unit) == 2


def test_a_bad_file_for_a_new_organization_creates_nothing(url, tmp_path, capsys):
    (tmp_path / "roster.xlsx").write_bytes(b"not a workbook")
    assert main(["import-roster", str(tmp_path / "roster.xlsx"), "--org", "so-new"]) == 2
    assert capsys.readouterr().err
    migrate(url)
    engine = make_engine(url)
    assert count(engine, Organization) == 0
    engine.dispose()


def test_invite_prints_the_codes_and_writes_a_csv_excel_can_read(engine, org, tmp_path, capsys):
    capsys.readouterr()
    out_file = tmp_path / "codes.csv"
    args = ["invite", "--org", org, "tccb-02", "tt-01", "--out", str(out_file)]
    code = main([*args, "--bot-username", "DanhGiaBot", "--locale", "en"])

    printed = capsys.readouterr().out
    assert code == 0
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM
    with out_file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["ID"] for r in rows] == ["tccb-02", "tt-01"]
    assert rows[0]["Full name"] == "Trần Thị Mai"
    assert rows[1]["Unit"] == "Thanh tra Sở"
    for row in rows:
        assert row["Code"] in printed
        assert row["Link"] == f"https://t.me/DanhGiaBot?start={row['Code']}"
        assert check(engine, row["Code"], datetime.now(UTC)).code == row["ID"]
    assert count(engine, InviteCode) == 2


def test_invite_all_to_an_excel_file(engine, org, tmp_path):
    out_file = tmp_path / "codes.xlsx"
    assert main(["invite", "--org", org, "--all", "--days", "3", "--out", str(out_file)]) == 0
    sheet = load_workbook(out_file).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == ["tccb-01", "tccb-02", "tt-01"]
    with Session(engine) as session:
        expiries = [i.expires_at - i.created_at for i in session.exec(select(InviteCode))]
    assert expiries == [timedelta(days=3)] * 3


def test_invite_only_the_unregistered(engine, org, tmp_path, capsys):
    with transaction(engine) as session:
        session.add(
            Identity(
                person_id=person(engine, "tccb-01").id,
                platform="telegram",
                user_id="1",
                chat_id="1",
            )
        )
    out_file = tmp_path / "codes.csv"
    args = ["invite", "--org", org, "--all", "--unregistered", "--out", str(out_file)]
    assert main(args) == 0
    text = out_file.read_text(encoding="utf-8-sig")
    assert "tccb-01" not in text and "tccb-02" in text


@pytest.mark.parametrize(
    "args",
    [
        ["invite", "--org", "so-test"],  # nobody named
        ["invite", "--org", "so-test", "tccb-02", "nobody"],  # an unknown id
        ["invite", "--org", "so-test", "tccb-02", "--all"],
        ["invite", "--org", "so-test", "--all", "--days", "0"],
        ["invite", "--org", "so-test", "--all", "--bot-username", "not a name"],
        ["invite", "--org", "so-missing", "--all"],
        ["people", "--org", "so-missing"],
        ["no-such-command"],
    ],
)
def test_refusals_exit_2_and_issue_nothing(engine, org, tmp_path, capsys, args):
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "x.csv")] if args[0] == "invite" else args) == 2
    assert capsys.readouterr().err
    assert count(engine, InviteCode) == 0
    assert not (tmp_path / "x.csv").exists()


def test_an_unwritable_output_issues_no_code(engine, org, tmp_path, capsys):
    out_file = tmp_path / "missing-folder" / "codes.csv"
    assert main(["invite", "--org", org, "--all", "--out", str(out_file)]) == 2
    assert count(engine, InviteCode) == 0


def test_people_lists_units_roles_and_platforms(engine, org, capsys):
    with transaction(engine) as session:
        for platform in ("telegram", "console"):
            session.add(
                Identity(
                    person_id=person(engine, "tt-01").id,
                    platform=platform,
                    user_id="7",
                    chat_id="7",
                )
            )
    capsys.readouterr()

    assert main(["people", "--org", org, "--locale", "en"]) == 0

    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith(("tccb", "tt"))}
    assert set(lines) == {"tccb-01", "tccb-02", "tt-01"}
    assert "Phòng Tổ chức cán bộ" in lines["tccb-01"] and "Head" in lines["tccb-01"]
    assert "Lãnh đạo phòng" in lines["tccb-01"]
    assert lines["tt-01"].endswith("console, telegram")
    assert lines["tccb-02"].endswith("—")
    assert "3 people, 1 registered." in out


def test_the_texts_are_vietnamese_by_default(engine, org, capsys, monkeypatch):
    import bot.admin

    locales = set()

    def spy(message, params, locale):
        locales.add(locale)
        return message.format(**params)

    monkeypatch.setattr(bot.admin, "render", spy)
    monkeypatch.delenv("DEFAULT_LANGUAGE", raising=False)
    assert main(["people", "--org", org]) == 0
    assert locales == {"vi"}
    locales.clear()
    assert main(["people", "--org", org, "--locale", "en"]) == 0
    assert locales == {"en"}
    locales.clear()
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")  # the bot's setting is the default
    assert main(["people", "--org", org]) == 0
    assert locales == {"en"}


def test_the_module_runs_as_a_program(url, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot.admin", "--locale", "en", "init-db"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("The database is ready")


# -- the demo ------------------------------------------------------------------------


def demo_counts(engine) -> dict[str, int]:
    return {
        table.__name__: count(engine, table)
        for table in (Organization, Unit, RoleGroup, Person, Period, Task)
    }


def test_demo_twice_changes_nothing(url, capsys):
    assert main(["demo", "--locale", "en"]) == 0
    assert "so-noi-vu-demo" in capsys.readouterr().out
    engine = make_engine(url)
    first = demo_counts(engine)
    assert main(["demo"]) == 0
    assert demo_counts(engine) == first
    assert first["Organization"] == 1
    assert first["Unit"] == 5
    assert 35 <= first["Person"] <= 45
    assert first["Period"] == 1
    engine.dispose()


def test_demo_month_is_open_until_17_00_of_its_last_day(engine):
    organization = load_demo(engine, date(2027, 2, 10))
    load_demo(engine, date(2027, 2, 20))
    with Session(engine) as session:
        (period,) = session.exec(select(Period)).all()
        tasks = session.exec(select(Task)).all()
        staff = session.exec(select(Person).where(Person.role == Role.STAFF)).all()
        leaders = session.exec(select(Person).where(Person.role != Role.STAFF)).all()
    assert organization.code == "so-noi-vu-demo"
    assert organization.name == "Sở Nội vụ tỉnh Hưng Yên (demo)"
    assert period.code == "2027-02"
    assert period.status is PeriodStatus.OPEN
    assert period.deadline == datetime(2027, 2, 28, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội
    assert {t.person_id for t in tasks} == {p.id for p in staff}
    assert not {t.person_id for t in tasks} & {p.id for p in leaders}
    per_person = [sum(t.person_id == p.id for t in tasks) for p in staff]
    assert min(per_person) >= 3 and max(per_person) <= 5
    assert all(t.deadline.year == 2027 and t.deadline.month == 2 for t in tasks)
    assert max(t.deadline for t in tasks) == date(2027, 2, 28)  # the 31st is clamped


def test_demo_roster_has_its_leaders_and_tasks_due_within_the_month(engine):
    load_demo(engine, date(2026, 11, 22))
    with Session(engine) as session:
        roles = {}
        for p in session.exec(select(Person)):
            unit = session.get(Unit, p.unit_id).code
            roles.setdefault(unit, []).append(p.role.value)
        groups = {g.code for g in session.exec(select(RoleGroup))}
        last_deadline = max(t.deadline for t in session.exec(select(Task)))
    assert roles["ban-giam-doc"].count("director") == 1
    for unit, unit_roles in roles.items():
        if unit != "ban-giam-doc":
            assert unit_roles.count("head") == 1, unit
            assert 1 <= unit_roles.count("deputy") <= 2, unit
    assert groups == {"lanh-dao-so", "lanh-dao-phong", "chuyen-vien", "nhan-vien"}
    assert last_deadline == date(2026, 11, 30)


# -- exports are not formulas ---------------------------------------------------------

# Texts typed by people that a spreadsheet would read as formulas, and one with a control
# character: (id, full name, unit, the name and unit as the .xlsx keeps them).
TRAPS = [
    ("f-01", '=HYPERLINK("http://x","y")', "+1 Phòng", '=HYPERLINK("http://x","y")', "+1 Phòng"),
    ("f-02", "+1", "-2+3", "+1", "-2+3"),
    ("f-03", "-2+3", "@SUM(A1)", "-2+3", "@SUM(A1)"),
    ("f-04", "@SUM(A1)", " =1+1 Phòng", "@SUM(A1)", "=1+1 Phòng"),
    ("f-05", "Lan\x07", "Phòng\x1b Một", "Lan", "Phòng Một"),
    ("f-06", "Nguyễn\x07 Văn A", "Văn phòng", "Nguyễn Văn A", "Văn phòng"),
]


@pytest.fixture
def traps(engine, tmp_path):
    """A roster of the texts above, imported through the command line into "so-traps"."""
    with (tmp_path / "traps.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "full_name", "unit", "group", "role", "category"])
        for code, name, unit, _name, _unit in TRAPS:
            writer.writerow([code, name, unit, "Chuyên viên", "staff", "civil_servant"])
    assert main(["import-roster", str(tmp_path / "traps.csv"), "--org", "so-traps"]) == 0
    return "so-traps"


def test_invite_csv_cells_that_look_like_formulas_start_with_an_apostrophe(engine, traps, tmp_path):
    out_file = tmp_path / "codes.csv"
    args = ["invite", "--org", traps, "--all", "--out", str(out_file), "--locale", "en"]
    assert main([*args, "--bot-username", "DanhGiaBot"]) == 0

    with out_file.open(encoding="utf-8-sig", newline="") as f:
        rows = {row["ID"]: row for row in csv.DictReader(f)}
    assert set(rows) == {code for code, *_ in TRAPS}
    for code, _name, _unit, name, unit in TRAPS:
        for cell, text in ((rows[code]["Full name"], name), (rows[code]["Unit"], unit)):
            if text.lstrip()[:1] in "=+-@":
                assert cell == "'" + text, code
            else:
                assert cell == text, code
        assert rows[code]["Link"].startswith("https://t.me/DanhGiaBot?start=")
    assert rows["f-01"]["Full name"] == '\'=HYPERLINK("http://x","y")'
    assert rows["f-04"]["Unit"] == "'=1+1 Phòng"  # spaces before "=" do not help
    assert rows["f-06"]["Full name"] == "Nguyễn Văn A"  # the control character is gone
    assert all(c not in out_file.read_text(encoding="utf-8-sig") for c in "\x07\x1b")


def test_invite_xlsx_keeps_texts_that_look_like_formulas_as_strings(engine, traps, tmp_path):
    out_file = tmp_path / "codes.xlsx"
    assert main(["invite", "--org", traps, "--all", "--out", str(out_file)]) == 0  # no crash

    sheet = load_workbook(out_file).active
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {code for code, *_ in TRAPS}
    for code, _name, _unit, name, unit in TRAPS:
        for cell, text in ((rows[code][1], name), (rows[code][2], unit)):
            assert cell.data_type == "s", (code, cell.value)
            assert cell.value == text
            # Excel's hidden apostrophe: the text stays a text when the cell is edited
            assert cell.quotePrefix == (text.lstrip()[:1] in "=+-@")
    with zipfile.ZipFile(out_file) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()  # no formula


def test_csv_and_xlsx_texts_are_neutralised_by_one_rule():
    from papers.spreadsheet import csv_value, xlsx_cell

    sheet = Workbook().active
    cases = {
        "=1+1": "'=1+1",
        "+84 912": "'+84 912",
        "-": "'-",
        "@x": "'@x",
        "\t=1+1": "'\t=1+1",
        "\r=1": "'\r=1",
        "\x00=1": "'=1",
        "Lan\x07": "Lan",
        "Nguyễn Văn A": "Nguyễn Văn A",
        "a=b": "a=b",
        "Dòng 1\nDòng 2": "Dòng 1\nDòng 2",
        "#N/A": "#N/A",
        "": "",
    }
    for text, in_csv in cases.items():
        assert csv_value(text) == in_csv, text
        cell = xlsx_cell(sheet["A1"], text)
        assert cell.data_type == "s" and cell.value == in_csv.removeprefix("'"), text
    for number in (-2, 3.5, 0):  # numbers stay numbers
        assert csv_value(number) == number
        assert xlsx_cell(sheet["A1"], number).data_type == "n"
    assert csv_value(None) is None


# -- a huge cell in a roster ----------------------------------------------------------

HUGE = "Nguyễn Văn " * 20_000  # 220,000 characters: over the csv module's 131,072


def huge_roster(tmp_path, suffix: str, column: int, title: str = "") -> str:
    """A roster whose third line has HUGE in `column` (0-based), as CSV or .xlsx."""
    header = ["Mã", "Họ và tên", "Đơn vị", "Nhóm", "Chức vụ", "Loại", "Ghi chú"]
    rows = [
        ["nv-01", "Nguyễn Văn An", "Văn phòng", "Chuyên viên", "staff", "civil_servant", ""],
        ["nv-02", "Trần Thị Bình", "Văn phòng", "Chuyên viên", "staff", "civil_servant", ""],
    ]
    rows[1][column] = HUGE
    path = tmp_path / f"huge{suffix}"
    if suffix == ".xlsx":
        book = Workbook()
        for values in [header, *rows]:
            book.active.append(values)
        book.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(title)
            csv.writer(f).writerows([header, *rows])
    return str(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(
    ("column", "label", "problem"),
    [
        (1, "Họ và tên", "The full name is longer than 100 characters."),
        (0, "Mã", "The id is longer than 32 characters."),
        (2, "Đơn vị", "The name is longer than 150 characters."),
        (4, "Chức vụ", "The role is longer than 50 characters."),
        (5, "Loại", "The category is longer than 50 characters."),
    ],
)
def test_a_huge_cell_is_refused_with_its_line_and_column(
    engine, tmp_path, capsys, suffix, column, label, problem
):
    limit = csv.field_size_limit()
    path = huge_roster(tmp_path, suffix, column)

    code = main(["--locale", "en", "import-roster", path, "--org", "x"])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{path} was not imported, nothing was changed:",
        f"  line 3, column “{label}”: {problem}",
    ]  # the value itself is not shown back
    assert count(engine, Person) == 0 and count(engine, Organization) == 0
    assert csv.field_size_limit() == limit  # the csv module's limit is set back


def test_a_huge_cell_is_refused_in_vietnamese_by_python_m_bot(url, tmp_path):
    path = huge_roster(tmp_path, ".csv", 1, title="DANH SÁCH " * 20_000 + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "admin", "import-roster", path, "--org", "x"],
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": url, "DEFAULT_LANGUAGE": "vi"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "dòng 4, cột “Họ và tên”: Họ và tên dài quá 100 ký tự." in done.stderr


def test_a_huge_cell_in_a_column_that_is_not_read_is_no_problem(engine, tmp_path):
    path = huge_roster(tmp_path, ".csv", 6)
    assert main(["import-roster", path, "--org", "x"]) == 0
    assert count(engine, Person) == 2


# -- the README ------------------------------------------------------------------------


def test_the_readmes_demo_administration_runs_as_written(url, tmp_path, monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("Try the administration on the demo first", 1)[1]
    block = block.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line, comments=True) for line in block.splitlines() if line]
    assert commands and all(c[:4] == ["python3", "-m", "bot", "admin"] for c in commands)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)  # invites.csv is written here

    for command in commands:
        assert main(command[4:]) == 0, command
    out = capsys.readouterr().out
    assert "so-noi-vu-demo" in out and "40" in out
    assert (tmp_path / "invites.csv").is_file()


# -- trying the month without waiting for the calendar -------------------------------


def test_a_newcomer_walks_the_demo_month_through_the_review_stage(url, capsys):
    """The README's walk: the staff member submits in the console, the steps are run now,
    the head reviews in the console, the results are published and shown."""
    import io

    from bot import console
    from handlers.dispatcher import ChatSettings
    from storage.demo import demo_member

    clock = lambda: datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # noqa: E731 (10:00, Mon 23/11)
    assert main(["demo"], clock=clock) == 0
    engine = make_engine(url)
    with Session(engine) as s:
        organization = s.exec(select(Organization)).one()

    def chat(role: str, lines: list[str]) -> str:
        person = console.find_person(engine, demo_member(engine, organization, role))
        out = io.StringIO()
        script = io.StringIO("\n".join([*lines, "/quit"]) + "\n")
        console.run(engine, ChatSettings(), person, stdin=script, stdout=out, clock=clock)
        return out.getvalue()

    staff = ["2", *["1"] * 10, *["2"] * 4, "2", "2", "1", "3", "3"]  # criteria, 4 tasks...
    assert "Đã gửi bản tự đánh giá tháng 11/2026" in chat("staff", staff)
    assert main(["cycle", "close", "--org", "so-noi-vu-demo"], clock=clock) == 0
    assert "close" in capsys.readouterr().out
    assert main(["cycle", "close", "--org", "so-noi-vu-demo"], clock=clock) == 2
    assert "đã được thực hiện lúc 23/11/2026 10:00" in capsys.readouterr().err
    head = chat("head", ["/review", "2"])  # the head of Văn phòng Sở agrees
    assert "Xem xét: Vũ Thị Lan Anh" in head and "đã đồng ý" in head
    assert main(["cycle", "publish", "--org", "so-noi-vu-demo"], clock=clock) == 0
    assert chat("director", [])  # the director's chat opens on the demo too
    result = chat("staff", ["/result"])
    assert "Kết quả theo dõi, đánh giá tháng 11/2026: Hoàn thành" in result
    assert main(["outbox", "--org", "so-noi-vu-demo", "--locale", "en"], clock=clock) == 0
    listed = capsys.readouterr().out
    assert "result" in listed and "digest" in listed
    engine.dispose()


def test_a_step_out_of_order_is_refused_with_the_reason(url, capsys):
    clock = lambda: datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # noqa: E731
    assert main(["demo"], clock=clock) == 0
    capsys.readouterr()
    assert main(["cycle", "classify", "--org", "so-noi-vu-demo"], clock=clock) == 2
    assert "đang mở tự đánh giá" in capsys.readouterr().err
    assert main(["cycle", "open", "--org", "so-noi-vu-demo", "--period", "2026-13"]) == 2
    assert "không phải là kỳ" in capsys.readouterr().err
    assert main(["cycle", "open", "--org", "khong-co"]) == 2
    engine = make_engine(url)
    with Session(engine) as s:
        assert s.exec(select(Period)).one().status is PeriodStatus.OPEN  # nothing changed
    engine.dispose()


@pytest.mark.parametrize("role", ["head", "director"])
def test_the_console_acts_as_the_demos_head_or_director(url, monkeypatch, capsys, role):
    import io

    from bot.__main__ import main as bot_main

    monkeypatch.setattr("sys.stdin", io.StringIO("/quit\n"))
    assert bot_main(["console", "--demo", "--role", role]) == 0
    out = capsys.readouterr().out
    name = {"head": "Phạm Thị Hồng Nhung", "director": "Nguyễn Văn Thắng"}[role]
    assert f"Xin chào đồng chí {name}" in out
    assert "🗂 Xem xét" in out  # a leader's menu


# -- settings --------------------------------------------------------------------------------


def test_settings_show_and_change_the_rules_and_audit_each_change(engine, org, capsys):
    capsys.readouterr()
    assert main(["settings", "--org", org], clock=lambda: NOW) == 0
    shown = capsys.readouterr().out
    assert "bộ quy tắc: theo quy định áp dụng cho từng kỳ (nd90 đến năm 2025" in shown
    assert "Viên chức: như của cơ quan" in shown and "kỳ theo dõi, đánh giá: tháng" in shown
    args = ["settings", "--org", org, "--ruleset", "nd335"]
    args += ["--category-ruleset", "vien_chuc=agency-monthly", "--tracking", "quarter"]
    assert main(args, clock=lambda: NOW) == 0
    shown = capsys.readouterr().out
    assert "bộ quy tắc: nd335 — Nghị định 335/2025/NĐ-CP (từ tháng 01/2026)" in shown
    assert "Viên chức: agency-monthly — Nghị định 335/2025/NĐ-CP và thực tiễn" in shown
    assert "kỳ theo dõi, đánh giá: quý" in shown and "Đã lưu" in shown
    with Session(engine) as session:
        organization = session.exec(select(Organization)).one()
        assert organization.ruleset == "nd335"
        assert organization.category_rulesets == {"public_employee": "agency-monthly"}
        assert organization.calendar["tracking"] == "quarter"
        changed = {a.field for a in session.exec(select(AuditLog))}
    assert changed == {"ruleset", "category_rulesets", "calendar"}
    # "law" gives the choice back to the period; CATEGORY= alone, to the organization
    args = ["settings", "--org", org, "--ruleset", "law", "--category-ruleset", "public_employee="]
    assert main(args, clock=lambda: NOW) == 0
    with Session(engine) as session:
        organization = session.exec(select(Organization)).one()
        assert organization.ruleset is None and organization.category_rulesets == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ruleset", "nd336"], "“nd336” không phải là bộ quy tắc"),
        (["--category-ruleset", "giao_vien=nd335"], "“giao_vien” không phải là nhóm nhân sự"),
        (["--category-ruleset", "vien_chuc=nd9"], "“nd9” không phải là bộ quy tắc"),
        (["--tracking", "week"], "invalid choice"),
    ],
)
def test_settings_refuse_an_unknown_value_and_change_nothing(engine, org, capsys, args, message):
    capsys.readouterr()
    assert main(["settings", "--org", org, "--ruleset", "nd335", *args], clock=lambda: NOW) == 2
    assert message in capsys.readouterr().err
    with Session(engine) as session:
        assert session.exec(select(Organization)).one().ruleset is None
        assert session.exec(select(AuditLog)).all() == []


def test_the_tracking_period_does_not_change_within_a_year_that_has_periods(engine, org, capsys):
    with transaction(engine) as session:
        organization = session.exec(select(Organization)).one()
        session.add(Period(organization_id=organization.id, code="2026-11"))
    capsys.readouterr()
    assert main(["settings", "--org", org, "--tracking", "quarter"], clock=lambda: NOW) == 2
    error = capsys.readouterr().err
    assert "đã theo dõi, đánh giá năm 2026 theo tháng (2026-11)" in error
    # in 2027, with no period yet, it can
    next_year = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
    assert main(["settings", "--org", org, "--tracking", "quarter"], clock=lambda: next_year) == 0
    with Session(engine) as session:
        assert session.exec(select(Organization)).one().calendar["tracking"] == "quarter"


def test_a_paper_whose_file_contradicts_what_is_asked_is_refused_and_not_written(
    engine, tmp_path, capsys
):
    load_demo(engine, date(2026, 11, 3))
    pdf, xlsx = tmp_path / "forms.pdf", tmp_path / "ratings.xlsx"
    # many forms go in a ZIP: a .pdf is one person's
    argv = ["--locale", "en", "form", "--org", "so-noi-vu-demo", "--year", "2026"]
    assert main([*argv, "--out", str(pdf)], clock=lambda: NOW) == 2
    assert "many forms go in a .zip" in capsys.readouterr().err
    # CSV asked into a file named .xlsx
    argv = ["--locale", "en", "export", "--org", "so-noi-vu-demo", "--period", "2026-11"]
    assert main([*argv, "--format", "csv", "--out", str(xlsx)], clock=lambda: NOW) == 2
    assert f"--format csv does not match the file {xlsx}" in capsys.readouterr().err
    assert not pdf.exists() and not xlsx.exists()
    assert (
        main([*argv, "--format", "xlsx", "--out", str(xlsx)], clock=lambda: NOW) == 0
    )  # as asked: written
    assert xlsx.read_bytes()[:2] == b"PK"
