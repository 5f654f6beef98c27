"""/conclusions: the director records discipline decisions and conclusions (NĐ 335 Điều
20 khoản 4) in the chat, and removes one recorded by mistake; the person and their head
are told, everything is audited, and a month with a reprimand is published at D.

The organization is the month of tests/test_month.py: the director Ngô Thị Hương (Ban
Giám đốc), the head Nguyễn Văn Hùng and the staff of Phòng Tổ chức; November 2026.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from handlers import menu
from storage.models import (
    AuditLog,
    Conclusion,
    DisciplineDecision,
    OutboxMessage,
)
from tests.chat import Chat
from tests.test_month import FULL, GOOD, Month, at

REPRIMAND_REASON = (
    "Có hành vi vi phạm liên quan đến hoạt động công vụ bị kỷ luật bằng hình thức khiển trách "
    "(quyết định ngày 10/11/2026"
)
DEGENERATION = (
    "Bị cấp có thẩm quyền kết luận có biểu hiện suy thoái về tư tưởng chính trị, đạo đức, lối "
    "sống, “tự diễn biến”, “tự chuyển hóa”"
)


@pytest.fixture
def month(tmp_path) -> Month:
    return Month(tmp_path)


def director(m: Month, when: datetime | None = None) -> Chat:
    boss = m.chats["gd01"]
    boss.now = when or at(20, 10)
    return boss


def record_discipline(
    boss: Chat,
    name: str = "Trần Thị Mai",
    unit: str = "Phòng Tổ chức",
    *,
    source: str = "Kỷ luật hành chính",
    form: str = "Khiển trách",
    duty: str = "Có, trong",
    violation: str | None = "Vi phạm quy định về quản lý hồ sơ cán bộ",
    day: str = "10/11/2026",
    number: str = "12/QĐ-SNV",
) -> None:
    """Walk /conclusions up to the confirmation screen of a discipline decision."""
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.press(unit)
    boss.press(name)
    boss.press("Quyết định kỷ luật")
    boss.press(source)
    boss.press(form)
    boss.press(duty)
    if violation is not None:
        boss.send(violation)
    boss.send(day)
    boss.send(number)
    assert "kiểm tra trước khi ghi nhận" in boss.text, boss.text


def entries(m: Month) -> list:
    with Session(m.engine) as s:
        return [*s.exec(select(DisciplineDecision)), *s.exec(select(Conclusion))]


def audit(m: Month, entity: str) -> list[AuditLog]:
    with Session(m.engine) as s:
        return list(s.exec(select(AuditLog).where(AuditLog.entity == entity)))


def outbox(m: Month, kind: str) -> list[OutboxMessage]:
    with Session(m.engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)))


# -- the director's chat ---------------------------------------------------------------------


def test_the_director_records_a_reprimand_and_the_person_and_the_head_are_told(month):
    m = month
    boss = director(m)
    boss.send("/conclusions")
    assert "Chưa có quyết định kỷ luật hay kết luận nào được ghi nhận trong năm 2026" in boss.text
    boss.press("Ghi nhận mới")
    assert boss.labels()[:2] == ["Ban Giám đốc", "Phòng Tổ chức"]
    boss.press("Phòng Tổ chức")
    names = [label for label in boss.labels() if not label.startswith(("⬅", "✖"))]
    assert names[:3] == ["Đỗ Văn Bình", "Tạ Thị Châu", "Mai Văn Chiến"]  # by given name
    boss.press("Trần Thị Mai")
    assert "Tham ô, tham nhũng, lãng phí ở đơn vị" not in boss.labels()  # staff: no
    boss.press("Quyết định kỷ luật")
    boss.press("Kỷ luật hành chính")
    assert "Khai trừ" not in boss.labels() and "Hạ bậc lương" in boss.labels()
    boss.press("Khiển trách")
    boss.press("Có, trong")
    boss.send("Vi phạm quy định về quản lý hồ sơ cán bộ")
    boss.send("10/11/2026")
    boss.send("12/QĐ-SNV")
    assert "Nhân sự: Trần Thị Mai (Phòng Tổ chức)" in boss.text
    assert "Khiển trách (kỷ luật hành chính), Quyết định số 12/QĐ-SNV ngày 10/11/2026" in boss.text
    assert REPRIMAND_REASON in boss.text
    assert (
        "kết quả theo dõi, đánh giá tháng 11/2026 và xếp loại chất lượng năm 2026 của đồng chí "
        "Trần Thị Mai ở mức Không hoàn thành nhiệm vụ (D)" in boss.text
    )
    assert entries(m) == []  # nothing before the confirmation
    boss.press("Ghi nhận")
    assert "Đã ghi nhận: Trần Thị Mai" in boss.text
    assert "Hệ thống đã báo cho: Trần Thị Mai, Nguyễn Văn Hùng." in boss.text
    assert "Quyết định kỷ luật và kết luận năm 2026 (1):" in boss.text

    (entry,) = entries(m)
    assert (entry.form, entry.source, entry.public_duty) == ("reprimand", "admin", True)
    assert (entry.dated, entry.number) == (date(2026, 11, 10), "12/QĐ-SNV")
    assert entry.violation == "Vi phạm quy định về quản lý hồ sơ cán bộ"
    assert entry.recorded_by == m.person("gd01").id and entry.recorded_at == at(20, 10)
    (logged,) = audit(m, "discipline_decision")
    assert logged.field == "recorded" and logged.actor_id == m.person("gd01").id
    assert logged.after["form"] == "reprimand" and logged.after["number"] == "12/QĐ-SNV"

    told = m.received("a1", "conclusion")
    assert told.startswith("Hệ thống đã ghi nhận đối với đồng chí: Khiển trách")
    assert REPRIMAND_REASON in told and "của đồng chí ở mức Không hoàn thành nhiệm vụ (D)" in told
    head = m.received("tp01", "conclusion")
    assert "đối với đồng chí Trần Thị Mai (Phòng Tổ chức)" in head
    assert "a1" not in head and "to-chuc" not in head and "reprimand" not in head
    assert m.received("gd01", "conclusion") == ""  # the director did it


def test_a_month_where_a_staff_member_at_a_is_disciplined_is_published_at_d(month):
    """The reprimand recorded in the chat reaches the classification run: a1 scored 100
    (A) and is published at D with the decree's words; a1 and the head were told when it
    was recorded; the audit log holds the entry."""
    m = month
    assert m.tick(at(26, 8)) == ["open", "remind:open"]
    m.assess("a1", scores=FULL)
    for code in ("b1", "b2", "b3", "b4"):
        m.assess(code, scores=GOOD, propose="(B)")
    boss = director(m, at(27, 10))
    record_discipline(boss)
    boss.press("Ghi nhận")
    told = [row.id for row in outbox(m, "conclusion")]
    assert "Không hoàn thành nhiệm vụ (D)" in m.received("a1", "conclusion")
    assert "Trần Thị Mai" in m.received("tp01", "conclusion")

    assert "publish" in m.tick(at(7, 9, month=12))  # then the year opens (cycle/year.py)
    result = m.result("a1")
    assert result.score == 100 and result.level == "D"
    reasons = [r["text"] for r in result.reasons["vi"]]
    assert any(REPRIMAND_REASON in text for text in reasons), reasons
    published = m.received("a1", "result")
    assert "Không hoàn thành nhiệm vụ (D)" in published and REPRIMAND_REASON in published
    assert max(told) < min(row.id for row in outbox(m, "result"))  # told when recorded
    (logged,) = audit(m, "discipline_decision")
    assert logged.after["date"] == "2026-11-10" and logged.actor_id == m.person("gd01").id
    assert m.result("b1").level == "B"  # the others as the rules give


def test_a_conclusion_has_no_form_and_corruption_in_a_unit_is_for_leaders_only(month):
    m = month
    boss = director(m)
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.press("Phòng Tổ chức")
    boss.press("Nguyễn Văn Hùng")  # the head
    assert "Tham ô, tham nhũng, lãng phí ở đơn vị" in boss.labels()
    boss.press("Suy thoái tư tưởng")
    assert "Ngày ban hành văn bản kết luận" in boss.text  # straight to the date
    boss.send("03/11/2026")
    assert "Số, ký hiệu văn bản kết luận" in boss.text
    boss.send("05-KL/UBKT")
    assert DEGENERATION in boss.text
    boss.press("Ghi nhận")
    (entry,) = entries(m)
    assert isinstance(entry, Conclusion) and entry.kind == "degeneration"
    told = m.received("tp01", "conclusion")  # the head is the person here
    assert DEGENERATION in told and "của đồng chí ở mức Không hoàn thành nhiệm vụ (D)" in told
    assert m.received("gd01", "conclusion") == ""  # his reviewer did it

    # A forged payload for unit corruption of a staff member changes nothing.
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.press("Phòng Tổ chức")
    boss.press("Trần Thị Mai")
    boss._handle(payload="cc:k:unit_corruption", message_id=4)
    assert "không còn hiệu lực" in boss.text and "Trần Thị Mai" in boss.text
    assert len(entries(m)) == 1


def test_a_date_that_is_not_a_date_or_is_in_the_future_is_refused_and_asked_again(month):
    m = month
    boss = director(m)
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.press("Phòng Tổ chức")
    boss.press("Trần Thị Mai")
    boss.press("Vi phạm trách nhiệm nêu gương")
    for typed in ("31/02/2026", "hôm qua", "2026/11/05", "5-11-2026", "x" * 1500, "🙂"):
        boss.send(typed)
        assert "(dd/mm/yyyy), ví dụ 20/11/2026" in boss.text, typed
        assert boss.text.endswith("Ngày ban hành văn bản kết luận (dd/mm/yyyy):")
    boss.send("21/11/2026")
    assert "Ngày 21/11/2026 không hợp lệ" in boss.text and "hôm nay (20/11/2026)" in boss.text
    assert boss.text.endswith("Ngày ban hành văn bản kết luận (dd/mm/yyyy):")
    boss.send("01/01/1999")
    assert "không hợp lệ" in boss.text
    boss.send("")
    assert "Ngày ban hành văn bản kết luận" in boss.text
    boss.send("20/11/2026")  # today will do
    assert "Số, ký hiệu văn bản kết luận" in boss.text
    assert entries(m) == []


def test_an_entry_recorded_by_mistake_is_removed_after_confirmation_audited_and_told(month):
    m = month
    boss = director(m)
    record_discipline(boss, day="01/11/2026")
    boss.press("Ghi nhận")
    boss.press("Xóa nội dung ghi nhận nhầm")
    assert "1. Trần Thị Mai (Phòng Tổ chức): Khiển trách" in boss.text
    boss.press("1. Trần Thị Mai")
    assert "Xóa nội dung ghi nhận nhầm sau đây?" in boss.text
    assert "người ghi nhận: Ngô Thị Hương" in boss.text
    assert entries(m)[0].removed_at is None  # not before the confirmation
    boss.later(minutes=5).press("🗑 Xóa")
    assert "Đã xóa: Trần Thị Mai" in boss.text
    assert "Chưa có quyết định kỷ luật hay kết luận nào" in boss.text
    (entry,) = entries(m)  # kept, marked removed
    assert entry.removed_at == at(20, 10, 5) and entry.removed_by == m.person("gd01").id
    fields = [e.field for e in audit(m, "discipline_decision")]
    assert fields == ["recorded", "removed"]
    assert "Đã xóa nội dung ghi nhận nhầm đối với đồng chí: Khiển trách" in m.received(
        "a1", "conclusion_removed"
    )
    assert "không còn được tính khi xếp loại" in m.received("tp01", "conclusion_removed")
    # the old confirmation button does nothing now
    boss._handle(payload=f"cc:rmok:d{entry.id}", message_id=3)
    assert "không còn hiệu lực" in boss.text
    assert len(audit(m, "discipline_decision")) == 2


def test_a_decision_for_a_violation_already_disciplined_counts_once(month):
    m = month
    boss = director(m)
    record_discipline(boss, day="02/11/2026")
    boss.press("Ghi nhận")
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.press("Phòng Tổ chức")
    boss.press("Trần Thị Mai")
    boss.press("Quyết định kỷ luật")
    boss.press("Kỷ luật đảng")
    assert "Khai trừ" in boss.labels() and "Hạ bậc lương" not in boss.labels()
    boss.press("Cảnh cáo")
    boss.press("Có, trong")
    assert "chỉ tính một lần" in boss.text
    boss.press("Vi phạm quy định về quản lý hồ sơ cán bộ")  # the same violation
    boss.send("12/11/2026")
    boss.send("34-QĐ/ĐU")
    assert "đã bị xử lý kỷ luật theo quyết định ngày 02/11/2026" in boss.text
    boss.press("Ghi nhận")
    assert "một hành vi vi phạm chỉ tính một lần" in m.received("a1", "conclusion")
    party = [e for e in entries(m) if e.source == "party"]
    assert party[0].violation == "Vi phạm quy định về quản lý hồ sơ cán bộ"


def test_a_number_recorded_already_is_refused_and_asked_again(month):
    m = month
    boss = director(m)
    record_discipline(boss)
    boss.press("Ghi nhận")
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.press("Phòng Tổ chức")
    boss.press("Trần Thị Mai")
    boss.press("Quyết định kỷ luật")
    boss.press("Kỷ luật hành chính")
    boss.press("Cảnh cáo")
    boss.press("Có, trong")
    boss.send("Một hành vi khác")
    boss.send("11/11/2026")
    boss.send("12/qđ-snv")
    assert "Số văn bản này đã được ghi nhận đối với đồng chí Trần Thị Mai" in boss.text
    assert boss.text.endswith("(ví dụ 12/QĐ-SNV):")
    boss.send("13/QĐ-SNV")
    boss.press("Ghi nhận")
    assert len(entries(m)) == 2


@pytest.mark.parametrize("code", ["tp01", "a1"])
def test_only_the_director_records_others_are_refused_politely(month, code):
    m = month
    chat = m.chats[code]
    chat.now = at(20, 10)
    chat.send("/conclusions")
    assert "dành cho lãnh đạo cơ quan" in chat.text and "không có gì thay đổi" in chat.text
    for payload in ("cc:add", "cc:list", "cc:u:2", "cc:k:discipline", "cc:ok", "cc:rmok:d1"):
        chat._handle(payload=payload, message_id=2)
        assert "dành cho lãnh đạo cơ quan" in chat.text, payload
    assert "⚖️ Kỷ luật, kết luận" not in chat.labels()
    assert entries(m) == [] and audit(m, "discipline_decision") == []
    stranger = Chat(m.engine, chat_id="999", now=at(20, 10))
    stranger.send("/conclusions")
    assert "chưa được đăng ký" in stranger.text


def test_stale_forged_and_typed_inputs_are_answered_and_change_nothing(month):
    m = month
    boss = director(m)
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.press("Phòng Tổ chức")
    boss.press("Trần Thị Mai")
    boss.press("Vi phạm trách nhiệm nêu gương")
    for payload in (
        "cc:u:1",  # a unit button of an older question
        "cc:p:999999999999999999999",
        "cc:p:²",
        "cc:k:degeneration",
        "cc:ok",
        "cc:rm:d1",
        "cc:rmok:c1",
        "cc:v:1",
        "cc:f:expulsion",
        "cc:zz:1:2",
        "cc",
    ):
        boss._handle(payload=payload, message_id=2)
        assert boss.replies and boss.text, payload
        assert "chưa được lưu" not in boss.text, payload
    boss.send("/conclusions")
    boss.press("Ghi nhận mới")
    boss.send("Phòng Tổ chức")  # text where a button is expected
    assert "chọn bằng các nút" in boss.text and "Nhân sự thuộc đơn vị nào?" in boss.text
    boss.send("x" * 2500)
    assert "quá dài" in boss.text
    boss.send("")  # a sticker
    assert "Nhân sự thuộc đơn vị nào?" in boss.text
    boss.press("Hủy")
    assert "Đã hủy" in boss.text
    assert entries(m) == [] and audit(m, "discipline_decision") == []
    assert audit(m, "conclusion") == []


def test_the_director_finds_the_command_in_the_menu_the_help_and_the_command_list(month):
    m = month
    boss = director(m)
    boss.send("/menu")
    assert "⚖️ Kỷ luật, kết luận" in boss.labels()
    boss.press("Kỷ luật, kết luận")
    assert "năm 2026" in boss.text
    boss.send("/help")
    assert "/conclusions – quyết định kỷ luật, kết luận" in boss.text
    head = m.chats["tp01"]
    head.send("/help")
    assert "/conclusions" not in head.text
    assert ("conclusions", "Kỷ luật, kết luận") in menu.commands("vi", True, director=True)
    assert "conclusions" not in dict(menu.commands("vi", True))


def test_an_entry_dated_in_another_year_by_mistake_is_still_listed_to_be_removed(month):
    m = month
    boss = director(m)
    record_discipline(boss, day="10/11/2025")  # meant 2026
    assert "tháng 11/2025 và xếp loại chất lượng năm 2025" in boss.text
    boss.press("Ghi nhận")
    boss.send("/conclusions")
    assert "năm 2026 (1):" in boss.text and "ngày 10/11/2025" in boss.text
    boss.press("Xóa nội dung")
    boss.press("1. Trần Thị Mai")
    boss.press("🗑 Xóa")
    assert entries(m)[0].removed_at is not None
