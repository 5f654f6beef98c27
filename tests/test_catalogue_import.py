"""The task catalogue (`python -m bot admin import-catalogue`, `catalogue`): products per
job position with points, the factor as points ÷ 5, versions by effective date, all or
nothing with the line of every problem, a dry run, search without diacritics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from bot.admin import main
from storage.catalogue import search, version_in_force
from storage.db import make_engine, migrate, transaction
from storage.models import CatalogueItem, CatalogueVersion, Organization, Person, Task

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
ROSTER = """Mã,Họ và tên,Đơn vị,Nhóm,Chức vụ,Loại,Vị trí việc làm
vp-01,Phạm Thị Hồng Nhung,Văn phòng Sở,Lãnh đạo phòng,Chánh Văn phòng,Công chức,Chánh Văn phòng
vp-03,Vũ Thị Lan Anh,Văn phòng Sở,Chuyên viên,Chuyên viên,Công chức,Chuyên viên tổng hợp
tt-04,Lý Văn Hoàng,Thanh tra Sở,Chuyên viên,Thanh tra viên,Công chức,Thanh tra viên
"""
CATALOGUE = """Vị trí việc làm,Mã sản phẩm,Tên sản phẩm,Điểm
Chuyên viên tổng hợp,TH-01,Chương trình công tác tháng của Sở,"7,5"
Chuyên viên tổng hợp,TH-02,Báo cáo kết quả công tác tháng của Sở,5
Chuyên viên tổng hợp,TH-03,"Báo cáo sơ kết, tổng kết công tác năm",15
Thanh tra viên,TT-04,"Báo cáo công tác tiếp công dân, giải quyết khiếu nại, tố cáo",5
"""


def admin(*args: str) -> int:
    return main(["--locale", "en", *args], clock=lambda: NOW)


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'catalogue.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate(url)
    engine = make_engine(url)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert admin("import-roster", str(tmp_path / "roster.csv"), "--org", "so-test") == 0
    yield engine
    engine.dispose()


def write(tmp_path, text: str, name: str = "so-tay.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def items(engine) -> dict[tuple[date, str], tuple[str, float, float]]:
    with Session(engine) as s:
        rows = s.exec(
            select(CatalogueVersion.effective, CatalogueItem).join(
                CatalogueItem, CatalogueItem.version_id == CatalogueVersion.id
            )
        ).all()
    return {(e, i.code): (i.title, i.points, i.factor) for e, i in rows}


def test_the_roster_gives_each_person_a_job_position(engine):
    with Session(engine) as s:
        positions = dict(s.exec(select(Person.code, Person.job_position)).all())
    assert positions["vp-03"] == "Chuyên viên tổng hợp"
    assert positions["tt-04"] == "Thanh tra viên"


def test_a_roster_without_the_column_keeps_the_job_positions(engine, tmp_path):
    without = "\n".join(line.rsplit(",", 1)[0] for line in ROSTER.splitlines()) + "\n"
    changed = ROSTER.replace("Lái xe", "x").replace(",Thanh tra viên\n", ",Thanh tra viên chính\n")
    (tmp_path / "without.csv").write_text(without, encoding="utf-8")
    (tmp_path / "changed.csv").write_text(changed, encoding="utf-8")
    assert admin("import-roster", str(tmp_path / "without.csv"), "--org", "so-test") == 0
    with Session(engine) as s:
        assert s.exec(select(Person.job_position).where(Person.code == "tt-04")).one() == (
            "Thanh tra viên"
        )
    assert admin("import-roster", str(tmp_path / "changed.csv"), "--org", "so-test") == 0
    with Session(engine) as s:
        assert s.exec(select(Person.job_position).where(Person.code == "tt-04")).one() == (
            "Thanh tra viên chính"
        )


def test_import_records_each_product_with_its_factor_points_over_five(engine, tmp_path, capsys):
    path = write(tmp_path, CATALOGUE)
    assert admin("import-catalogue", path, "--org", "so-test", "--effective", "2026-01-01") == 0
    out = capsys.readouterr().out
    assert "4 products of 2 job positions read" in out
    assert "4 new, 0 changed, 0 removed, 0 unchanged" in out
    assert "vp-01" in out  # a job position without products: only free tasks
    found = items(engine)
    assert found[(date(2026, 1, 1), "TH-01")] == ("Chương trình công tác tháng của Sở", 7.5, 1.5)
    assert found[(date(2026, 1, 1), "TH-03")][2] == 3.0
    with Session(engine) as s:
        version = s.exec(select(CatalogueVersion)).one()
        assert version.source == "so-tay.csv"
    # the same file again changes nothing
    assert admin("import-catalogue", path, "--org", "so-test", "--effective", "2026-01-01") == 0
    assert "0 new, 0 changed, 0 removed, 4 unchanged" in capsys.readouterr().out
    assert items(engine) == found


def test_the_version_in_force_is_the_latest_effective_on_or_before_the_day(engine, tmp_path):
    first = write(tmp_path, CATALOGUE, "2026.csv")
    second = write(tmp_path, CATALOGUE.replace(",5\n", ",10\n", 1), "2027.csv")
    assert admin("import-catalogue", first, "--org", "so-test", "--effective", "2026-01-01") == 0
    assert admin("import-catalogue", second, "--org", "so-test", "--effective", "2027-01-01") == 0
    with Session(engine) as s:
        org = s.exec(select(Organization)).one()
        assert version_in_force(s, org.id, date(2025, 12, 31)) is None
        assert version_in_force(s, org.id, date(2026, 12, 31)).source == "2026.csv"
        assert version_in_force(s, org.id, date(2027, 1, 1)).source == "2027.csv"
        (report,) = search(s, org.id, "Chuyên viên tổng hợp", "ket qua cong tac", date(2027, 3, 1))
        assert (report.code, report.points, report.factor) == ("TH-02", 10.0, 2.0)


def test_the_catalogue_command_shows_the_version_in_force_on_a_date(engine, tmp_path, capsys):
    first = write(tmp_path, CATALOGUE, "2026.csv")
    second = write(tmp_path, CATALOGUE.replace(",5\n", ",10\n", 1), "2027.csv")
    admin("import-catalogue", first, "--org", "so-test", "--effective", "2026-01-01")
    admin("import-catalogue", second, "--org", "so-test", "--effective", "2027-01-01")
    capsys.readouterr()
    assert (
        admin("catalogue", "--org", "so-test", "--date", "2026-06-30", "--search", "ket qua") == 0
    )
    out = capsys.readouterr().out
    assert "TH-02" in out and "2026.csv" in out and "TH-01" not in out
    assert (
        admin(
            "catalogue", "--org", "so-test", "--date", "2027-06-30", "--position", "thanh tra vien"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "TT-04" in out and "TH-02" not in out and "2027.csv" in out
    assert admin("catalogue", "--org", "so-test", "--date", "2025-06-30") == 2
    assert "no task catalogue in force on 30/06/2025" in capsys.readouterr().err


def test_search_ignores_case_and_diacritics_within_the_job_position(engine, tmp_path):
    admin(
        "import-catalogue",
        write(tmp_path, CATALOGUE),
        "--org",
        "so-test",
        "--effective",
        "2026-01-01",
    )
    with Session(engine) as s:
        org = s.exec(select(Organization)).one()
        day = date(2026, 12, 1)
        codes = [i.code for i in search(s, org.id, "chuyên viên TỔNG HỢP", "BAO CAO", day)]
        assert codes == ["TH-02", "TH-03"]  # the tiếp công dân report is another position's
        best = search(s, org.id, "Chuyên viên tổng hợp", "báo cáo tổng kết năm", day)
        assert [i.code for i in best] == ["TH-03"]  # every word
        assert search(s, org.id, "Thanh tra viên", "chương trình", day) == []


def test_one_bad_line_imports_nothing_and_names_its_line_and_column(engine, tmp_path, capsys):
    bad = CATALOGUE + "Thanh tra viên,TT-05,Kết luận thanh tra,mười\n,TT-06,Kế hoạch thanh tra,10\n"
    path = write(tmp_path, bad)
    assert admin("import-catalogue", path, "--org", "so-test", "--effective", "2026-01-01") == 2
    err = capsys.readouterr().err
    assert "nothing was changed" in err
    assert "line 6, column “Điểm”" in err and "“mười”" in err
    assert "line 7, column “Vị trí việc làm”: The job position is missing." in err
    assert items(engine) == {}


def test_a_product_twice_in_a_position_is_refused_with_both_lines(engine, tmp_path, capsys):
    path = write(tmp_path, CATALOGUE + "Chuyên viên tổng hợp,th-01,Chương trình khác,5\n")
    assert admin("import-catalogue", path, "--org", "so-test", "--effective", "2026-01-01") == 2
    assert "line 6" in (err := capsys.readouterr().err) and "already on line 2" in err
    assert items(engine) == {}


def test_a_dry_run_shows_the_changes_and_changes_nothing(engine, tmp_path, capsys):
    path = write(tmp_path, CATALOGUE)
    assert (
        admin(
            "import-catalogue", path, "--org", "so-test", "--effective", "2026-01-01", "--dry-run"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "TH-01" in out and "would get 4 new" in out and "Nothing was changed" in out
    assert items(engine) == {}


def test_an_excel_catalogue_is_read_too(engine, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(["SỔ TAY SẢN PHẨM THEO VỊ TRÍ VIỆC LÀM"])
    for line in CATALOGUE.splitlines():
        sheet.append(next(__import__("csv").reader([line])))
    book.save(tmp_path / "so-tay.xlsx")
    assert (
        admin(
            "import-catalogue",
            str(tmp_path / "so-tay.xlsx"),
            "--org",
            "so-test",
            "--effective",
            "2026-01-01",
        )
        == 0
    )
    assert items(engine)[(date(2026, 1, 1), "TH-01")][1] == 7.5


def test_the_same_date_again_updates_the_version_in_place(engine, tmp_path, capsys):
    admin(
        "import-catalogue",
        write(tmp_path, CATALOGUE),
        "--org",
        "so-test",
        "--effective",
        "2026-01-01",
    )
    with transaction(engine) as s:  # a task made of TH-03, which the new file drops
        item = s.exec(select(CatalogueItem).where(CatalogueItem.code == "TH-03")).one()
        person = s.exec(select(Person).where(Person.code == "vp-03")).one()
        from storage.queries import current_period

        period = current_period(s, person.organization_id, NOW)
        s.add(
            Task(
                person_id=person.id,
                period_id=period.id,
                title=item.title,
                weight=3.0,
                catalogue_item_id=item.id,
            )
        )
    changed = "\n".join(line for line in CATALOGUE.splitlines() if "TH-03" not in line)
    changed = changed.replace("công tác tháng của Sở,5", "công tác tháng của Sở,2.5") + "\n"
    assert (
        admin(
            "import-catalogue",
            write(tmp_path, changed),
            "--org",
            "so-test",
            "--effective",
            "2026-01-01",
        )
        == 0
    )
    assert "0 new, 1 changed, 1 removed, 2 unchanged" in capsys.readouterr().out
    found = items(engine)
    assert found[(date(2026, 1, 1), "TH-02")][1:] == (2.5, 0.5)
    assert (date(2026, 1, 1), "TH-03") not in found
    with Session(engine) as s:
        task = s.exec(select(Task)).one()
        assert (task.catalogue_item_id, task.weight) == (None, 3.0)  # keeps its factor
        assert s.exec(select(func.count()).select_from(CatalogueVersion)).one() == 1


def test_free_tasks_are_allowed_by_default_and_the_setting_changes_it(engine, capsys):
    assert admin("settings", "--org", "so-test") == 0
    assert "free tasks (outside the catalogue): allowed" in capsys.readouterr().out
    assert admin("settings", "--org", "so-test", "--free-tasks", "off") == 0
    assert "not allowed" in capsys.readouterr().out
    with Session(engine) as s:
        assert s.exec(select(Organization)).one().free_tasks is False


def test_a_large_catalogue_reports_its_progress(engine, tmp_path, capsys):
    lines = [f"Thanh tra viên,TT-{n:03d},Sản phẩm số {n},5\n" for n in range(600)]
    path = write(tmp_path, CATALOGUE.splitlines()[0] + "\n" + "".join(lines))
    assert admin("import-catalogue", path, "--org", "so-test", "--effective", "2026-01-01") == 0
    captured = capsys.readouterr()
    assert "500/600" in captured.err and "600/600 (100%)" in captured.err
    assert "600 new" in captured.out
