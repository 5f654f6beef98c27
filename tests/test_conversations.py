"""The conversations, driven through `handlers.dispatcher.handle` as an adapter drives them,
checked in the replies and in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from storage.models import (
    AssessmentStatus,
    AuditLog,
    CodeAttempts,
    Identity,
    Initiative,
    PeriodStatus,
    Person,
    SelfAssessment,
    Task,
    TaskKind,
    TaskOutcome,
)
from tests.chat import TOP, Chat, database, small_organization

KEYS = (  # the 10 items of Mẫu 01
    "politics_ethics_culture",
    "discipline",
    "competence",
    "meets_tasks",
    "responsibility",
    "service_coordination",
    "breakthrough",
    "hard_tasks",
    "accountability",
    "initiative",
)


@pytest.fixture
def engine(tmp_path):
    return database(tmp_path)


@pytest.fixture
def codes(engine):
    return small_organization(engine)


def registered(engine, codes, who: str = "nv01", chat_id: str = "100", **kw) -> Chat:
    chat = Chat(engine, chat_id=chat_id, **kw)
    chat.send(f"/start {codes[who]}")
    return chat


def assessment_row(engine, code: str = "nv01") -> SelfAssessment | None:
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.code == code)).one()
        return s.exec(select(SelfAssessment).where(SelfAssessment.person_id == person.id)).first()


EXPLANATION = "Chờ ý kiến thẩm định của Sở Tài chính về kinh phí"


def answer_all(
    chat: Chat,
    outcomes=("Hoàn thành đúng tiến độ", "Hoàn thành đúng tiến độ"),
    scores=TOP,
):
    """Every question in order; a task not done gets an explanation."""
    chat.press("Tự đánh giá")
    chat.score_all(scores)
    for outcome in outcomes:
        chat.press(outcome)
        if outcome == "Không hoàn thành":
            chat.send(EXPLANATION)
    chat.press("Không có")  # ad-hoc tasks
    chat.press("Không có")  # initiatives


# Registration ------------------------------------------------------------------------------


def test_start_with_a_valid_code_binds_the_chat_to_the_person(engine, codes):
    chat = registered(engine, codes)
    assert "Trần Thị Mai" in chat.text
    assert "Tự đánh giá" in " ".join(chat.labels())
    with Session(engine) as s:
        identity = s.exec(select(Identity)).one()
        assert (identity.platform, identity.chat_id) == ("test", "100")


def test_the_deep_link_code_is_case_insensitive_and_single_use(engine, codes):
    Chat(engine, chat_id="100").send(f"/start {codes['nv01'].lower()}")
    other = Chat(engine, chat_id="200")
    other.send(f"/start {codes['nv01']}")
    assert "không hợp lệ" in other.text
    with Session(engine) as s:
        assert len(s.exec(select(Identity)).all()) == 1


def test_a_stranger_gets_a_polite_message_and_nothing_else(engine, codes):
    chat = Chat(engine, chat_id="999")
    for text in ("xin chào", "/menu", "/assess", "/result"):
        chat.send(text)
        assert "chưa được đăng ký" in chat.text
        assert chat.labels() == []
    with Session(engine) as s:
        assert s.exec(select(Identity)).all() == []


def test_five_wrong_codes_lock_the_chat_for_fifteen_minutes(engine, codes):
    chat = Chat(engine, chat_id="300")
    for tries_left in (4, 3, 2, 1):
        chat.send("/start WRONG123")
        assert f"còn {tries_left} lần" in chat.text
    chat.send("/start WRONG123")
    assert "thử lại sau 10:15" in chat.text
    chat.send(f"/start {codes['nv02']}")  # even the right code waits
    assert "thử lại sau" in chat.text
    chat.later(minutes=16).send(f"/start {codes['nv02']}")
    assert "Lê Minh Tuấn" in chat.text


def test_a_replayed_update_is_processed_once(engine, codes):
    from handlers.dispatcher import ChatSettings, handle
    from handlers.events import Incoming

    incoming = Incoming(
        platform="test",
        chat_id="100",
        user_id="100",
        update_id="42",
        text=f"/start {codes['nv01']}",
    )
    first = handle(engine, incoming, ChatSettings())
    again = handle(engine, incoming, ChatSettings())
    assert first and again == []


# The self-assessment -----------------------------------------------------------------------


def test_full_self_assessment_is_stored_and_submitted(engine, codes):
    chat = registered(engine, codes)
    answer_all(chat, outcomes=("Hoàn thành vượt mức", "Hoàn thành đúng tiến độ"))
    assert "100/100" in chat.text and "Hoàn thành xuất sắc nhiệm vụ (A)" in chat.text
    chat.press("Đề xuất mức")
    chat.press("(A)")
    chat.press("Gửi")
    assert "Đã gửi bản tự đánh giá" in chat.text
    row = assessment_row(engine)
    assert row.status is AssessmentStatus.SUBMITTED
    assert row.general == dict(zip(KEYS, TOP, strict=True))
    assert row.proposed_level == "A"
    with Session(engine) as s:
        statuses = sorted(o.status for o in s.exec(select(TaskOutcome)))
        assert statuses == ["exceeded", "on_time"]
        assert s.exec(select(AuditLog).where(AuditLog.field == "proposed_level")).one().after == "A"


def test_the_summary_shows_the_parts_of_the_task_results_as_the_form_does(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.score_all()
    chat.press("Hoàn thành đúng tiến độ")
    chat.press("Hoàn thành chậm tiến độ")
    chat.press("1")
    chat.press("Không có")
    chat.press("Không có")
    # one delay of two tasks: progress (1 + 0.75) / 2 = 87.5%; 70 x (1 + 1 + 0.875) / 3
    assert (
        "Kết quả thực hiện nhiệm vụ: 67,08/70 — a) số lượng 100%; b) chất lượng 100%; "
        "c) tiến độ 87,5%" in chat.text
    )
    assert "d) kết quả" not in chat.text  # the leaders' parts are for leaders


def test_late_task_asks_the_delays_and_not_done_asks_an_explanation(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.score_all()
    chat.press("Hoàn thành chậm tiến độ")
    assert "chậm tiến độ mấy lần" in chat.text
    chat.press("2")
    chat.press("Không hoàn thành")
    chat.send("ngắn")  # too short to be an explanation
    assert "từ 10 đến 1000 ký tự" in chat.text
    chat.send("Chờ ý kiến thẩm định của Sở Tài chính về kinh phí")
    with Session(engine) as s:
        outcomes = {o.status: o for o in s.exec(select(TaskOutcome))}
        assert outcomes["late"].delays == 2
        assert outcomes["not_done"].explanation.startswith("Chờ ý kiến")
        assert outcomes["not_done"].explanation_status == "submitted"


def test_proposing_above_the_computed_level_asks_for_a_reason(engine, codes):
    chat = registered(engine, codes)
    answer_all(chat, outcomes=("Hoàn thành đúng tiến độ", "Không hoàn thành"))
    chat.press("Đề xuất mức")
    chat.press("(A)")
    assert "cao hơn mức" in chat.text and "lý do" in chat.text
    chat.press("Gửi") if "Gửi" in " ".join(chat.labels()) else None
    assert assessment_row(engine).status is AssessmentStatus.DRAFT
    chat.send("Nhiệm vụ chưa hoàn thành do nguyên nhân khách quan từ Sở Tài chính")
    chat.press("Gửi")
    row = assessment_row(engine)
    assert row.status is AssessmentStatus.SUBMITTED
    assert row.proposal_reason.startswith("Nhiệm vụ chưa hoàn thành")


def test_the_summary_names_tasks_by_title_never_by_key(tmp_path):
    engine = database(tmp_path)
    codes = small_organization(engine, tasks=3)  # 2 done of 3: B by the score, capped at C
    chat = registered(engine, codes)
    outcomes = ("Hoàn thành đúng tiến độ", "Không hoàn thành", "Hoàn thành đúng tiến độ")
    answer_all(chat, outcomes=outcomes)
    caps = [line for line in chat.text.splitlines() if line.startswith("⚠️")]
    assert caps and "“Nhiệm vụ số 2”" in caps[0]
    with Session(engine) as s:
        key = s.exec(select(Task).where(Task.title == "Nhiệm vụ số 2")).one().id
    assert f": {key}" not in caps[0] and f"({key})" not in caps[0]


def test_the_general_criteria_can_be_scored_as_last_period_and_are_shown_before_submitting(
    engine, codes
):
    from datetime import UTC, datetime

    from storage.models import Period

    earlier = dict(zip(KEYS, (4.5, 5, 2, 2.5, 2.5, 2.5, 1.5, 2.5, 2.5, 2), strict=True))
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.code == "nv01")).one()
        october = Period(organization_id=person.organization_id, code="2026-10")
        s.add(october)
        s.flush()
        s.add(
            SelfAssessment(
                person_id=person.id,
                period_id=october.id,
                general=earlier,
                status=AssessmentStatus.SUBMITTED,
                submitted_at=datetime(2026, 10, 30, 3, 0, tzinfo=UTC),
            )
        )
        s.commit()
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.press("Như kỳ trước")
    assert "như tháng 10/2026" in chat.text
    assert "Nhiệm vụ 1/2" in chat.text  # on to the tasks
    assert assessment_row(engine).general == earlier
    chat.press("Hoàn thành đúng tiến độ")
    chat.press("Hoàn thành đúng tiến độ")
    chat.press("Không có")
    chat.press("Không có")
    assert "Năng lực chuyên môn, nghiệp vụ theo yêu cầu của vị trí việc làm: 2/2,5" in chat.text
    assert "văn hóa thực thi công vụ: 4,5/5" in chat.text
    with Session(engine) as s:
        changes = s.exec(select(AuditLog).where(AuditLog.field.startswith("general."))).all()
        assert len(changes) == 10  # each copied score is audited


def test_as_last_period_is_offered_only_when_there_is_a_last_period(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    assert "Như kỳ trước" not in " ".join(chat.labels())
    chat._handle(payload="as:same:politics_ethics_culture", message_id=1)  # nothing to copy
    assert "đã được trả lời" in chat.text and assessment_row(engine).general == {}


def test_back_goes_to_the_previous_question_and_changes_the_answer(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.score(5)
    chat.press("Quay lại")
    assert "Tiêu chí chung 1/10" in chat.text and "Đang chọn: 5" in chat.text
    chat.score(4.5)
    assert assessment_row(engine).general["politics_ethics_culture"] == 4.5


def test_edit_an_answer_from_the_summary_and_return_to_it(engine, codes):
    chat = registered(engine, codes)
    answer_all(chat)
    chat.press("Sửa")
    chat.press("Thái độ phục vụ")
    chat.score(1.5)
    assert "Tóm tắt tự đánh giá" in chat.text
    assert assessment_row(engine).general["service_coordination"] == 1.5


def test_ad_hoc_tasks_and_initiatives_are_recorded(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.score_all()
    chat.press("Hoàn thành đúng tiến độ")
    chat.press("Hoàn thành đúng tiến độ")
    assert "Không có" in " ".join(chat.labels())  # nothing added yet
    chat.send("Soạn thảo công văn trả lời kiến nghị của cử tri")
    assert "Nhiệm vụ đột xuất, phát sinh 1: “Soạn thảo công văn" in chat.text  # number 1
    chat.press("Hoàn thành vượt mức")
    assert "Soạn thảo công văn" in chat.text  # back to the list of ad-hoc tasks
    chat.press("Không còn")
    chat.send("Đề xuất số hóa hồ sơ thi đua khen thưởng")
    chat.press("Không còn")
    with Session(engine) as s:
        ad_hoc = s.exec(select(Task).where(Task.kind == TaskKind.AD_HOC)).one()
        assert ad_hoc.title.startswith("Soạn thảo")
        assert s.exec(select(Initiative)).one().title.startswith("Đề xuất")


def test_the_self_assessment_can_be_edited_after_submitting_until_the_deadline(engine, codes):
    chat = registered(engine, codes)
    answer_all(chat)
    chat.press("Đề xuất mức")
    chat.press("(A)")
    chat.press("Gửi")
    chat.send("/assess")
    chat.press("Sửa")
    chat.press("Ý thức kỷ luật")
    chat.score(4)
    assert "Bản tự đánh giá đã gửi được cập nhật" in chat.text
    assert assessment_row(engine).general["discipline"] == 4
    assert assessment_row(engine).status is AssessmentStatus.SUBMITTED
    chat.later(days=10, hours=8).send("/assess")  # 30/11 18:00 in Hà Nội: past 17:00
    assert "đã kết thúc" in chat.text
    assert "Sửa" not in " ".join(chat.labels())


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["tôi chấm 6 điểm", "😀👍", "   "])
def test_text_where_a_button_is_expected_changes_nothing(engine, codes, text):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.send(text)
    assert "Tiêu chí chung 1/10" in chat.text
    assert assessment_row(engine).general == {}


def test_a_score_may_be_typed_instead_of_pressed(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.send("4,5")
    assert assessment_row(engine).general == {"politics_ethics_culture": 4.5}
    chat.send("5.5")  # above the maximum of 5 of the next criterion
    assert "Tiêu chí chung 2/10" in chat.text
    chat.send("2.25")  # not in half points
    assert "discipline" not in assessment_row(engine).general


def statements_of(engine, chat: Chat, **fields) -> list[str]:
    """The SQL statements of one update of `chat`, a minute after its last one, handled
    as the adapters do (`delivery.inbound.receive`: the replies go to the outbox)."""
    from handlers.dispatcher import ChatSettings, handle
    from handlers.events import Incoming

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_) -> None:
        seen.append(statement)

    chat.later(minutes=1)
    incoming = Incoming(
        platform=chat.platform, chat_id=chat.chat_id, user_id=chat.chat_id, update_id="u1", **fields
    )
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert handle(engine, incoming, ChatSettings(), now=chat.now, outbox=True) == []
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


# What a score answered needs: the update marked processed, the chat's context (person,
# organization, conversation) in one read, the person's chat marked seen, the period, the
# self-assessment, the score and its audit, the next question's tasks, the conversation's
# step, the outbox row. A handler that reads the person, the organization or the period
# again per update exceeds it.
SCORE_STATEMENTS = 10


def test_a_score_typed_costs_a_bounded_number_of_statements(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.send("4,5")
    statements = statements_of(engine, chat, text="4")
    assert assessment_row(engine).general == {"politics_ethics_culture": 4.5, "discipline": 4}
    assert len(statements) <= SCORE_STATEMENTS, "\n".join(statements)


def test_a_score_pressed_costs_a_bounded_number_of_statements(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    payload = next(
        b.payload
        for r in chat.replies
        for row in r.buttons
        for b in row
        if b.payload.endswith(":5")
    )
    statements = statements_of(engine, chat, payload=payload, message_id=1)
    assert assessment_row(engine).general == {"politics_ethics_culture": 5}
    assert len(statements) <= SCORE_STATEMENTS, "\n".join(statements)


def test_a_5000_character_message_is_refused_politely_and_nothing_is_saved(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.score_all()
    chat.press("Hoàn thành đúng tiến độ")
    chat.press("Không hoàn thành")
    chat.send("x" * 5000)
    assert "quá dài" in chat.text
    with Session(engine) as s:
        assert (
            s.exec(select(TaskOutcome).where(TaskOutcome.status == "not_done")).one().explanation
            is None
        )


def test_a_stale_button_of_another_person_changes_nothing(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    other = registered(engine, codes, who="nv02", chat_id="200")
    other._handle(payload="as:t:1:e", message_id=1)  # task 1 belongs to nv01
    with Session(engine) as s:
        assert s.exec(select(TaskOutcome)).all() == []


@pytest.mark.parametrize(
    "payload",
    [
        "as:c:politics_ethics_culture:²",
        "as:c:politics_ethics_culture:①",
        "as:t:99999999999999999999:e",
        f"as:rmi:{2**63}",
    ],
)
def test_digits_that_are_not_ascii_and_huge_ids_are_answered_and_change_nothing(
    engine, codes, payload
):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat._handle(payload=payload, message_id=1)
    assert "Tiêu chí chung 1/10" in chat.text
    chat.send("²")
    assert "Tiêu chí chung 1/10" in chat.text
    assert assessment_row(engine).general == {}


def test_an_unexpected_failure_saves_nothing_and_says_so(engine, codes, monkeypatch, caplog):
    from handlers import menu

    def broken(ctx):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(menu, "show", broken)  # registration saves, then shows the menu
    chat = Chat(engine, chat_id="100")
    chat.send(f"/start {codes['nv01']}")
    assert "chưa được lưu" in chat.text
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)
    with Session(engine) as s:
        assert s.exec(select(Identity)).all() == []  # the registration was rolled back
    monkeypatch.undo()
    chat.send(f"/start {codes['nv01']}")  # the code was not spent
    assert "Trần Thị Mai" in chat.text


def test_an_unknown_command_shows_the_menu(engine, codes):
    chat = registered(engine, codes)
    chat.send("/xyz")
    assert "chưa nhận diện được lệnh này" in chat.text
    assert "Kế hoạch công tác" in " ".join(chat.labels())


# Restarts --------------------------------------------------------------------------------


def test_a_restart_mid_assessment_continues_where_the_person_was(engine, codes, tmp_path):
    from storage.db import make_engine

    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.score(5)
    chat.score(4.5)
    engine.dispose()  # the process dies; a new one opens the same database
    restarted = make_engine(str(engine.url))
    chat.engine = restarted
    chat.score(2)  # the button of the question shown before the restart
    assert assessment_row(restarted).general == dict(zip(KEYS, (5, 4.5, 2), strict=False))
    chat.send("/assess")
    assert "Tiêu chí chung 4/10" in chat.text


# The plan ----------------------------------------------------------------------------------


def test_plan_add_edit_and_remove_tasks_while_planning(tmp_path):
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING, tasks=0)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Thêm nhiệm vụ")
    chat.send("Dự thảo kế hoạch tuyển dụng năm 2027")
    chat.send("25/11")
    assert "1. Dự thảo kế hoạch tuyển dụng năm 2027 — hạn 25/11" in chat.text
    chat.press("Sửa 1")
    chat.press("Tên")
    chat.send("Dự thảo kế hoạch tuyển dụng công chức năm 2027")
    chat.press("Xóa 1")
    chat.press("Giữ lại")
    with Session(engine) as s:
        task = s.exec(select(Task)).one()
        assert task.title.endswith("công chức năm 2027")
        assert str(task.deadline) == "2026-11-25"
    chat.press("Xóa 1")
    chat.press("Xóa")
    with Session(engine) as s:
        assert s.exec(select(Task)).all() == []


def test_plan_is_closed_once_the_self_assessment_opens(engine, codes):
    chat = registered(engine, codes)
    chat.send("/plan")
    assert "Nhiệm vụ số 1" in chat.text
    assert "Thêm nhiệm vụ" not in " ".join(chat.labels())


def test_the_plan_window_closes_when_the_calendar_says(tmp_path):
    from datetime import UTC, datetime

    from storage.models import Period

    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING, tasks=0)
    with Session(engine) as s:  # 5th working day of November 2026, 17:00 in Hà Nội
        period = s.exec(select(Period)).one()
        period.plan_until = datetime(2026, 11, 6, 10, 0, tzinfo=UTC)
        s.add(period)
        s.commit()
    chat = registered(engine, codes)
    chat.now = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)
    chat.send("/plan")
    assert "điều chỉnh đến 17:00 ngày 06/11/2026" in chat.text
    chat.press("Thêm nhiệm vụ")
    chat.later(hours=2).send("Rà soát hồ sơ nâng lương")  # the title comes after 17:00
    assert "đã chốt lúc 17:00 ngày 06/11/2026" in chat.text
    assert "Thêm nhiệm vụ" not in " ".join(chat.labels())
    with Session(engine) as s:
        assert s.exec(select(Task)).all() == []


@pytest.mark.parametrize("title", ["😀👍", "!!!", "…"])
def test_a_title_without_words_is_refused_and_asked_again(tmp_path, title):
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING, tasks=0)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Thêm nhiệm vụ")
    chat.send(title)
    assert "gửi tên bằng chữ" in chat.text
    assert "gửi tên nhiệm vụ, ví dụ" in chat.text  # the question again
    with Session(engine) as s:
        assert s.exec(select(Task)).all() == []


def test_an_emoji_is_not_an_ad_hoc_task_nor_an_initiative(engine, codes):
    chat = registered(engine, codes)
    chat.press("Tự đánh giá")
    chat.score_all()
    chat.press("Hoàn thành đúng tiến độ")
    chat.press("Hoàn thành đúng tiến độ")
    chat.send("🎉🎉")
    assert "gửi tên bằng chữ" in chat.text and "nhiệm vụ đột xuất, phát sinh" in chat.text
    chat.press("Không có")
    chat.send("👍")
    assert "gửi tên bằng chữ" in chat.text and "sáng kiến" in chat.text
    with Session(engine) as s:
        assert s.exec(select(Task).where(Task.kind == TaskKind.AD_HOC)).all() == []
        assert s.exec(select(Initiative)).all() == []


def test_a_bad_deadline_is_asked_again(tmp_path):
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING, tasks=0)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Thêm nhiệm vụ")
    chat.send("Tổng hợp báo cáo quý IV")
    chat.send("31/02")
    assert "ngày/tháng" in chat.text
    chat.press("Cuối tháng")
    with Session(engine) as s:
        assert str(s.exec(select(Task)).one().deadline) == "2026-11-30"


# Languages -------------------------------------------------------------------------------


def test_the_whole_self_assessment_in_english(tmp_path):
    engine = database(tmp_path)
    codes = small_organization(engine, language="en")
    chat = registered(engine, codes)
    chat.press("Self-assessment")
    chat.score_all()
    chat.press("Done on time")
    chat.press("Exceeded")
    chat.press("None")
    chat.press("None")
    assert "Excellent completion of duties (A)" in chat.text
    chat.press("Propose my level")
    chat.press("(A)")
    chat.press("Submit")
    assert "is submitted" in chat.text
    assert assessment_row(engine).status is AssessmentStatus.SUBMITTED


def test_lang_switches_the_language_of_the_person(engine, codes):
    chat = registered(engine, codes)
    chat.send("/lang")
    chat.press("English")
    assert "Self-assessment" in " ".join(chat.labels())
    chat.send("/lang")
    chat.press("Tiếng Việt")
    assert "Tự đánh giá" in " ".join(chat.labels())


def test_wrong_codes_are_counted_per_chat(engine, codes):
    Chat(engine, chat_id="300").send("/start WRONG123")
    Chat(engine, chat_id="400").send("/start WRONG123")
    with Session(engine) as s:
        assert sorted(a.failures for a in s.exec(select(CodeAttempts))) == [1, 1]
