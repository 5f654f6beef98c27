"""One person, several messengers: a link code from the chat already linked registers
another messenger; the cycle's notices go to the messenger the person wrote from last, or
to the one they chose (audited)."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from cycle.steps import tick
from storage.models import AuditLog, Identity, OutboxMessage, PeriodStatus, Person
from tests.chat import Chat, database, small_organization
from tests.test_cycle import at


def notices(engine) -> list[tuple[str, str]]:
    """(kind, platform) of the cycle's messages, in order."""
    with Session(engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [(r.kind, r.platform) for r in rows if r.kind != "reply"]


def test_a_second_messenger_is_linked_and_notices_follow_the_person(tmp_path):
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING)
    telegram = Chat(engine, chat_id="5001", platform="telegram", now=at(20, 9))
    telegram.send(f"/start {codes['nv01']}")
    telegram.send("/link")
    assert "Ứng dụng nhắn tin đã liên kết với đồng chí: Telegram." in telegram.text
    telegram.press("Liên kết thêm ứng dụng")
    code = re.search(r"/start (\S+)", telegram.text).group(1)
    assert "dùng một lần" in telegram.text

    zalo = Chat(engine, chat_id="e4ea2cd5189df1c3a88c", platform="zalo", now=at(20, 10))
    zalo.send(f"/start {code}")
    assert "Trần Thị Mai" in zalo.text
    zalo.send(f"/start {code}")  # the code worked once: this chat is simply registered
    assert "đã được đăng ký" in zalo.text
    with Session(engine) as s:
        mai = s.exec(select(Person).where(Person.code == "nv01")).one()
        linked = s.exec(select(Identity.platform).where(Identity.person_id == mai.id)).all()
    assert sorted(linked) == ["telegram", "zalo"]

    tick(engine, at(26, 8))  # the self-assessment opens: Zalo was used last
    assert notices(engine) == [("remind", "zalo")]  # "the self-assessment is open"

    telegram.now = at(26, 9)
    telegram.send("/link")
    assert "ứng dụng đồng chí nhắn tin gần nhất" in telegram.text
    telegram.press("Nhận thông báo qua Zalo")
    assert "Đã lưu: thông báo sẽ gửi qua Zalo." in telegram.text
    zalo.now = at(27, 9)
    zalo.send("/link")
    zalo.press("Nhận thông báo qua Telegram")
    zalo.now = at(28, 9)
    zalo.send("/menu")  # Zalo is now the last used, but Telegram was chosen
    before = len(notices(engine))
    tick(engine, at(29, 9))  # a reminder before the deadline
    assert notices(engine)[before:] and {p for _, p in notices(engine)[before:]} == {"telegram"}
    with Session(engine) as s:
        changes = s.exec(select(AuditLog).where(AuditLog.field == "messenger")).all()
    assert [(c.before, c.after) for c in changes] == [(None, "zalo"), ("zalo", "telegram")]

    zalo.send("/link")
    zalo.press("Nhận thông báo ở ứng dụng nhắn gần nhất")
    assert "ứng dụng đồng chí nhắn tin gần nhất" in zalo.text
    assert "Thông báo được gửi qua Zalo" in zalo.text
    telegram.now = at(29, 10)  # Telegram written from last: the notices follow the person
    telegram.send("/link")
    assert "Thông báo được gửi qua Telegram, ứng dụng đồng chí nhắn tin gần nhất" in telegram.text


def test_a_messenger_not_linked_cannot_be_chosen(tmp_path):
    engine = database(tmp_path)
    codes = small_organization(engine)
    chat = Chat(engine, chat_id="5002", platform="telegram")
    chat.send(f"/start {codes['nv02']}")
    chat.send("/link")
    assert "Nhận thông báo qua" not in " ".join(chat.labels())  # one messenger: no choice
    chat._handle(payload="ms:use:zalo", message_id=1)  # a forged press
    assert "chưa liên kết với đồng chí nên không có gì thay đổi" in chat.text
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.code == "nv02")).one().messenger is None
