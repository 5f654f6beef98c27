"""A month simulated with a controlled clock: the cycle's steps at their times, exactly
once, through a restart; reviews in the chat; the classification run; publication; and the
outbox drained to the fake Telegram server.

November 2026 with the default calendar: opening Thu 26/11 08:00 (the 3rd-last working day),
reminders 27/11 and 30/11 at 08:00, deadline Mon 30/11 17:00, head review by Wed 2/12
17:00, director review by Fri 4/12 17:00, publication Mon 7/12 09:00 (Hà Nội time).
"""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import openpyxl
from sqlmodel import Session, select

from bot.telegram_aiogram import AiogramTelegram
from cycle.steps import tick
from delivery.sender import Clock, OutboxSender
from handlers.events import payload_to_replies
from storage.db import make_engine
from storage.models import (
    AssessmentStatus,
    AuditLog,
    CycleStep,
    OutboxMessage,
    Period,
    PeriodStatus,
    Person,
    Result,
    Review,
    SelfAssessment,
    Task,
)
from tests.chat import Chat, database, small_organization
from tests.fake_telegram import fake_telegram_fixture  # noqa: F401


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Hà Nội wall-clock time of 2026, in UTC."""
    return (
        datetime(2026, month, day, hour - 7, minute, tzinfo=UTC)
        if hour >= 7
        else datetime(2026, month, day - 1, hour + 17, minute, tzinfo=UTC)
    )


def outbox(engine, kind: str | None = None) -> list[OutboxMessage]:
    with Session(engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [r for r in rows if kind is None or r.kind == kind]


def recipients(engine, kind: str) -> list[str]:
    with Session(engine) as s:
        codes = {p.id: p.code for p in s.exec(select(Person))}
    return sorted(codes[r.person_id] for r in outbox(engine, kind))


def month(tmp_path, platform: str = "test"):
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING)
    chats = {}
    for number, code in enumerate(("tp01", "nv01", "nv02"), start=1):
        chat = Chat(engine, chat_id=str(100 + number), now=at(20, 9), platform=platform)
        chat.send(f"/start {codes[code]}")
        chats[code] = chat
    return engine, chats


def test_nothing_happens_before_the_opening(tmp_path):
    engine, _ = month(tmp_path)
    assert tick(engine, at(26, 7, 59)) == []
    assert outbox(engine) == []


def test_the_opening_reaches_everyone_once_even_when_the_job_runs_twice(tmp_path):
    engine, _ = month(tmp_path)
    done = tick(engine, at(26, 8))
    assert [d.split()[-1] for d in done] == ["open", "remind:open"]
    assert tick(engine, at(26, 8, 1)) == []  # the job runs again: nothing twice
    assert recipients(engine, "remind") == ["nv01", "nv02", "tp01"]
    with Session(engine) as s:
        assert s.exec(select(Period)).one().status is PeriodStatus.OPEN


def test_two_schedulers_at_once_send_no_reminder_twice(tmp_path):
    """Two processes' ticks at the same moment (two engines on one database, threads; on
    PostgreSQL with TEST_POSTGRESQL), at the opening and at each reminder: each person
    gets each reminder once, whichever process wrote it."""
    engine, _ = month(tmp_path)
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        for moment in (at(26, 8), at(27, 8), at(30, 8)):
            start = threading.Barrier(2)

            def run(db, moment=moment, start=start):
                start.wait()
                return tick(db, moment)

            with ThreadPoolExecutor(2) as pool:
                list(pool.map(run, (engine, other)))
    finally:
        other.dispose()
    keys = [r.key for r in outbox(engine, "remind")]
    assert len(keys) == len(set(keys)) == 9  # 3 people x the opening, d-1 and d-0
    assert recipients(engine, "remind") == ["nv01"] * 3 + ["nv02"] * 3 + ["tp01"] * 3


def test_reminders_go_only_to_those_who_have_not_submitted(tmp_path):
    engine, chats = month(tmp_path)
    tick(engine, at(26, 8))
    submit(chats["nv01"], at(26, 10))
    tick(engine, at(27, 8))
    rows = [r for r in outbox(engine, "remind") if "d-1" in r.key]
    with Session(engine) as s:
        codes = {p.id: p.code for p in s.exec(select(Person))}
    assert sorted(codes[r.person_id] for r in rows) == ["nv02", "tp01"]


def test_a_restart_that_missed_its_times_catches_up_without_stale_reminders(tmp_path):
    engine, chats = month(tmp_path)
    tick(engine, at(26, 8))
    submit(chats["nv01"], at(26, 10))
    engine.dispose()  # the bot was down from the 26th to the 1st of December
    restarted = make_engine(str(engine.url))
    done = [d.split()[-1] for d in tick(restarted, at(1, 9, month=12))]
    assert done == ["remind:d-1", "remind:d-0", "close"]
    assert [r for r in outbox(restarted, "remind") if "d-1" in r.key or "d-0" in r.key] == []
    assert recipients(restarted, "late_list") == ["tp01"]
    late = outbox(restarted, "late_list")[0].payload
    assert "Lê Minh Tuấn" in str(late) and "Trần Thị Mai" not in str(late)
    assert tick(restarted, at(1, 9, month=12)) == []


def test_messages_made_in_quiet_hours_wait_for_the_morning(tmp_path):
    engine, _ = month(tmp_path)
    tick(engine, at(26, 22, 30))  # the bot comes up late in the evening: opening is due
    for row in outbox(engine, "remind"):
        assert row.not_before == at(27, 7)


def test_the_whole_month_reviews_classification_and_publication(tmp_path):
    engine, chats = month(tmp_path)
    tick(engine, at(26, 8))
    submit(chats["nv01"], at(26, 10))
    tick(engine, at(30, 17))  # deadline: closed, late list and a review request to the head
    assert recipients(engine, "review_request") == ["tp01"]
    head = chats["tp01"]
    head.now = at(1, 9, month=12)
    head.send("/review")
    assert "Trần Thị Mai" in head.text
    head.press("Đồng ý")
    assert "Đã xem xét hết" in head.text
    with Session(engine) as s:
        assert s.exec(select(Review)).one().decision == "agree"
    tick(engine, at(4, 17, month=12))  # classification, not yet published
    with Session(engine) as s:
        results = {s.get(Person, r.person_id).code: r for r in s.exec(select(Result))}
        assert results["nv01"].level == "A" and results["nv01"].published_at is None
        assert results["nv02"].level is None  # did not submit
    assert outbox(engine, "result") == []
    tick(engine, at(7, 9, month=12))
    assert recipients(engine, "result") == ["nv01", "nv02", "tp01"]
    person = chats["nv01"]
    person.now = at(7, 10, month=12)
    person.send("/result")
    assert "Hoàn thành xuất sắc nhiệm vụ (A)" in person.text
    digest = payload_to_replies(outbox(engine, "digest")[0].payload)
    assert "Hoàn thành xuất sắc nhiệm vụ (A): 1" in digest[0].text
    assert "Lê Minh Tuấn" in digest[0].text  # did not submit
    chart = next(r.document for r in digest if r.document and r.document.filename.endswith(".png"))
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    workbook = next(
        r.document for r in digest if r.document and r.document.filename.endswith(".xlsx")
    )
    # the export of the unit (papers/exports.py): a summary sheet, then the unit's
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    sheet = book.worksheets[1]
    headings = [c.value for c in sheet[5]]
    rows = {
        row[1]: dict(zip(headings, row, strict=True))
        for row in sheet.iter_rows(min_row=6, values_only=True)
    }
    assert rows["nv01"]["Điểm"] == 100
    assert rows["nv01"]["Mức xếp loại chính thức"] == "Hoàn thành xuất sắc nhiệm vụ (A)"
    with Session(engine) as s:
        steps = [
            c.step
            for c in s.exec(
                select(CycleStep).where(CycleStep.period_code == "2026-11").order_by(CycleStep.id)
            )
        ]
        assert steps == [
            "open",
            "remind:open",
            "remind:d-1",
            "remind:d-0",
            "close",
            "remind:head_review",
            "close:head_review",
            "remind:director_review",
            "classify",
            "publish",
        ]
        november = s.exec(select(Period).where(Period.code == "2026-11")).one()
        assert november.status is PeriodStatus.PUBLISHED


def submit(
    chat: Chat,
    now: datetime,
    outcomes: tuple[str, ...] = ("Hoàn thành vượt mức", "Hoàn thành đúng tiến độ"),
) -> None:
    """A full self-assessment at `now`, proposing A."""
    chat.now = now
    chat.send("/assess")
    chat.score_all()
    for outcome in outcomes:
        chat.press(outcome)
    chat.press("Không có")
    chat.press("Không có")
    chat.press("Đề xuất mức")
    chat.press("(A)")
    chat.press("Gửi")
    assert "Đã gửi bản tự đánh giá" in chat.text


def test_status_shows_the_head_who_has_submitted_in_real_time(tmp_path):
    engine, chats = month(tmp_path)
    tick(engine, at(26, 8))
    head = chats["tp01"]
    head.now = at(26, 9)
    head.send("/status")
    assert "0/2 người đã nộp" in head.text
    submit(chats["nv01"], at(26, 10))
    chats["nv02"].now = at(26, 10)
    chats["nv02"].send("/assess")
    head.now = at(26, 11)
    head.send("/status")
    assert "1/2 người đã nộp" in head.text
    assert "Trần Thị Mai: ✅ đã gửi lúc 10:00 26/11" in head.text
    assert "Lê Minh Tuấn: ⏳ đang làm" in head.text
    chats["nv01"].send("/status")
    assert "dành cho lãnh đạo đơn vị" in chats["nv01"].text


def test_the_director_reviews_the_heads_sees_the_quota_and_marks_the_exemplary(tmp_path):
    from storage import invites
    from storage.db import transaction
    from storage.models import Role, RoleGroup, Unit

    engine, chats = month(tmp_path)
    with transaction(engine) as s:
        org_id = s.exec(select(Person)).first().organization_id
        unit = Unit(organization_id=org_id, code="ban-giam-doc", name="Ban Giám đốc")
        group = RoleGroup(organization_id=org_id, code="lanh-dao-so", name="Lãnh đạo Sở")
        s.add(unit)
        s.add(group)
        s.flush()
        director = Person(
            organization_id=org_id,
            code="gd01",
            full_name="Ngô Thị Hương",
            unit_id=unit.id,
            group_id=group.id,
            role=Role.DIRECTOR,
        )
        s.add(director)
        s.flush()
        code = invites.issue(s, director, now=at(20, 9))[0]
    boss = Chat(engine, chat_id="900", now=at(20, 9))
    boss.send(f"/start {code}")
    tick(engine, at(26, 8))
    with transaction(engine) as s:
        head = s.exec(select(Person).where(Person.code == "tp01")).one()
        november = s.exec(select(Period).where(Period.code == "2026-11")).one()
        s.add(Task(person_id=head.id, period_id=november.id, title="Tổng hợp báo cáo quý"))
    submit(chats["tp01"], at(26, 10), outcomes=("Hoàn thành vượt mức",))
    tick(engine, at(30, 17))
    assert recipients(engine, "review_request") == ["gd01"]  # nv01/nv02 did not submit
    boss.now = at(3, 9, month=12)
    boss.send("/review")
    assert "Phòng Tổ chức — Chuyên viên: 1 → 1" in boss.text  # the head's A, kept
    assert "Xem xét: Nguyễn Văn Hùng" in boss.text
    boss.press("Đồng ý")
    tick(engine, at(4, 17, month=12))  # the run: no exemplary yet, no reward
    with Session(engine) as s:
        head_result = s.exec(select(Result).join(Person).where(Person.code == "tp01")).one()
        assert (head_result.level, head_result.reward_vnd) == ("A", 0)
    boss.now = at(5, 9, month=12)  # after the run, before publication: still counts
    boss.send("/review")
    boss._handle(payload=f"rv:open:{head_result.id and _assessment_id(engine, 'tp01')}")
    boss.press("Tiêu biểu trong tháng")
    assert "tính lại" in boss.text
    tick(engine, at(7, 9, month=12))
    with Session(engine) as s:
        head_result = s.exec(select(Result).join(Person).where(Person.code == "tp01")).one()
        assert (head_result.level, head_result.reward_vnd) == ("A", 702_000)
        marks = s.exec(select(AuditLog).where(AuditLog.field == "director.exemplary")).all()
        assert [m.after for m in marks] == [True]


def test_the_director_rates_a_heads_organising_and_cohesion_and_sees_d(tmp_path):
    """NĐ 335 Điều 15-16: a leader's task points are 70 x (a + b + c + d + đ + e) / 6; the
    rater gives đ and e at 100% or 50% (a reason for 50%); d comes from the people led."""
    from storage import invites
    from storage.db import transaction
    from storage.models import Role, RoleGroup, Unit

    engine, chats = month(tmp_path)
    with transaction(engine) as s:
        org_id = s.exec(select(Person)).first().organization_id
        unit = Unit(organization_id=org_id, code="ban-giam-doc", name="Ban Giám đốc")
        group = RoleGroup(organization_id=org_id, code="lanh-dao-so", name="Lãnh đạo Sở")
        s.add(unit)
        s.add(group)
        s.flush()
        director = Person(
            organization_id=org_id,
            code="gd01",
            full_name="Ngô Thị Hương",
            unit_id=unit.id,
            group_id=group.id,
            role=Role.DIRECTOR,
        )
        s.add(director)
        head = s.exec(select(Person).where(Person.code == "tp01")).one()
        november = s.exec(select(Period).where(Period.code == "2026-11")).one()
        s.add(Task(person_id=head.id, period_id=november.id, title="Tổng hợp báo cáo quý"))
        s.flush()
        code = invites.issue(s, director, now=at(20, 9))[0]
    boss = Chat(engine, chat_id="900", now=at(20, 9))
    boss.send(f"/start {code}")
    tick(engine, at(26, 8))
    submit(chats["tp01"], at(26, 10), outcomes=("Hoàn thành đúng tiến độ",))
    tick(engine, at(30, 17))
    boss.now = at(3, 9, month=12)
    boss.send("/review")
    assert "Xem xét: Nguyễn Văn Hùng" in boss.text
    assert "(d): trong kỳ không có người thuộc phạm vi quản lý được đánh giá" in boss.text
    assert "đ) Khả năng tổ chức triển khai thực hiện nhiệm vụ: chưa đánh giá" in boss.text
    boss.press("e 50%")
    boss.send("Chưa tạo được sự đồng thuận trong phòng về phân công nhiệm vụ")
    assert "e) Năng lực tập hợp, đoàn kết công chức thuộc phạm vi quản lý: 50%" in boss.text
    boss.press("đ 100%")
    boss.press("Đồng ý")
    tick(engine, at(4, 17, month=12))
    with Session(engine) as s:
        result = s.exec(select(Result).join(Person).where(Person.code == "tp01")).one()
        # 30 + 70 x (1 + 1 + 1 + 1 + 1 + 0.5) / 6 = 30 + 64.17
        assert result.score == 94.17
        assert result.breakdown["e"] == 0.5 and result.breakdown["dd"] == 1
        parts = s.exec(select(AuditLog).where(AuditLog.field == "director.cohesion")).one()
        assert (parts.after, parts.reason) == (
            0.5,
            "Chưa tạo được sự đồng thuận trong phòng về phân công nhiệm vụ",
        )


def _assessment_id(engine, code: str) -> int:
    with Session(engine) as s:
        return s.exec(select(SelfAssessment.id).join(Person).where(Person.code == code)).one()


def test_a_returned_submission_not_corrected_counts_as_it_stood(tmp_path):
    engine, chats = month(tmp_path)
    tick(engine, at(26, 8))
    submit(chats["nv01"], at(26, 10))
    tick(engine, at(30, 17))
    head = chats["tp01"]
    head.now = at(1, 9, month=12)
    head.send("/review")
    head.press("Trả lại để sửa")
    head.send("Đề nghị bổ sung minh chứng cho nhiệm vụ số 1")
    assert tick(engine, at(2, 17, month=12))[-1].endswith("close:head_review")
    with Session(engine) as s:
        assessment = s.exec(select(SelfAssessment)).one()
        assert assessment.status is AssessmentStatus.SUBMITTED
    told = {r.chat_id: str(r.payload) for r in outbox(engine, "not_corrected")}
    assert "Trần Thị Mai" in told["101"]  # to the head, naming the person
    assert "bản đồng chí đã gửi được dùng để xếp loại" in told["102"]  # to the person
    assert recipients(engine, "not_corrected") == ["nv01", "tp01"]
    tick(engine, at(7, 9, month=12))
    with Session(engine) as s:
        result = s.exec(select(Result).join(Person).where(Person.code == "nv01")).one()
        assert result.level == "A"  # rated as submitted, never "not submitted"


def test_a_reviewers_reminder_whose_deadline_passed_while_down_is_dropped(tmp_path):
    engine, chats = month(tmp_path)
    tick(engine, at(26, 8))
    submit(chats["nv01"], at(26, 10))
    tick(engine, at(30, 17))  # the review request goes at the deadline
    engine.dispose()  # down from the 30th to the 3rd: the heads' deadline (2/12) passed
    restarted = make_engine(str(engine.url))
    done = [d.split()[-1] for d in tick(restarted, at(3, 9, month=12))]
    assert "remind:head_review" in done
    assert [r for r in outbox(restarted, "remind") if "head_review" in r.key] == []


class FixedClock(Clock):
    """The sender's clock at a moment of the simulated month (sleeps are real)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


async def test_the_month_reaches_the_people_through_telegram(tmp_path, fake_telegram):
    engine, chats = month(tmp_path, platform="telegram")
    bot = fake_telegram.aiogram_bot()
    try:
        tick(engine, at(26, 8))
        counts = await OutboxSender(
            engine, AiogramTelegram(bot), rate=30, clock=FixedClock(at(26, 8))
        ).run_until_idle()
        assert counts.sent == 3
        assert "Đã mở tự đánh giá tháng 11/2026" in fake_telegram.last(102)["text"]
        submit(chats["nv01"], at(26, 10))
        for moment in (at(30, 17), at(4, 17, month=12), at(7, 9, month=12)):
            tick(engine, moment)
        counts = await OutboxSender(
            engine, AiogramTelegram(bot), rate=30, clock=FixedClock(at(7, 9, month=12))
        ).run_until_idle()
        assert counts.failed == 0
    finally:
        await bot.session.close()
    fake_telegram.assert_no_rejections()
    received = "\n".join(m["text"] for m in fake_telegram.sent(102))
    assert "Kết quả theo dõi, đánh giá tháng 11/2026: Hoàn thành xuất sắc nhiệm vụ (A)" in received
    head = fake_telegram.sent(101)
    assert any("Lê Minh Tuấn" in m["text"] for m in head)  # the late list
    assert len(fake_telegram.calls_to("sendDocument")) == 2  # the head's chart and Excel
    with Session(engine) as s:
        assert all(r.status.value == "sent" for r in s.exec(select(OutboxMessage)))


def test_an_organization_tracked_by_quarter_opens_the_quarter_at_its_end(tmp_path):
    engine, chats = month(tmp_path)
    with Session(engine) as s:
        from storage.models import Organization

        org = s.exec(select(Organization)).one()
        org.calendar = {"tracking": "quarter"}
        s.add(org)
        s.commit()
    # December 2026: the last working day is Thu 31/12, the 3rd-last Tue 29/12
    assert tick(engine, at(28, 9, month=12)) == []  # nothing due yet for the quarter
    done = [d.split()[1:] for d in tick(engine, at(29, 8, month=12))]
    assert ["2026-Q4", "open"] in done and ["2026-Q4", "remind:open"] in done
    opening = payload_to_replies(outbox(engine, "remind")[-1].payload)[0].text
    assert "Đã mở tự đánh giá quý IV năm 2026" in opening
    chat = chats["nv02"]
    chat.now = at(29, 9, month=12)
    chat.send("/assess")
    assert "Tự đánh giá quý IV năm 2026" in chat.text
    tick(engine, at(31, 17, month=12))
    with Session(engine) as s:
        q4 = s.exec(select(Period).where(Period.code == "2026-Q4")).one()
        assert q4.status is PeriodStatus.CLOSED


def test_each_person_category_is_rated_on_its_ruleset_and_the_result_names_the_basis(
    tmp_path, monkeypatch
):
    """NĐ 335 is for công chức: the organization chooses the rules of its viên chức (here
    the agency's monthly practice, by `admin settings`); each result names its basis."""
    from bot.admin import main as admin
    from storage.models import Category

    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING, ruleset=None)
    with Session(engine) as s:
        tuan = s.exec(select(Person).where(Person.code == "nv02")).one()
        tuan.category = Category.PUBLIC_EMPLOYEE
        november = s.exec(select(Period)).one()
        s.add(tuan)
        s.add(Task(person_id=tuan.id, period_id=november.id, title="Rà soát hồ sơ viên chức"))
        s.commit()
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    settings = ["settings", "--org", "so-test", "--category-ruleset", "vien_chuc=agency-monthly"]
    assert admin(settings, clock=lambda: at(20, 9)) == 0
    chats = {}
    for number, code in enumerate(("tp01", "nv01", "nv02"), start=1):
        chats[code] = Chat(engine, chat_id=str(100 + number), now=at(20, 9))
        chats[code].send(f"/start {codes[code]}")
    tick(engine, at(26, 8))
    submit(chats["nv01"], at(26, 10))
    submit(chats["nv02"], at(26, 10), outcomes=("Hoàn thành đúng tiến độ",))
    tick(engine, at(30, 17))
    head = chats["tp01"]
    head.now = at(1, 9, month=12)
    head.send("/review")
    head.press("Đồng ý")
    head.press("Đồng ý")
    tick(engine, at(7, 9, month=12))  # classified and published
    with Session(engine) as s:
        bases = {
            s.get(Person, r.person_id).code: r.ruleset
            for r in s.exec(select(Result))
            if r.level is not None
        }
    assert bases == {"nv01": "nd335", "nv02": "agency-monthly"}
    law = "Căn cứ đánh giá: Nghị định 335/2025/NĐ-CP (từ tháng 01/2026)"
    practice = (
        "Căn cứ đánh giá: Nghị định 335/2025/NĐ-CP và thực tiễn xếp loại hằng tháng của cơ quan"
    )
    texts = {}
    for row in outbox(engine, "result"):
        with Session(engine) as s:
            code = s.get(Person, row.person_id).code
        texts[code] = payload_to_replies(row.payload)[0].text
    assert law in texts["nv01"] and practice not in texts["nv01"]
    assert practice in texts["nv02"]
    person = chats["nv02"]
    person.now = at(7, 10, month=12)
    person.send("/result")
    assert practice in person.text


def test_an_organization_on_nd90_runs_a_month_through_the_chat(tmp_path, monkeypatch):
    """`nd90` (chosen by `admin settings`) asks its four criteria from 0 to 10 and rates by
    the shares of tasks: 1 of 2 tasks exceeded (50%) with every criterion good is A; one
    task on time is B, and NĐ 48's quota keeps the A to B. No points are shown, and the
    result names NĐ 90 as its basis."""
    from bot.admin import main as admin

    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING, ruleset=None)
    with Session(engine) as s:
        tuan = s.exec(select(Person).where(Person.code == "nv02")).one()
        november = s.exec(select(Period)).one()
        s.add(Task(person_id=tuan.id, period_id=november.id, title="Rà soát hồ sơ"))
        s.commit()
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    assert (
        admin(["settings", "--org", "so-test", "--ruleset", "nd90"], clock=lambda: at(20, 9)) == 0
    )
    chats = {}
    for number, code in enumerate(("tp01", "nv01", "nv02"), start=1):
        chats[code] = Chat(engine, chat_id=str(100 + number), now=at(20, 9))
        chats[code].send(f"/start {codes[code]}")
    tick(engine, at(26, 8))
    mai = chats["nv01"]
    mai.now = at(26, 10)
    mai.send("/assess")
    assert "Chính trị tư tưởng" in mai.text
    assert next(label for label in mai.labels() if label.isdigit()) == "10"
    for label in ("Chính trị tư tưởng", "Đạo đức, lối sống", "Tác phong", "Ý thức tổ chức"):
        assert label in mai.text
        mai.score(10)
    mai.press("Hoàn thành vượt mức")
    mai.press("Hoàn thành đúng tiến độ")
    mai.press("Không có")
    mai.press("Không có")
    mai.press("Đề xuất mức")
    mai.press("(A)")
    assert "Mức xếp loại tạm tính: Hoàn thành xuất sắc nhiệm vụ (A)" in mai.text
    assert "Chính trị tư tưởng: 10/10" in mai.text
    mai.press("Gửi")
    assert "Đã gửi bản tự đánh giá" in mai.text
    tuan = chats["nv02"]
    tuan.now = at(26, 10)
    tuan.send("/assess")
    tuan.score_all((10, 9, 8, 8))
    tuan.press("Hoàn thành đúng tiến độ")
    tuan.press("Không có")
    tuan.press("Không có")
    tuan.press("Đề xuất mức")
    tuan.press("(B)")
    tuan.press("Gửi")
    assert "Đã gửi bản tự đánh giá" in tuan.text
    tick(engine, at(30, 17))
    head = chats["tp01"]
    head.now = at(1, 9, month=12)
    head.send("/review")
    assert "Theo quy định: Hoàn thành xuất sắc nhiệm vụ (A)" in head.text
    head.press("Đồng ý")
    head.press("Đồng ý")
    tick(engine, at(7, 9, month=12))  # classified and published
    with Session(engine) as s:
        results = {s.get(Person, r.person_id).code: r for r in s.exec(select(Result))}
    rated = {code: r for code, r in results.items() if r.level is not None}
    assert {code: (r.level, r.score, r.ruleset) for code, r in rated.items()} == {
        "nv01": ("B", None, "nd90"),
        "nv02": ("B", None, "nd90"),
    }
    # A by the shares, kept to B by NĐ 48's quota: A at most 20% of those at B (1 → 0)
    assert [r["rule"] for r in rated["nv01"].reasons["vi"]] == [
        "nd90.excellent",
        "quota.good_share",
    ]
    assert [r["rule"] for r in rated["nv02"].reasons["vi"]] == ["nd90.good"]
    mai.now = at(7, 10, month=12)
    mai.send("/result")
    assert "Căn cứ đánh giá: Nghị định 90/2020/NĐ-CP" in mai.text
    assert "chỉ giữ được 0 người ở mức A" in mai.text
    assert "điểm" not in mai.text.lower()
