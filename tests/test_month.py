"""A month of a unit walked through the chat with a controlled clock, the way an agency
meets it: a return for correction and a re-submission, a lowered level that changes the
quota's result, a refused raise, a re-scored criterion, a tie ranked by the head, an old
button pressed after submitting, a decision after the classification run. Each step is
checked in the database and in the messages each person received.

November 2026, default calendar (Hà Nội): opening Thu 26/11 08:00, deadline Mon 30/11
17:00, heads' reviews by Wed 2/12 17:00, the director's by Fri 4/12 17:00 (the
classification runs then), publication Mon 7/12 09:00.

Phòng Tổ chức: group "Chuyên viên" a1 (100 points), a2 (99) and b1-b4 (88: B);
group "Nhân viên" t1 and t2 (100 each, alike in everything) and c1-c4 (88). The
organization follows the seeds' monthly practice (`agency-monthly`): with 2 A and 4 B in a
group, the month's quota keeps one A (rule 10: floor(6 / 6) = 1).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from cycle.steps import tick
from handlers.events import payload_to_replies
from storage.db import transaction
from storage.models import (
    AssessmentStatus,
    AuditLog,
    OutboxMessage,
    Period,
    PeriodStatus,
    Person,
    Result,
    Review,
    Role,
    RoleGroup,
    SelfAssessment,
    Unit,
)
from storage.models import Organization as Org
from tests.chat import GOOD, TOP, Chat, add_people, database

FULL = TOP  # the 10 items of Mẫu 01 at their maximum: 30 general points
ALMOST = (4.5, *TOP[1:])  # 29.5
# GOOD: 18 general points; with every task done 18 + 70 = 88 points, B


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Hà Nội wall-clock time of 2026 (hour 7 or later), in UTC."""
    return datetime(2026, month, day, hour - 7, minute, tzinfo=UTC)


PEOPLE = [
    # code, name, unit, group, role
    ("gd01", "Ngô Thị Hương", "bgd", "lds", Role.DIRECTOR),
    ("tp01", "Nguyễn Văn Hùng", "tc", "ldp", Role.HEAD),
    ("a1", "Trần Thị Mai", "tc", "cv", Role.STAFF),
    ("a2", "Lê Minh Tuấn", "tc", "cv", Role.STAFF),
    ("b1", "Phạm Thu Hà", "tc", "cv", Role.STAFF),
    ("b2", "Đỗ Văn Bình", "tc", "cv", Role.STAFF),
    ("b3", "Vũ Thị Lan", "tc", "cv", Role.STAFF),
    ("b4", "Hoàng Văn Nam", "tc", "cv", Role.STAFF),
    ("t1", "Bùi Thị Thảo", "tc", "nv", Role.STAFF),
    ("t2", "Đinh Văn Toàn", "tc", "nv", Role.STAFF),
    ("c1", "Lý Thị Cúc", "tc", "nv", Role.STAFF),
    ("c2", "Mai Văn Chiến", "tc", "nv", Role.STAFF),
    ("c3", "Tạ Thị Châu", "tc", "nv", Role.STAFF),
    ("c4", "Chu Văn Công", "tc", "nv", Role.STAFF),
]


class Month:
    """The organization, everyone's chat, and what the outbox holds for each."""

    def __init__(self, tmp_path) -> None:
        self.engine = database(tmp_path)
        with transaction(self.engine) as s:
            org = Org(code="so-noi-vu", name="Sở Nội vụ tỉnh Thử nghiệm", ruleset="agency-monthly")
            s.add(org)
            s.flush()
            units = {
                "bgd": Unit(organization_id=org.id, code="bgd", name="Ban Giám đốc"),
                "tc": Unit(organization_id=org.id, code="to-chuc", name="Phòng Tổ chức"),
            }
            groups = {
                code: RoleGroup(organization_id=org.id, code=code, name=name)
                for code, name in [
                    ("lds", "Lãnh đạo Sở"),
                    ("ldp", "Lãnh đạo phòng"),
                    ("cv", "Chuyên viên"),
                    ("nv", "Nhân viên"),
                ]
            }
            s.add_all([*units.values(), *groups.values()])
            s.flush()
            period = Period(organization_id=org.id, code="2026-11", status=PeriodStatus.PLANNING)
            s.add(period)
            s.flush()
            people = [(c, name, units[u].id, groups[g].id, role) for c, name, u, g, role in PEOPLE]
            made = add_people(
                s,
                org.id,
                people,
                period.id,
                invited_at=at(20, 9),
                title="Báo cáo chuyên đề số {n} của {name}",
            )
            codes = {code: invite for code, (_, invite) in made.items()}
        self.chats = {}
        for number, (code, *_rest) in enumerate(PEOPLE, start=1):
            chat = Chat(self.engine, chat_id=str(500 + number), now=at(20, 9))
            chat.send(f"/start {codes[code]}")
            self.chats[code] = chat

    def tick(self, moment: datetime) -> list[str]:
        return [step.split()[-1] for step in tick(self.engine, moment)]

    def assess(self, code: str, scores=FULL, propose: str = "(A)", when=None) -> Chat:
        chat = self.chats[code]
        chat.now = when or at(26, 10)
        chat.send("/assess")
        chat.score_all(scores)
        chat.press("Hoàn thành vượt mức")
        chat.press("Hoàn thành đúng tiến độ")
        chat.press("Không có")  # ad-hoc tasks
        chat.press("Không có")  # initiatives
        chat.press("Đề xuất mức")
        chat.press(propose)
        if "lý do" in chat.text and "cao hơn" in chat.text:
            chat.send("Đề nghị lãnh đạo xem xét thêm kết quả công tác phối hợp trong tháng")
        chat.press("Gửi")
        assert "Đã gửi bản tự đánh giá" in chat.text, chat.text
        return chat

    def person(self, code: str) -> Person:
        with Session(self.engine) as s:
            return s.exec(select(Person).where(Person.code == code)).one()

    def assessment(self, code: str) -> SelfAssessment:
        with Session(self.engine) as s:
            return s.exec(select(SelfAssessment).join(Person).where(Person.code == code)).one()

    def result(self, code: str) -> Result:
        with Session(self.engine) as s:
            return s.exec(select(Result).join(Person).where(Person.code == code)).one()

    def received(self, code: str, kind: str | None = None) -> str:
        """Every text the outbox holds for the person (of one kind), in order."""
        person = self.person(code)
        with Session(self.engine) as s:
            rows = s.exec(
                select(OutboxMessage)
                .where(OutboxMessage.person_id == person.id)
                .order_by(OutboxMessage.id)
            ).all()
        return "\n".join(
            reply.text
            for row in rows
            if kind is None or row.kind == kind
            for reply in payload_to_replies(row.payload)
        )

    def audit(self, field: str) -> list[AuditLog]:
        with Session(self.engine) as s:
            return list(s.exec(select(AuditLog).where(AuditLog.field == field)))


@pytest.fixture
def month(tmp_path) -> Month:
    return Month(tmp_path)


def review(head: Chat, name: str) -> None:
    """Open /review until the card of `name` is shown."""
    head.send("/review")
    assert f"Xem xét: {name}" in head.text, head.text


def test_a_month_of_reviews_from_submission_to_publication(month):
    m = month
    assert m.tick(at(26, 8)) == ["open", "remind:open"]
    m.assess("a1")
    m.assess("a2", scores=ALMOST)
    m.assess("t1")
    m.assess("t2")
    for code in ("b1", "b2", "b3", "b4", "c1", "c2", "c3", "c4", "tp01"):
        m.assess(code, scores=GOOD, propose="(B)")

    # An old button pressed after submitting changes nothing and says so.
    a1 = m.chats["a1"]
    a1.now = at(27, 9)
    a1._handle(payload="as:c:politics_ethics_culture:3", message_id=7)
    assert "đã được trả lời" in a1.text and "không có gì thay đổi" in a1.text
    assert m.assessment("a1").general["politics_ethics_culture"] == 5

    m.tick(at(30, 17))  # the deadline: reviews requested
    assert "có 12 bản tự đánh giá chờ đồng chí xem xét" in m.received("tp01", "review_request")
    head = m.chats["tp01"]
    head.now = at(1, 9, month=12)

    # The cards come by given name, as Vietnamese lists sort them: Bình first.
    head.send("/review")
    assert "Xem xét: Đỗ Văn Bình" in head.text

    # A refused raise: the score gives B; a leader may lower, not raise.
    b2 = m.assessment("b2")
    head._handle(payload=f"rv:set:{b2.id}:A", message_id=9)
    assert "Theo điểm, mức xếp loại là Hoàn thành tốt nhiệm vụ (B)" in head.text
    assert "không được nâng mức" in head.text
    with Session(m.engine) as s:
        assert s.exec(select(Review).where(Review.assessment_id == b2.id)).first() is None

    # A re-scored criterion, lowered with the head's comment.
    head.press("Chấm lại tiêu chí chung")
    head.press("Tinh thần trách nhiệm")
    head.score(0.5)
    assert "thấp hơn điểm tự chấm" in head.text
    head.send("Còn chậm phối hợp với Văn phòng Sở trong tháng")
    assert "Tinh thần trách nhiệm trong thực thi công vụ: 2,5 → 0,5" in head.text
    head.press("Đồng ý")

    # Return for correction: the person is told at once, corrects, submits again.
    _decide_until(head, "Phạm Thu Hà")
    head.press("Trả lại để sửa")
    head.send("Đề nghị bổ sung sản phẩm của nhiệm vụ số 2")
    assert "hệ thống đã báo ngay" in head.text
    assert "Xem xét: Vũ Thị Lan" in head.text  # the next card
    assert m.assessment("b1").status is AssessmentStatus.RETURNED
    told = m.received("b1", "returned")
    assert "Đề nghị bổ sung sản phẩm của nhiệm vụ số 2" in told
    assert "17:00 ngày 02/12/2026" in told and "Trưởng phòng Tổ chức" in told
    b1 = m.chats["b1"]
    b1.now = at(1, 10, month=12)
    b1.send("/menu")
    assert "được trả lại để sửa" in b1.text and "17:00 ngày 02/12/2026" in b1.text
    b1.send("/assess")
    assert "Trưởng phòng Tổ chức đề nghị đồng chí sửa" in b1.text
    b1.press("Sửa câu trả lời")
    b1.press("Ý thức kỷ luật")
    b1.score(4)
    b1.press("Gửi lại")
    assert "được gửi lại" in b1.text
    assert m.assessment("b1").status is AssessmentStatus.SUBMITTED
    assert "Phạm Thu Hà đã sửa và gửi lại" in m.received("tp01", "resubmitted")
    head.now = at(1, 11, month=12)
    head.send("/review")
    assert "Xem xét: Phạm Thu Hà" in head.text  # the re-submission is back in the review
    head.press("Đồng ý")

    # The lowered level: a1 (the first A of the group) lowered to C frees the quota's
    # place for a2, who would otherwise be brought down to B.
    _decide_until(head, "Trần Thị Mai")
    head.press("Hạ mức xếp loại")
    assert "Hoàn thành xuất sắc nhiệm vụ (A)" not in " ".join(head.labels())
    head.press("(C)")
    head.send("Để xảy ra sai sót trong hồ sơ tuyển dụng")
    assert "đã ghi nhận mức Hoàn thành nhiệm vụ (C)" in head.text

    # Everyone else: agreed; then the tie of t1 and t2, ranked by the head: t2 first.
    while "Xem xét: " in head.text:
        head.press("Đồng ý")
    assert "bằng nhau ở vị trí cuối cùng" in head.text, head.text
    assert "Bùi Thị Thảo" in head.text and "Đinh Văn Toàn" in head.text
    head.press("Đinh Văn Toàn")
    assert "1. Đinh Văn Toàn, 2. Bùi Thị Thảo" in head.text
    assert "Đã xem xét hết" in head.text

    # The classification run at the director's deadline; then a late decision.
    assert "classify" in m.tick(at(4, 17, month=12))
    head.now = at(5, 9, month=12)
    head.send("/review")
    assert "đã kết thúc lúc 17:00 ngày 02/12/2026" in head.text  # refused, with the reason
    boss = m.chats["gd01"]
    boss.now = at(5, 9, month=12)
    boss.send("/review")
    assert "Xem xét: Nguyễn Văn Hùng" in boss.text
    boss.press("Hạ mức xếp loại")
    boss.press("(C)")
    boss.send("Chưa hoàn thành chỉ tiêu kiểm tra công vụ của phòng")
    assert "tính lại" in boss.text and "09:00 ngày 07/12/2026" in boss.text

    assert "publish" in m.tick(at(7, 9, month=12))  # then the year opens (cycle/year.py)
    levels = {code: m.result(code).level for code, *_ in PEOPLE if code != "gd01"}
    assert levels["a1"] == "C" and levels["a2"] == "A"  # the freed place
    assert levels["t2"] == "A" and levels["t1"] == "B"  # the head's ranking, not the codes
    assert levels["tp01"] == "C"  # the director's decision after the run was not ignored
    assert m.result("b2").score == 86  # 88 less the 2 points the head took off
    assert m.result("b1").score == 87  # as corrected
    assert "Để xảy ra sai sót trong hồ sơ tuyển dụng" in m.received("a1", "result")
    assert "Hoàn thành nhiệm vụ (C)" in m.received("a1", "result")
    assert "Hoàn thành xuất sắc nhiệm vụ (A)" in m.received("a2", "result")
    digest = m.received("tp01", "digest")
    assert "Hoàn thành nhiệm vụ (C): 2" in digest  # a1 and the head, as decided
    assert "to-chuc" not in digest and "Phòng Tổ chức" in digest
    with Session(m.engine) as s:
        november = s.exec(select(Period).where(Period.code == "2026-11")).one()
        assert november.status is PeriodStatus.PUBLISHED
    # every decision is in the audit log
    assert [e.after for e in m.audit("head.level")] == ["C"]
    assert [e.after for e in m.audit("director.level")] == ["C"]
    assert sorted(e.after for e in m.audit("head.rank")) == [1, 2]
    assert [e.after for e in m.audit("head.general.responsibility")] == [0.5]
    decisions = [e.after for e in m.audit("head.decision")]
    assert decisions.count("return") == 1 and "change" in decisions


def _decide_until(head: Chat, name: str) -> None:
    """Agree with the cards shown until the card of `name` comes (the review's order is
    by given name, so this walks a known part of the list)."""
    for _ in range(20):
        if f"Xem xét: {name}" in head.text:
            return
        head.press("Đồng ý")
    raise AssertionError(f"the card of {name} never came: {head.text}")
