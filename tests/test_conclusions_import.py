"""`python -m bot admin import-conclusions`: discipline decisions and conclusions from CSV
or Excel, all or nothing with the line and column of every problem, a dry run, audited as
the system, the people and their heads told. The organization is the month of
tests/test_month.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from bot.admin import main
from storage.db import transaction
from storage.models import Person
from tests.test_conclusions import audit, director, entries, outbox
from tests.test_month import Month, at


@pytest.fixture
def month(tmp_path) -> Month:
    return Month(tmp_path)


HEADER = (
    "Mã;Họ và tên;Loại;Hình thức;Ngày;Nguồn;Hành vi vi phạm;Trong thi hành công vụ;"
    "Số quyết định;Ghi chú"
)


@pytest.fixture
def admin(month, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(month.engine.url))
    return month


def run_admin(*args: str) -> int:
    return main([*args], clock=lambda: at(20, 10))


def test_import_records_every_line_audited_as_the_system_and_tells_the_people(
    admin, tmp_path, capsys
):
    m = admin
    path = tmp_path / "ket-luan.csv"
    path.write_text(
        HEADER
        + "\n"
        + "a1;Trần Thị Mai;kỷ luật;khiển trách;10/11/2026;hành chính;Vi phạm hồ sơ;có;12/QĐ-SNV;\n"
        + "a1;;;khai trừ;2026-11-12;;Vi phạm hồ sơ;;34-QĐ/ĐU;đảng ủy\n"
        + "b1;;kỷ luật;cảnh cáo;01/11/2026;;;không;15/QĐ-SNV;\n"
        + "tp01;;Tham nhũng trong đơn vị;;05/11/2026;;;;03-KL/TTr;thanh tra\n",
        encoding="utf-8-sig",
    )
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu") == 0
    out = capsys.readouterr().out
    assert "đã đọc 4 nội dung; ghi nhận mới 4, đã có từ trước 0" in out
    found = {(type(e).__name__, getattr(e, "form", None) or e.kind): e for e in entries(m)}
    expulsion = found[("DisciplineDecision", "expulsion")]
    assert expulsion.source == "party" and expulsion.note == "đảng ủy"
    assert expulsion.violation == "Vi phạm hồ sơ" and expulsion.public_duty
    assert not found[("DisciplineDecision", "warning")].public_duty
    assert found[("Conclusion", "unit_corruption")].number == "03-KL/TTr"
    logged = audit(m, "discipline_decision") + audit(m, "conclusion")
    assert len(logged) == 4 and {e.actor_id for e in logged} == {None}
    assert "import-conclusions ket-luan.csv, line 3" in {e.reason for e in logged}
    assert all(e.recorded_by is None for e in entries(m))
    assert "Khai trừ (kỷ luật đảng)" in m.received("a1", "conclusion")
    assert "không làm thay đổi mức xếp loại của đồng chí." in m.received("b1", "conclusion")
    assert "Để xảy ra tham ô, tham nhũng, lãng phí" in m.received("tp01", "conclusion")
    assert "Nguyễn Văn Hùng" in m.received("gd01", "conclusion")  # the head's reviewer

    boss = director(m)
    boss.send("/conclusions")
    assert "(4):" in boss.text
    boss.press("Xóa nội dung")
    boss.press("Nguyễn Văn Hùng")
    assert "từ tệp do quản trị hệ thống nhập" in boss.text


def test_an_excel_file_with_date_cells_and_english_headers(admin, tmp_path, capsys):
    m = admin
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Kind", "Form", "Date", "Source", "Public duty", "Number"])
    sheet.append(["a2", "discipline", "reprimand", datetime(2026, 11, 3), "admin", "yes", "3/QĐ"])
    sheet.append(["b2", "example_violation", None, "04/11/2026", None, None, 77])
    book.save(tmp_path / "entries.xlsx")
    assert (
        run_admin("import-conclusions", str(tmp_path / "entries.xlsx"), "--org", "so-noi-vu") == 0
    )
    dated = sorted((e.dated, e.number) for e in entries(m))
    assert dated == [(date(2026, 11, 3), "3/QĐ"), (date(2026, 11, 4), "77")]


def test_a_bad_file_records_nothing_and_names_each_problem_by_line_and_column(
    admin, tmp_path, capsys
):
    m = admin
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "\n"
        + "zz;;kỷ luật;khiển trách;10/11/2026;;;;1/QĐ;\n"  # 2: unknown id
        + "a1;;nhắc nhở;;10/11/2026;;;;2/QĐ;\n"  # 3: unknown kind
        + "a1;;kỷ luật;phê bình;10/11/2026;;;;3/QĐ;\n"  # 4: unknown form
        + "a1;;kỷ luật;khiển trách;10.11.2026;;;;4/QĐ;\n"  # 5: not a date
        + "a1;;kỷ luật;khiển trách;21/11/2026;;;;5/QĐ;\n"  # 6: after today
        + "a1;;tham nhũng;;10/11/2026;;;;6/QĐ;\n"  # 7: staff
        + "a1;;kỷ luật;khiển trách;10/11/2026;;;;7/QĐ;\n"
        + "a1;;kỷ luật;khiển trách;10/11/2026;;;;7/QĐ;\n"  # 9: a duplicate of line 8
        + "a1;Lê Minh Tuấn;kỷ luật;hạ bậc lương;10/11/2026;đảng;;;8/QĐ;\n",  # 10: two
        encoding="utf-8",
    )
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu") == 2
    err = capsys.readouterr().err
    assert "Chưa nhập tệp" in err
    for expected in (
        "dòng 2, cột “Mã”: Không có nhân sự nào của cơ quan có mã “zz”.",
        "dòng 3, cột “Loại”: Loại “nhắc nhở” không hợp lệ",
        "dòng 4, cột “Hình thức”: Hình thức “phê bình” không hợp lệ",
        "dòng 5, cột “Ngày”: “10.11.2026” không phải là ngày",
        "dòng 6, cột “Ngày”: Ngày 21/11/2026 không nằm trong khoảng",
        "dòng 7, cột “Loại”: “tham nhũng” chỉ áp dụng đối với người giữ chức vụ lãnh đạo",
        "dòng 9, cột “Số quyết định”: Nội dung này đã có ở dòng 8.",
        "dòng 10, cột “Họ và tên”: Mã “a1” là của Trần Thị Mai, không phải “Lê Minh Tuấn”.",
        "dòng 10, cột “Hình thức”: “hạ bậc lương” không phải hình thức kỷ luật đảng",
    ):
        assert expected in err, expected
    assert entries(m) == [] and audit(m, "discipline_decision") == []
    assert outbox(m, "conclusion") == []


def test_a_dry_run_shows_what_would_be_recorded_and_records_nothing(admin, tmp_path, capsys):
    m = admin
    path = tmp_path / "c.csv"
    path.write_text(
        "id,kind,date,number\na1,degeneration,03/11/2026,05-KL/UBKT\n", encoding="utf-8"
    )
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Trần Thị Mai" in out and "Suy thoái tư tưởng, đạo đức, lối sống" in out
    assert "sẽ ghi nhận mới 1" in out and "Chưa ghi nhận gì (--dry-run)" in out
    assert entries(m) == [] and audit(m, "conclusion") == [] and outbox(m, "conclusion") == []


def test_the_same_file_twice_records_once_and_a_changed_entry_is_never_overwritten(
    admin, tmp_path, capsys
):
    m = admin
    path = tmp_path / "c.csv"
    path.write_text("id,form,date,number\na1,reprimand,03/11/2026,1/QĐ\n", encoding="utf-8")
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu") == 0
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu") == 0
    assert "ghi nhận mới 0, đã có từ trước 1" in capsys.readouterr().out
    assert len(entries(m)) == 1 and len(outbox(m, "conclusion")) == 2  # a1 and the head, once
    path.write_text("id,form,date,number\na1,warning,03/11/2026,1/QĐ\n", encoding="utf-8")
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu") == 2
    assert "không bị ghi đè" in capsys.readouterr().err
    assert [e.form for e in entries(m)] == ["reprimand"]


def test_a_large_file_reports_its_progress(admin, tmp_path, capsys):
    lines = [f"a1,reprimand,03/11/2026,{n}/QĐ" for n in range(600)]
    path = tmp_path / "c.csv"
    path.write_text("id,form,date,number\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu", "--locale", "en") == 0
    captured = capsys.readouterr()
    assert "Recording the entries: 200/600 (33%)" in captured.err
    assert "600 recorded" in captured.out


def test_an_unknown_organization_or_a_missing_file_changes_nothing(admin, tmp_path, capsys):
    assert run_admin("import-conclusions", str(tmp_path / "none.csv"), "--org", "so-noi-vu") == 2
    path = tmp_path / "c.csv"
    path.write_text("id,form,date,number\na1,reprimand,03/11/2026,1/QĐ\n", encoding="utf-8")
    assert run_admin("import-conclusions", str(path), "--org", "so-khac") == 2
    assert "so-khac" in capsys.readouterr().err
    assert entries(admin) == []


def test_a_person_with_no_chat_is_named_to_the_administrator(admin, tmp_path, capsys):
    with transaction(admin.engine) as s:
        newcomer = Person(
            organization_id=admin.person("a1").organization_id,
            code="moi01",
            full_name="Hà Văn Mới",
            unit_id=admin.person("a1").unit_id,
            group_id=admin.person("a1").group_id,
        )
        s.add(newcomer)
    path = tmp_path / "c.csv"
    path.write_text("id,form,date,number\nmoi01,reprimand,03/11/2026,1/QĐ\n", encoding="utf-8")
    assert run_admin("import-conclusions", str(path), "--org", "so-noi-vu") == 0
    assert "chưa được thông báo: moi01" in capsys.readouterr().out
