"""The official forms (issue 11, item 2): Mẫu số 01 of a period, the annual form and the
summary table, as DOCX, on the demo organization's published year; through the office's
commands (`admin form`, `admin summary`) and the chat (`/forms`). Every number checked is
read back from the DOCX with python-docx and compared with the database."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections import Counter

import docx
import pytest
from sqlmodel import Session, select

from bot.admin import main
from locales import format_number, format_percent
from papers import forms
from papers import labels as L
from papers.forms import file_name, period_form, slug, summary_table, task_points, year_form
from storage.db import transaction
from storage.forms import FormTask, PeriodSheet, YearSheet
from storage.models import (
    AssessmentStatus,
    Identity,
    Period,
    PeriodStatus,
    Person,
    Result,
    Role,
    SelfAssessment,
    Task,
    TaskKind,
    TaskOutcome,
    Unit,
    YearRating,
)
from tests import test_year_demo
from tests.chat import Chat, database, small_organization
from tests.test_year_demo import ORG, local

# the demo's published year, built once for this module (tests/test_year_demo.py)
_published_year, demo_year = test_year_demo._published_year, test_year_demo.demo_year

DECEMBER = local(2026, 12, 2, 10)


def admin(*argv: str) -> int:
    return main(list(argv), clock=lambda: DECEMBER)


def texts(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The paragraphs and the tables (rows of cells) of a DOCX."""
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


def vi(value: float) -> str:
    return format_number(value, "vi")


def person(engine, code: str) -> Person:
    with Session(engine) as s:
        return s.exec(select(Person).where(Person.code == code)).one()


def test_the_annual_forms_of_everyone_in_one_zip(demo_year, tmp_path):
    out = tmp_path / "forms.zip"
    assert admin("form", "--org", ORG, "--year", "2026", "--out", str(out)) == 0
    with Session(demo_year) as s:
        ratings = {r.person_id: r for r in s.exec(select(YearRating))}
        people = {p.id: p for p in s.exec(select(Person))}
        units = {u.id: u.name for u in s.exec(select(Unit))}
    archive = zipfile.ZipFile(out)
    names = archive.namelist()
    assert names[0] == "000-tong-hop.docx"
    assert len(names) == 1 + len(ratings) == 41
    assert all(name.isascii() and name.endswith(".docx") for name in names)
    assert names == sorted(names)  # numbered in the order of the units, then the names
    # one staff member's annual form: name, the period scores, the mean and the level
    rated = next(r for r in ratings.values() if r.level == "A")
    who = people[rated.person_id]
    name = next(n for n in names if f"-{who.code}-" in n)
    paragraphs, tables = texts(archive.read(name))
    body = "\n".join(paragraphs)
    assert who.full_name in body and units[who.unit_id] in body
    assert f"{L.YEAR_FINAL}{L.LEVELS['A']}" in paragraphs
    periods = tables[1]
    assert [row[2] for row in periods[1:-1]] == [vi(p["score"]) for p in rated.periods]
    assert periods[-1][1:3] == [L.YEAR_MEAN, vi(rated.score)]
    # the units in the Vietnamese alphabet, the people by given name within each
    order = [n.split("-", 1)[1] for n in names[1:]]
    assert order[0].startswith("ban-giam-doc-tran-thi-thu-ha")  # Hà before Huy, Thắng


def test_mau_01_of_one_person_holds_the_items_the_tasks_and_the_result(demo_year, tmp_path):
    with Session(demo_year) as s:
        period = s.exec(select(Period).where(Period.code == "2026-11")).one()
        # someone with a task completed late: the progress column loses a quarter
        late = s.exec(
            select(Task, TaskOutcome)
            .join(TaskOutcome, TaskOutcome.task_id == Task.id)
            .where(Task.period_id == period.id, TaskOutcome.status == "late")
        ).first()
        who = s.get(Person, late[0].person_id)
        assessment = s.exec(
            select(SelfAssessment).where(
                SelfAssessment.person_id == who.id, SelfAssessment.period_id == period.id
            )
        ).one()
        result = s.exec(
            select(Result).where(Result.person_id == who.id, Result.period_id == period.id)
        ).one()
        tasks = s.exec(
            select(Task).where(Task.person_id == who.id, Task.period_id == period.id)
        ).all()
    out = tmp_path / "one.docx"
    argv = ["form", "--org", ORG, "--period", "2026-11", "--person", who.code, "--out", str(out)]
    assert admin(*argv) == 0
    paragraphs, tables = texts(out.read_bytes())
    body = "\n".join(paragraphs)
    assert L.FORM_01_TITLE in body and "(Kỳ theo dõi, đánh giá: tháng 11/2026)" in body
    assert f"{L.NAME}{who.full_name}" in paragraphs
    # the 10 general items with the person's own scores, and the total
    general = tables[1]
    items = [row for row in general[1:-1] if row[0].isdigit()]
    assert len(items) == 10
    for (_, _, top, key), row in zip([i for i in L.GENERAL_ITEMS if i[3]], items, strict=True):
        assert row[2:4] == [vi(top), vi(assessment.general[key])]
    assert general[-1][3] == vi(sum(assessment.general.values()))
    # the result as the core gave it
    breakdown = result.breakdown
    assert f"{L.SUM_GENERAL}{vi(breakdown['general'])}/30 điểm" in paragraphs
    assert f"{L.SUM_TOTAL}{vi(result.score)}/100 điểm" in paragraphs
    assert f"{L.LEVEL}{L.LEVELS[result.level]}" in paragraphs
    assert f"{L.PART_C}{format_percent(breakdown['c'], 'vi')}" in paragraphs
    # the scoring sheet: a row per task, the late one at 75% progress
    sheet = tables[-1]
    rows = {row[1]: row for row in sheet if row[0].isdigit() and row[1] in {t.title for t in tasks}}
    assert set(rows) == {t.title for t in tasks}
    assert rows[late[0].title][8:10] == ["1", "75%"]
    parts = {row[1]: row[5] for row in sheet if row[1] in L.PART_NAMES.values()}
    assert parts[L.PART_NAMES["a"]] == format_percent(breakdown["a"], "vi")
    assert sheet[-1][3].startswith(f"{vi(breakdown['tasks'])}/70 điểm = ")


def test_the_summary_counts_equal_the_database(demo_year, tmp_path):
    out = tmp_path / "summary.docx"
    assert admin("summary", "--org", ORG, "--year", "2026", "--out", str(out)) == 0
    with Session(demo_year) as s:
        levels = Counter(r.level for r in s.exec(select(YearRating)))
    _, tables = texts(out.read_bytes())
    whole = tables[1][-1]
    rated = sum(n for level, n in levels.items() if level)
    assert whole[1:4] == [L.SUMMARY_ALL, "40", str(rated)]
    for index, level in enumerate("ABCD"):
        count = levels.get(level, 0)
        assert whole[4 + 2 * index] == str(count)
        assert whole[5 + 2 * index] == format_percent(count / rated, "vi")
    assert whole[12] == str(levels[None])
    assert whole[13] == format_percent(levels["A"] / levels["B"], "vi")
    # those not rated are listed with the reason
    assert len(tables[2]) == 1 + levels[None]
    assert all(row[3] == L.NO_PERIODS for row in tables[2][1:])


def test_a_units_summary_of_a_month_counts_its_results(demo_year, tmp_path):
    out = tmp_path / "month.docx"
    argv = ["summary", "--org", ORG, "--period", "2026-11", "--unit", "van-phong-so"]
    assert admin(*argv, "--out", str(out)) == 0
    with Session(demo_year) as s:
        rows = s.exec(
            select(Person, Result)
            .join(Unit, Unit.id == Person.unit_id)
            .join(Result, Result.person_id == Person.id)
            .join(Period, Period.id == Result.period_id)
            .where(Unit.code == "van-phong-so", Period.code == "2026-11")
        ).all()
        people = s.exec(select(Person).join(Unit).where(Unit.code == "van-phong-so")).all()
    levels = Counter(r.level for _, r in rows if r.score is not None)
    _, tables = texts(out.read_bytes())
    unit, whole = tables[1][2], tables[1][3]
    assert unit[1:4] == ["Văn phòng Sở", str(len(people)), str(sum(levels.values()))]
    assert [unit[4 + 2 * i] for i in range(4)] == [str(levels.get(x, 0)) for x in "ABCD"]
    assert whole[2:] == unit[2:]  # one unit: the whole is the unit


def test_refusals_write_nothing(demo_year, tmp_path):
    out = tmp_path / "x.docx"
    for argv in (
        ["form", "--org", "no-such-org", "--year", "2026"],
        ["form", "--org", ORG, "--period", "2026-12"],  # no such period
        ["form", "--org", ORG, "--period", "2026-13"],  # not a period
        ["form", "--org", ORG, "--year", "2025"],  # no round that year
        ["form", "--org", ORG, "--period", "2026-11", "--person", "nobody"],
        ["form", "--org", ORG, "--period", "2026-11", "--unit", "nowhere"],
        [
            "form",
            "--org",
            ORG,
            "--period",
            "2026-11",
            "--unit",
            "thanh-tra-so",
            "--person",
            "vp-03",
        ],
        ["summary", "--org", ORG, "--period", "2026-12"],
    ):
        assert admin(*argv, "--out", str(out)) == 2, argv
        assert not out.exists()
    assert admin("form", "--org", ORG, "--period", "2026-11", "--year", "2026") == 2
    # a period not yet published is refused
    with transaction(demo_year) as s:
        period = s.exec(select(Period).where(Period.code == "2026-11")).one()
        period.status = PeriodStatus.CLOSED
    assert admin("form", "--org", ORG, "--period", "2026-11", "--out", str(out)) == 2
    assert not out.exists()


@pytest.mark.skipif(bool(shutil.which("soffice")), reason="LibreOffice is installed here")
def test_a_pdf_without_libreoffice_is_refused(demo_year, tmp_path):
    out = tmp_path / "one.pdf"
    argv = ["form", "--org", ORG, "--period", "2026-11", "--person", "vp-03", "--out", str(out)]
    assert admin(*argv) == 2
    assert not out.exists()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed here")
def test_a_pdf_copy_with_libreoffice(demo_year, tmp_path):
    out = tmp_path / "one.pdf"
    argv = ["form", "--org", ORG, "--period", "2026-11", "--person", "vp-03", "--out", str(out)]
    assert admin(*argv) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_task_points_lose_a_quarter_per_failure_or_delay():
    def task(**fields) -> FormTask:
        return FormTask(title="t", kind=TaskKind.PLANNED, weight=1, **fields)

    assert task_points(task(status="on_time")) == ("x", "", "100%", "0", "100%", "0", "100%")
    late = task_points(task(status="late", delays=2, quality_failures=1))
    assert late[3:] == ("1", "75%", "2", "50%")
    assert task_points(task(status="late", delays=5))[6] == "0%"
    assert task_points(task(status="not_done"))[:3] == ("", "x", "0%")
    waived = task_points(task(status="late", delays=2, objective_reason=True))
    assert waived[4] == waived[6] == "100%"


def leader_sheet() -> PeriodSheet:
    """A head's quarter: a planned task done late with a quality failure, one not done with
    an explanation, a task taken over and an ad-hoc one; the director re-scored an item."""
    head = Person(code="tp", full_name="Nguyễn Văn Hùng", role=Role.HEAD, unit_id=1, group_id=1)
    planned, over, ad_hoc = TaskKind.PLANNED, TaskKind.TAKEN_OVER, TaskKind.AD_HOC
    return PeriodSheet(
        organization="Sở Thử nghiệm",
        period="2026-Q4",
        person=head,
        unit="Phòng Tổ chức",
        title="Trưởng phòng",
        reviewer=Person(code="gd", full_name="Trần Văn Giám", role=Role.DIRECTOR),
        general={key: top for _, _, top, key in L.GENERAL_ITEMS if key},
        reviewed={"discipline": 4.5},
        tasks=[
            FormTask("Báo cáo quý", planned, 1.5, "late", quality_failures=1, delays=1),
            FormTask("Đề án vị trí việc làm", planned, 1, "not_done", explanation="Chờ ý kiến"),
            FormTask("Hồ sơ nâng lương", over, 1, "on_time"),
            FormTask("Họp đột xuất", ad_hoc, 1, "exceeded"),
        ],
        result=Result(
            score=86.67,
            level="B",
            breakdown={"general": 29.5, "a": 0.6, "b": 0.85, "c": 0.85, "d": 1, "dd": 0.5,
                       "e": 1, "tasks": 57.17},
            reasons={"vi": [{"rule": "score.total", "text": "Tổng điểm 86,67/100."}]},
        ),
        comments={"director": "Cần chủ động hơn trong tham mưu."},
    )  # fmt: skip


def test_a_leaders_quarter_form_has_d_dd_e_the_extra_tasks_and_the_review():
    paragraphs, tables = texts(period_form(leader_sheet()))
    assert "(Kỳ theo dõi, đánh giá: quý IV năm 2026)" in paragraphs
    general = tables[1]
    discipline = next(row for row in general if row[1].startswith("Ý thức kỷ luật"))
    assert discipline[2:] == ["5", "5", "4,5"]  # the director's score beside the person's
    assert general[1][0] == "I" and general[1][2:] == ["10", "10", "9,5"]  # the subtotal
    assert general[-1][3:] == ["30", "29,5"]
    for label, value in ((L.PART_D, "100%"), (L.PART_DD, "50%"), (L.PART_E, "100%")):
        assert f"{label}{value}" in paragraphs
    assert f"{L.COMMENT_DIRECTOR}Cần chủ động hơn trong tham mưu." in paragraphs
    assert f"{L.LEVEL}{L.LEVELS['B']}" in paragraphs
    sheet = tables[-1]
    titles = [row[1] for row in sheet]
    first, second = titles.index(L.GROUP_PLANNED), titles.index(L.GROUP_EXTRA)
    assert titles[first + 1 : second] == ["Báo cáo quý", "Đề án vị trí việc làm"]
    assert titles[second + 1 : second + 3] == ["Hồ sơ nâng lương", "Họp đột xuất"]
    late = sheet[first + 1]
    assert late[2:10] == ["1,5", "x", "", "100%", "1", "75%", "1", "75%"]
    assert sheet[first + 2][3:6] == ["", "x", "0%"] and sheet[first + 2][10] == "Chờ ý kiến"
    assert sheet[second + 1][10] == L.TAKEN_OVER
    parts = [row[1] for row in sheet if row[1] in L.PART_NAMES.values()]
    assert len(parts) == 6
    assert any(L.FOOTNOTE_LEADER in p for p in paragraphs)


def test_the_annual_form_names_the_previous_agency_and_the_lowered_level():
    rating = YearRating(
        round_id=1,
        person_id=1,
        periods=[
            {"period": "2026-01", "score": 92.5, "source": "UBND huyện A"},
            {"period": "2026-02", "score": 88, "source": "ours"},
        ],
        score=90.25,
        computed_level="A",
        level="B",
        self_level="A",
        head_decision="change",
        head_level="B",
        head_comment="Còn chậm báo cáo",
    )
    who = Person(code="nv", full_name="Lê Thị Đào", role=Role.STAFF)
    sheet = YearSheet("Sở Thử nghiệm", 2026, who, "Văn phòng", "Chuyên viên", None, rating, True)
    paragraphs, tables = texts(year_form(sheet))
    assert tables[1][1][2:] == ["92,5", "Điểm do UBND huyện A chuyển đến"]
    assert tables[1][-1][1:3] == [L.YEAR_MEAN, "90,25"]
    assert f"{L.BOX_ON} {L.LEVELS['A']}" in paragraphs  # the self-rating ticked
    assert f"{L.BOX_OFF} {L.LEVELS['B']}" in paragraphs
    lowered = L.YEAR_LOWER.format(level=L.LEVELS["B"], reason="Còn chậm báo cáo")
    assert f"{L.YEAR_HEAD}{lowered}" in paragraphs
    assert f"{L.YEAR_FINAL}{L.LEVELS['B']}" in paragraphs


def test_file_names_are_ascii_slugs():
    assert slug("Nguyễn Thị Đào") == "nguyen-thi-dao"
    name = file_name(7, "Phòng Tổ chức, biên chế", "Đặng Ưng Ấn", "TC-01", "mau-01-2026-q4")
    assert name == "007-phong-to-chuc-bien-che-dang-ung-an-tc-01-mau-01-2026-q4.docx"


# -- the chat ------------------------------------------------------------------------------


def chat_of(engine, code: str) -> Chat:
    """A chat registered to the person of roster code `code`."""
    who = person(engine, code)
    with transaction(engine) as s:
        s.add(Identity(person_id=who.id, platform="test", user_id=code, chat_id=code))
    return Chat(engine, chat_id=code, now=DECEMBER)


def documents(replies) -> dict[str, bytes]:
    return {r.document.filename: r.document.content for r in replies if r.document}


@pytest.mark.parametrize("how", ["/forms", "🖨 Biểu mẫu"])
def test_a_staff_member_gets_their_own_forms(demo_year, how):
    chat = chat_of(demo_year, "vp-03")
    if how.startswith("/"):
        replies = chat.send(how)
    else:  # the main menu's button
        chat.send("/menu")
        replies = chat.press(how)
    files = documents(replies)
    assert sorted(files) == [
        "van-phong-so-vu-thi-lan-anh-vp-03-mau-01-2026-11.docx",
        "van-phong-so-vu-thi-lan-anh-vp-03-xep-loai-2026.docx",
    ]
    for content in files.values():
        paragraphs, _ = texts(content)
        assert f"{L.NAME}Vũ Thị Lan Anh" in paragraphs
    assert "để in và ký" in replies[0].text


def test_a_head_gets_the_units_forms_and_the_director_everyones(demo_year):
    with Session(demo_year) as s:
        head = s.exec(
            select(Person).join(Unit).where(Unit.code == "van-phong-so", Person.role == Role.HEAD)
        ).one()
        unit = s.exec(select(Person).where(Person.unit_id == head.unit_id)).all()
        everyone = s.exec(select(Person)).all()
        submitted = s.exec(
            select(SelfAssessment.person_id).join(Period).where(Period.code == "2026-11")
        ).all()
        with_result = s.exec(
            select(Result.person_id).join(Period).where(Period.code == "2026-11")
        ).all()
    month = set(submitted) | set(with_result)
    for chat, people in (
        (chat_of(demo_year, head.code), unit),
        (chat_of(demo_year, "bgd-01"), everyone),
    ):
        replies = chat.send("/phieu")
        ((name, content),) = documents(replies).items()
        assert name.endswith(".zip")
        inside = zipfile.ZipFile(io.BytesIO(content)).namelist()
        codes = {p.code for p in people}
        forms_of_month = [n for n in inside if "mau-01" in n]
        forms_of_year = [n for n in inside if "xep-loai" in n]
        assert len(forms_of_month) == len([p for p in people if p.id in month])
        assert len(forms_of_year) == len(people)
        assert all(any(f"-{c}-" in n for c in codes) for n in forms_of_month + forms_of_year)
        assert "000-tong-hop-2026-11.docx" in inside and "000-tong-hop-2026.docx" in inside
        assert f"{len(forms_of_month) + len(forms_of_year)} phiếu" in replies[0].text


def test_forms_are_refused_politely_before_anything_is_published(tmp_path):
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.OPEN)
    chat = Chat(engine)
    chat.send(f"/start {codes['nv01']}")
    replies = chat.send("/forms")
    assert not documents(replies)
    assert "Chưa có kết quả nào được công bố" in chat.text


@pytest.mark.parametrize("command", ["/forms", "/phieu"])
def test_the_help_names_the_forms(tmp_path, command):
    engine = database(tmp_path)
    codes = small_organization(engine)
    chat = Chat(engine)
    chat.send(f"/start {codes['nv01']}")
    assert "/forms" in "\n".join(r.text for r in chat.send("/help"))
    assert chat.send(command)  # answered, never "unknown command"
    assert "không nhận diện" not in chat.text.lower()


def test_the_summary_lists_each_person_not_rated_with_their_own_unit():
    """Two people of one name in two units, neither rated: each row names its own unit."""
    entries = [
        ("Phòng Tổ chức", "Nguyễn Văn An", None, L.NO_ASSESSMENT),
        ("Thanh tra Sở", "Nguyễn Văn An", None, L.NO_TASKS),
        ("Thanh tra Sở", "Lê Thị Bình", "B", None),
    ]
    _, tables = texts(summary_table("Sở Thử nghiệm", L.SUMMARY_TITLE, "Năm 2026", entries))
    assert [row[1:] for row in tables[2][1:]] == [
        ["Nguyễn Văn An", "Phòng Tổ chức", L.NO_ASSESSMENT],
        ["Nguyễn Văn An", "Thanh tra Sở", L.NO_TASKS],
    ]


def test_the_directors_zip_reads_the_sheets_once(demo_year, monkeypatch):
    """The summary table and the forms of the period and of the year come from one read of
    each (the old /forms read each twice)."""
    calls = Counter()

    def counted(read):
        def wrapper(*args, **kwargs):
            calls[read.__name__] += 1
            return read(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(forms, "period_sheets", counted(forms.period_sheets))
    monkeypatch.setattr(forms, "year_sheets", counted(forms.year_sheets))
    replies = chat_of(demo_year, "bgd-01").send("/forms")
    assert [name for name in documents(replies) if name.endswith(".zip")]
    assert calls == {"period_sheets": 1, "year_sheets": 1}


def test_a_draft_never_submitted_puts_no_self_scores_on_the_form(demo_year, tmp_path):
    """Only a submitted self-assessment is the person's: a draft left in a published
    period (its scores never sent) leaves the form's self column empty."""
    with transaction(demo_year) as s:
        period = s.exec(select(Period).where(Period.code == "2026-11")).one()
        assessment = s.exec(
            select(SelfAssessment).where(SelfAssessment.period_id == period.id)
        ).first()
        assessment.status = AssessmentStatus.DRAFT
        s.add(assessment)
        who = s.get(Person, assessment.person_id)
    out = tmp_path / "draft.docx"
    argv = ["form", "--org", ORG, "--period", "2026-11", "--person", who.code, "--out", str(out)]
    assert admin(*argv) == 0
    paragraphs, tables = texts(out.read_bytes())
    assert f"{L.NAME}{who.full_name}" in paragraphs
    items = [row for row in tables[1][1:-1] if row[0].isdigit()]
    assert len(items) == 10 and all(row[3] == "" for row in items)
