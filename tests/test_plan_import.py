"""A unit's plan from a spreadsheet (`python -m bot admin import-plan`): the factor from
the product (points ÷ 5), else the one given, else 1; all or nothing with the line of every
problem; a dry run that shows what would change; the same file again changes nothing;
the people whose plan changes are told in their language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from bot.admin import main
from handlers.events import payload_to_replies
from storage.db import make_engine, migrate, transaction
from storage.models import (
    AuditLog,
    Identity,
    OutboxMessage,
    Period,
    PeriodStatus,
    Person,
    Task,
    TaskKind,
)

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
ROSTER = """Mã,Họ và tên,Đơn vị,Nhóm,Chức vụ,Loại,Vị trí việc làm
vp-01,Phạm Thị Hồng Nhung,Văn phòng Sở,Lãnh đạo phòng,Chánh Văn phòng,Công chức,Chánh Văn phòng
vp-03,Vũ Thị Lan Anh,Văn phòng Sở,Chuyên viên,Chuyên viên,Công chức,Chuyên viên tổng hợp
vp-08,Dương Văn Khải,Văn phòng Sở,Nhân viên,Nhân viên,Người lao động,Lái xe
tt-04,Lý Văn Hoàng,Thanh tra Sở,Chuyên viên,Thanh tra viên,Công chức,Thanh tra viên
"""
CATALOGUE = """Vị trí việc làm,Mã sản phẩm,Tên sản phẩm,Điểm
Chuyên viên tổng hợp,TH-01,Chương trình công tác tháng của Sở,"7,5"
Chuyên viên tổng hợp,TH-02,Báo cáo kết quả công tác tháng của Sở,5
Thanh tra viên,TT-04,Báo cáo công tác tiếp công dân tháng,5
"""
PLAN = """Mã,Họ và tên,Nhiệm vụ,Mã sản phẩm,Thời hạn,Hệ số quy đổi
vp-03,Vũ Thị Lan Anh,Chương trình công tác tháng 02/2027,TH-01,23/01/2027,
vp-03,Vũ Thị Lan Anh,,TH-02,2027-01-27,
vp-08,Dương Văn Khải,Bảo dưỡng định kỳ xe ô tô,,15/01,"1,5"
vp-08,Dương Văn Khải,Ghi chép nhật trình sử dụng xe,,,
"""


def admin(*args: str) -> int:
    return main(["--locale", "en", *args], clock=lambda: NOW)


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate(url)
    engine = make_engine(url)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "so-tay.csv").write_text(CATALOGUE, encoding="utf-8")
    assert admin("import-roster", str(tmp_path / "roster.csv"), "--org", "so-test") == 0
    catalogue = str(tmp_path / "so-tay.csv")
    assert (
        admin("import-catalogue", catalogue, "--org", "so-test", "--effective", "2026-01-01") == 0
    )
    with transaction(engine) as s:  # vp-03 chats with the bot; vp-08 does not
        person = s.exec(select(Person).where(Person.code == "vp-03")).one()
        s.add(Identity(person_id=person.id, platform="test", user_id="103", chat_id="103"))
    yield engine
    engine.dispose()


def plan(tmp_path, text: str = PLAN) -> str:
    path = tmp_path / "ke-hoach.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path: str, *more: str) -> int:
    return admin("import-plan", path, "--org", "so-test", "--period", "2027-01", *more)


def tasks(engine) -> dict[tuple[str, str], Task]:
    with Session(engine) as s:
        rows = s.exec(select(Person.code, Task).join(Task, Task.person_id == Person.id)).all()
    return {(code, t.title): t for code, t in rows}


def told(engine) -> list[str]:
    with Session(engine) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "plan")).all()
    return ["\n".join(r.text for r in payload_to_replies(m.payload)) for m in rows]


def test_a_dry_run_shows_what_would_change_and_changes_nothing(engine, tmp_path, capsys):
    assert run(plan(tmp_path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Báo cáo kết quả công tác tháng của Sở" in out  # the product's name as the task
    assert "4 tasks of 2 people" in out and "4 would be added" in out
    assert "Nothing was changed" in out
    assert tasks(engine) == {} and told(engine) == []
    with Session(engine) as s:
        assert s.exec(select(Period)).all() == []


def test_the_plan_is_recorded_with_the_products_factors_and_the_people_are_told(
    engine, tmp_path, capsys
):
    assert run(plan(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "4 added, 0 changed, 0 removed, 0 unchanged; 1 people told" in out
    assert "vp-08" in out  # no chat: named to the administrator
    found = tasks(engine)
    program = found[("vp-03", "Chương trình công tác tháng 02/2027")]
    assert (program.weight, program.deadline, program.free) == (1.5, date(2027, 1, 23), False)
    assert program.catalogue_item_id is not None and program.kind is TaskKind.PLANNED
    report = found[("vp-03", "Báo cáo kết quả công tác tháng của Sở")]
    assert (report.weight, report.deadline) == (1.0, date(2027, 1, 27))
    car = found[("vp-08", "Bảo dưỡng định kỳ xe ô tô")]
    assert (car.weight, car.deadline, car.free, car.catalogue_item_id) == (
        1.5,
        date(2027, 1, 15),
        True,  # outside the catalogue of an organization that has one
        None,
    )
    assert found[("vp-08", "Ghi chép nhật trình sử dụng xe")].weight == 1.0
    (message,) = told(engine)
    assert message.startswith(
        "Kế hoạch công tác tháng 01/2027 của đồng chí đã được cập nhật theo nhiệm vụ được giao:"
    )
    assert "Nhiệm vụ mới:\n• Chương trình công tác tháng 02/2027\n" in message
    with Session(engine) as s:
        assert s.exec(select(Period)).one().status is PeriodStatus.PLANNING


def test_the_same_file_again_changes_nothing_and_tells_nobody(engine, tmp_path, capsys):
    path = plan(tmp_path)
    assert run(path) == 0
    before = {key: (t.id, t.weight, t.deadline) for key, t in tasks(engine).items()}
    capsys.readouterr()
    assert run(path) == 0
    assert "0 added, 0 changed, 0 removed, 4 unchanged; 0 people told" in capsys.readouterr().out
    assert {key: (t.id, t.weight, t.deadline) for key, t in tasks(engine).items()} == before
    assert len(told(engine)) == 1


def test_a_new_file_updates_and_removes_only_what_the_files_assigned(engine, tmp_path, capsys):
    assert run(plan(tmp_path)) == 0
    with transaction(engine) as s:  # a task vp-03 added herself in the chat
        person = s.exec(select(Person).where(Person.code == "vp-03")).one()
        period = s.exec(select(Period)).one()
        s.add(Task(person_id=person.id, period_id=period.id, title="Việc tự đăng ký", position=9))
    lines = PLAN.splitlines()
    new = "\n".join([lines[0], lines[1].replace("23/01/2027", "25/01/2027"), *lines[3:]]) + "\n"
    capsys.readouterr()
    assert run(plan(tmp_path, new)) == 0
    assert "0 added, 1 changed, 1 removed, 2 unchanged" in capsys.readouterr().out
    found = tasks(engine)
    assert found[("vp-03", "Chương trình công tác tháng 02/2027")].deadline == date(2027, 1, 25)
    assert ("vp-03", "Báo cáo kết quả công tác tháng của Sở") not in found
    assert ("vp-03", "Việc tự đăng ký") in found
    latest = told(engine)[-1]
    assert "Báo cáo kết quả công tác tháng của Sở" in latest  # removed
    assert "Chương trình công tác tháng 02/2027" in latest  # changed
    # every task assigned or taken away by a file is audited, with the file and its line;
    # the change of a deadline alone is no change of a score
    with Session(engine) as s:
        people = {p.id: p.code for p in s.exec(select(Person))}
        trail = [
            (e.field, people.get(e.before, e.before), people.get(e.after, e.after), e.reason)
            for e in s.exec(select(AuditLog).where(AuditLog.entity == "task"))
        ]
    assert sorted(trail, key=str) == sorted(
        [
            ("assigned", None, "vp-03", "ke-hoach.csv:2"),
            ("assigned", None, "vp-03", "ke-hoach.csv:3"),
            ("assigned", None, "vp-08", "ke-hoach.csv:4"),
            ("assigned", None, "vp-08", "ke-hoach.csv:5"),
            ("assigned", "vp-03", None, "ke-hoach.csv"),
        ],
        key=str,
    )


def test_one_bad_line_changes_nothing_and_each_problem_names_its_line(engine, tmp_path, capsys):
    bad = (
        PLAN
        + "vp-03,,Việc có mã lạ,XX-99,,\n"
        + "vp-03,,Việc quá hạn kỳ,,15/02/2027,\n"
        + "ab-99,,Việc của người lạ,,,\n"
        + "vp-03,,Chương trình khác,TH-01,,2\n"
    )
    assert run(plan(tmp_path, bad)) == 2
    err = capsys.readouterr().err
    assert "nothing was changed" in err
    assert "line 6, column “Mã sản phẩm”" in err and "XX-99" in err
    assert "line 7, column “Thời hạn”" in err and "31/01/2027" in err
    assert "line 8, column “Mã”" in err and "ab-99" in err
    assert "line 9, column “Hệ số quy đổi”" in err  # not the product's factor
    assert tasks(engine) == {} and told(engine) == []


def test_a_unit_s_plan_names_only_its_people(engine, tmp_path, capsys):
    other = PLAN + "tt-04,Lý Văn Hoàng,,TT-04,,\n"
    assert run(plan(tmp_path, other), "--unit", "van-phong-so") == 2
    assert "line 6" in (err := capsys.readouterr().err) and "Văn phòng Sở" in err
    assert tasks(engine) == {}
    assert run(plan(tmp_path, other), "--unit", "no-such-unit") == 2
    assert "no-such-unit" in capsys.readouterr().err


def test_free_tasks_are_refused_where_the_organization_allows_none(engine, tmp_path, capsys):
    assert admin("settings", "--org", "so-test", "--free-tasks", "off") == 0
    capsys.readouterr()
    assert run(plan(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "line 4" in err and "line 5" in err and "line 2" not in err
    assert tasks(engine) == {}


def test_a_period_in_self_assessment_takes_no_plan(engine, tmp_path, capsys):
    with transaction(engine) as s:
        org_id = s.exec(select(Person)).first().organization_id
        s.add(Period(organization_id=org_id, code="2027-01", status=PeriodStatus.OPEN))
    assert run(plan(tmp_path)) == 2
    assert "can no longer be changed" in capsys.readouterr().err
    assert tasks(engine) == {}
    assert admin("import-plan", plan(tmp_path), "--org", "so-test", "--period", "2027-Q1") == 2
    assert "tracks by month" in capsys.readouterr().err


def test_a_large_plan_reports_its_progress(engine, tmp_path, capsys):
    lines = [f"vp-03,,Nhiệm vụ số {n},,,\n" for n in range(150)]
    assert run(plan(tmp_path, PLAN.splitlines()[0] + "\n" + "".join(lines))) == 0
    captured = capsys.readouterr()
    assert "(100%)" in captured.err
    assert "150 added" in captured.out


def test_an_excel_plan_with_date_cells_is_read_too(engine, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(["KẾ HOẠCH CÔNG TÁC THÁNG 01/2027 — VĂN PHÒNG SỞ"])
    sheet.append(["Mã", "Nhiệm vụ", "Mã sản phẩm", "Thời hạn", "Hệ số quy đổi"])
    sheet.append(["vp-03", "Chương trình công tác tháng 02/2027", "TH-01", datetime(2027, 1, 23)])
    sheet.append(["vp-08", "Bảo dưỡng xe", None, datetime(2027, 1, 15), 1.5])
    book.save(tmp_path / "ke-hoach.xlsx")
    assert run(str(tmp_path / "ke-hoach.xlsx")) == 0
    found = tasks(engine)
    assert found[("vp-03", "Chương trình công tác tháng 02/2027")].deadline == date(2027, 1, 23)
    assert found[("vp-08", "Bảo dưỡng xe")].weight == 1.5


def test_a_product_of_another_job_position_is_refused_with_its_line(engine, tmp_path, capsys):
    """As in the chat: vp-03 (Chuyên viên tổng hợp) cannot be given a product of the
    Thanh tra viên; the file changes nothing."""
    bad = PLAN + "vp-03,Vũ Thị Lan Anh,,TT-04,20/01/2027,\n"
    assert run(plan(tmp_path, bad)) == 2
    err = capsys.readouterr().err
    assert "line 6, column" in err
    assert "“TT-04” is a product of Thanh tra viên, not of the job position" in err
    assert "Vũ Thị Lan Anh (Chuyên viên tổng hợp)" in err
    assert tasks(engine) == {}
