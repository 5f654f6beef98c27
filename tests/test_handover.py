"""A planned task reported early as beyond the person's ability ("không đủ khả năng hoàn
thành"): it stays in their base (NĐ 335 Điều 18), their head is told and may hand it to a
colleague, for whom it is a task taken over: an extra task, outside the base."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from handlers.events import payload_to_replies
from storage.models import (
    AuditLog,
    Organization,
    OutboxMessage,
    Period,
    PeriodStatus,
    Person,
    Task,
    TaskKind,
    TaskOutcome,
)
from storage.queries import classification_request
from tests.chat import Chat, database, small_organization

REASON = "Nhiệm vụ cần chuyên môn kế toán, tôi chưa được đào tạo"


def person(engine, code: str) -> Person:
    with Session(engine) as s:
        return s.exec(select(Person).where(Person.code == code)).one()


def tasks(engine, code: str) -> list[Task]:
    with Session(engine) as s:
        found = s.exec(select(Task).where(Task.person_id == person(engine, code).id))
        return sorted(found, key=lambda t: t.id)


def notice(engine, chat: Chat, code: str, kind: str) -> str:
    """Put the person's last outbox message of `kind` in `chat`, as if it arrived; its text."""
    with Session(engine) as s:
        row = s.exec(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person(engine, code).id, OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert row is not None, f"no {kind} message for {code}"
    chat.replies = payload_to_replies(row.payload)
    return chat.text


def setup(tmp_path):
    """Sở Thử nghiệm, on the law's ruleset (`nd335`), in November 2026: the plan closed
    on 06/11, the self-assessment not open yet; nv01 (Trần Thị Mai) has two planned tasks
    due 25/11, nv02 (Lê Minh Tuấn) one."""
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING, tasks=2, ruleset=None)
    with Session(engine) as s:
        period = s.exec(select(Period)).one()
        period.plan_until = datetime(2026, 11, 6, 10, 0, tzinfo=UTC)
        s.add(period)
        s.add(
            Task(
                person_id=person(engine, "nv02").id,
                period_id=period.id,
                title="Cập nhật cơ sở dữ liệu công chức",
                deadline=date(2026, 11, 25),
                position=1,
            )
        )
        s.commit()
    chats = {}
    for number, code in enumerate(("nv01", "nv02", "tp01")):
        chats[code] = Chat(engine, chat_id=str(100 + number))
        chats[code].send(f"/start {codes[code]}")
    return engine, chats


def set_status(engine, status: PeriodStatus) -> None:
    with Session(engine) as s:
        period = s.exec(select(Period)).one()
        period.status = status
        s.add(period)
        s.commit()


def test_a_task_reported_beyond_ability_stays_in_the_base_and_a_colleague_takes_it_over(
    tmp_path,
):
    engine, chats = setup(tmp_path)
    mai, tuan, head = chats["nv01"], chats["nv02"], chats["tp01"]

    # Mai reports task 1 after the plan closed, before its deadline
    mai.send("/plan")
    assert "đã chốt" in mai.text and "có thể báo trước khi đến hạn" in mai.text
    assert "Trưởng phòng Tổ chức có thể giao" in mai.text  # the reviewer, by office
    mai.press("Không đủ khả năng: nhiệm vụ 1")
    assert "Điều 18 Nghị định 335/2025/NĐ-CP" in mai.text and "gửi lý do" in mai.text
    mai.send("khó")  # too short: refused, asked again, nothing recorded
    assert "từ 10 đến 1000 ký tự" in mai.text and "gửi lý do" in mai.text
    assert all(t.reported_at is None for t in tasks(engine, "nv01"))
    mai.send(REASON)
    assert "Đã ghi nhận" in mai.text and "vẫn được tính trong tổng số nhiệm vụ" in mai.text
    assert f"Đã báo không đủ khả năng hoàn thành ngày 20/11/2026: “{REASON}”" in mai.text
    first, second = tasks(engine, "nv01")
    assert first.report == REASON and second.report is None
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.field == "report")).one()
        assert audit.entity_id == first.id and audit.after == REASON
    mai.send("/plan")  # reported once only; task 2 can still be reported
    assert "Không đủ khả năng: nhiệm vụ 1" not in " ".join(mai.labels())
    assert "Không đủ khả năng: nhiệm vụ 2" in " ".join(mai.labels())

    # the head is told and hands it to Tuấn
    text = notice(engine, head, "tp01", "reported")
    assert "Đồng chí Trần Thị Mai báo không đủ khả năng hoàn thành" in text and REASON in text
    head.press("Giao cho đồng chí khác")
    assert "Giao cho đồng chí nào đảm nhận?" in head.text
    names = head.labels()
    assert "Lê Minh Tuấn" in names and "Trần Thị Mai" not in names
    head.send("Lê Minh Tuấn")  # text where a button is expected: asked again
    assert "Giao cho đồng chí nào đảm nhận?" in head.text
    pressed = head.replies
    head.press("Lê Minh Tuấn")
    assert "Đã giao nhiệm vụ “Nhiệm vụ số 1” cho đồng chí Lê Minh Tuấn" in head.text
    head.replies = pressed
    head.press("Lê Minh Tuấn")  # the same button again: nothing is handed twice
    taken = [t for t in tasks(engine, "nv02") if t.kind is TaskKind.TAKEN_OVER]
    assert len(taken) == 1 and taken[0].source_task_id == first.id
    assert taken[0].title == "Nhiệm vụ số 1" and taken[0].deadline == date(2026, 11, 25)
    notice(engine, head, "tp01", "reported")
    head.press("Giao cho đồng chí khác")
    assert "đã được giao cho đồng chí Lê Minh Tuấn" in head.text
    assert "đảm nhận thêm nhiệm vụ “Nhiệm vụ số 1” của đồng chí Trần Thị Mai" in notice(
        engine, tuan, "nv02", "handed"
    )
    assert "Trưởng phòng Tổ chức đã giao nhiệm vụ “Nhiệm vụ số 1”" in notice(
        engine, mai, "nv01", "handed-from"
    )
    tuan.send("/plan")
    assert "Nhiệm vụ đảm nhận thêm (nhận từ đồng chí khác):" in tuan.text

    # the self-assessment: Mai's reported task is not done, explained by her report
    set_status(engine, PeriodStatus.OPEN)
    mai.send("/menu")
    mai.press("Tự đánh giá")
    mai.score_all()
    assert "đã báo nhiệm vụ này không đủ khả năng hoàn thành" in mai.text
    mai.press("Không hoàn thành")
    assert "Lý do đã báo được dùng làm báo cáo giải trình" in mai.text
    assert "giải trình lý do" not in mai.text  # no explanation asked again
    mai.press("Hoàn thành đúng tiến độ")
    with Session(engine) as s:
        outcome = s.exec(select(TaskOutcome).where(TaskOutcome.task_id == first.id)).one()
    assert outcome.status == "not_done" and outcome.explanation == REASON
    assert outcome.explanation_status == "submitted"
    mai.press("Không có")  # ad-hoc tasks
    mai.press("Không có")  # initiatives
    # the base W = 2 tasks, 1 done: 30 + 70 × (½ + ½ + ½) / 3 = 65
    assert "Điểm tạm tính: 65/100" in mai.text
    mai.press("Đề xuất mức")
    mai.press("Hoàn thành nhiệm vụ")
    mai.press("Gửi")
    assert "Đã gửi bản tự đánh giá" in mai.text

    # Tuấn: his own task not done (explained), the task taken over done on time
    tuan.send("/menu")
    tuan.press("Tự đánh giá")
    tuan.score_all()
    tuan.press("Không hoàn thành")
    tuan.send("Chờ số liệu của Sở Tài chính chưa gửi đến")
    assert "Nhiệm vụ đảm nhận thêm (từ đồng chí Trần Thị Mai): “Nhiệm vụ số 1”" in tuan.text
    tuan.press("Hoàn thành đúng tiến độ")
    tuan.press("Không có")  # ad-hoc tasks
    tuan.press("Không có")  # initiatives
    # Tuấn: W = his 1 task, not done; the extra task done adds to the sums, never to W:
    # a = b = c = min(1, 1/1) = 1, so 30 + 70 = 100.
    assert "Điểm tạm tính: 100/100" in tuan.text
    tuan.press("Sửa câu trả lời")  # the task taken over can be edited as the others
    tuan.press("↪ Nhiệm vụ số 1")
    assert "Nhiệm vụ đảm nhận thêm (từ đồng chí Trần Thị Mai)" in tuan.text
    tuan.press("Hoàn thành vượt mức")
    assert "Điểm tạm tính: 100/100" in tuan.text
    tuan.press("Đề xuất mức")
    tuan.press("Hoàn thành xuất sắc")
    tuan.press("Gửi")
    assert "Đã gửi bản tự đánh giá" in tuan.text
    with Session(engine) as s:
        period = s.exec(select(Period)).one()
        organization = s.get(Organization, period.organization_id)
        people = {
            p["id"]: p
            for p in classification_request(s, organization, period, with_reviews=False).request[
                "people"
            ]
        }
    assert [t["extra"] for t in people["nv02"]["tasks"]] == [False, True]
    assert [t["explanation"] for t in people["nv01"]["tasks"][:1]] == ["submitted"]
    assert [(t["extra"], t["status"]) for t in people["nv01"]["tasks"]] == [
        (False, "not_done"),
        (False, "on_time"),
    ]

    # the head's cards show where a task comes from, and a report
    set_status(engine, PeriodStatus.CLOSED)
    head.send("/review")
    assert "Xem xét: Trần Thị Mai" in head.text
    assert "⚠️ Đã báo không đủ khả năng hoàn thành ngày 20/11/2026" in head.text
    assert "↪ Đã giao cho đồng chí Lê Minh Tuấn đảm nhận" in head.text
    assert f"Giải trình: {REASON}" in head.text
    head.press("Đồng ý")
    assert "Xem xét: Lê Minh Tuấn" in head.text
    assert "“Nhiệm vụ số 1” (đảm nhận thêm, từ đồng chí Trần Thị Mai)" in head.text


def test_only_the_reviewer_hands_over_and_only_before_the_deadline(tmp_path):
    engine, chats = setup(tmp_path)
    mai, tuan, head = chats["nv01"], chats["nv02"], chats["tp01"]
    mai.send("/plan")
    mai.press("Không đủ khả năng: nhiệm vụ 2")
    mai.send(REASON)
    notice(engine, tuan, "tp01", "reported")  # a forwarded notice, pressed by a staff member
    tuan.press("Giao cho đồng chí khác")
    assert "không thể giao cho đồng chí khác" in tuan.text
    mai.later(days=6).send("/plan")  # 26/11: past the tasks' deadline of 25/11
    assert "Không đủ khả năng" not in " ".join(mai.labels())
    set_status(engine, PeriodStatus.CLOSED)
    notice(engine, head, "tp01", "reported")
    head.now = mai.now
    head.press("Giao cho đồng chí khác")
    assert "Kỳ tự đánh giá tháng 11/2026 đã kết thúc" in head.text
    assert [t for t in tasks(engine, "nv02") if t.kind is TaskKind.TAKEN_OVER] == []
