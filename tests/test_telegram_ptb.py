"""End to end through Telegram on python-telegram-bot: the real `PtbTelegram` adapter
starts, polls and sends through the local fake Bot API server (tests/fake_telegram.py),
which checks every call against the Bot API spec; the outbox sender delivers its replies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

import bot.telegram_ptb
from bot.app import adapter
from bot.config import Settings
from bot.telegram_ptb import PtbTelegram, connect
from delivery.inbound import Inbox
from delivery.messenger import (
    Out,
    RetryLater,
    StartError,
    Unauthorized,
    Undeliverable,
    Unreachable,
)
from delivery.sender import OutboxSender
from handlers.events import Document, Reply, replies_to_payload
from storage import invites
from storage.db import transaction
from storage.models import (
    AssessmentStatus,
    Identity,
    OutboxMessage,
    Person,
    SelfAssessment,
    TaskOutcome,
)
from storage.outbox import enqueue
from tests.chat import NOW, TOP, database, small_organization
from tests.fake_telegram import BOT_USERNAME, FakeTelegram, fake_telegram_fixture  # noqa: F401

CHAT = 5551234
# python-telegram-bot's own RetryAfter reads its deprecated int `retry_after` when raised
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after`.*:DeprecationWarning")


def settings_for(server: FakeTelegram, engine=None, token: str | None = None) -> Settings:
    values = {"BOT_TOKEN": token or server.token, "TELEGRAM_API_URL": server.base_url}
    if engine is not None:
        values["DATABASE_URL"] = str(engine.url)
    return Settings(**values)


class RunningBot:
    """The bot as `python -m bot` runs it with MESSENGERS=ptb (bot.app.run: start, one
    outbox sender, serve), polling the fake server, with a fixed clock."""

    def __init__(self, server: FakeTelegram, engine) -> None:
        self.server = server
        self.engine = engine
        self.settings = settings_for(server, engine)

    async def __aenter__(self) -> RunningBot:
        self.messenger = adapter("ptb").from_settings(self.settings)
        await self.messenger.start(self.engine)
        self.sender = OutboxSender(  # a person's pace: no need to wait a second per message
            self.engine, self.messenger, per_chat_interval=0.05
        )
        self.sending = asyncio.create_task(self.sender.run_forever(poll_interval=0.5))
        since = len(self.server.calls)
        self.task = asyncio.create_task(
            self.messenger.serve(
                Inbox(
                    self.engine, self.messenger, self.settings.chat, self.sender.wake, lambda: NOW
                ),
                poll_timeout=1,
            )
        )
        # polling has begun: updates injected from now on are fetched by this bot
        await self.server.wait_for_call("getUpdates", timeout=10, since=since)
        return self

    async def __aexit__(self, *exc) -> None:
        for task in (self.task, self.sending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.messenger.close()


async def say(server: FakeTelegram, text: str, chat: int = CHAT) -> str:
    """Send a message; the texts of the bot's answers to it."""
    before = len(server.sent(chat))
    since = len(server.calls)
    server.send_text(chat, text, language_code="vi")
    await answered(server, since)
    return "\n".join(m["text"] for m in server.sent(chat)[before:])


async def press(server: FakeTelegram, label: str, chat: int = CHAT) -> str:
    """Press the button containing `label` on the newest message that has one."""
    for message in reversed(server.sent(chat)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if label in button["text"]:
                    since = len(server.calls)
                    server.press(chat, button["callback_data"], message["message_id"])
                    await answered(server, since)
                    return server.last(chat)["text"]  # a new message or the edited one
    raise AssertionError(f"no button {label!r}")


async def score(server: FakeTelegram, value: float, chat: int = CHAT) -> str:
    """Press the score button worth `value` on the newest question."""
    for message in reversed(server.sent(chat)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["callback_data"].endswith(f":{value:g}"):
                    since = len(server.calls)
                    server.press(chat, button["callback_data"], message["message_id"])
                    await answered(server, since)
                    return server.last(chat)["text"]
    raise AssertionError(f"no score {value}")


async def answered(server: FakeTelegram, since: int) -> None:
    """Wait for the bot's answer (a message or an edit), then for it to settle."""
    await server.wait_for_call(
        lambda call: call.method in ("sendMessage", "editMessageText"), timeout=15, since=since
    )
    await server.wait_until_idle(timeout=15, quiet=0.5)


class Sleeps(list):
    """An asyncio.sleep that records the delays and does not wait."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def engine(tmp_path):
    return database(tmp_path)


@pytest.fixture
async def messenger(fake_telegram, engine):
    """A PtbTelegram on the fake server, not started (as the outbox sender uses it)."""
    telegram = PtbTelegram.from_settings(settings_for(fake_telegram, engine))
    yield telegram
    await telegram.close()


def outbox_row(engine, key: str, replies: list[Reply], chat: int = CHAT) -> None:
    with transaction(engine) as session:
        enqueue(
            session,
            key=key,
            kind="test",
            platform="telegram",
            chat_id=chat,
            payload=replies_to_payload(replies, "vi"),
        )


def statuses(engine) -> list[str]:
    with Session(engine) as s:
        return [r.status.value for r in s.exec(select(OutboxMessage).order_by(OutboxMessage.id))]


# -- the conversations, end to end --------------------------------------------------------


async def test_registration_and_self_assessment_through_ptb(fake_telegram, engine):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        assert "chưa được đăng ký" in await say(fake_telegram, "xin chào")
        welcome = await say(fake_telegram, f"/start {codes['nv01']}")
        assert "Chào mừng đồng chí Trần Thị Mai" in welcome
        await press(fake_telegram, "Tự đánh giá")
        for value in TOP:
            await score(fake_telegram, value)
        await press(fake_telegram, "Hoàn thành vượt mức")
        await press(fake_telegram, "Hoàn thành đúng tiến độ")
        await press(fake_telegram, "Không có")
        await press(fake_telegram, "Không có")
        summary = fake_telegram.last(CHAT)["text"]
        assert "100/100" in summary and "Hoàn thành xuất sắc nhiệm vụ (A)" in summary
        await press(fake_telegram, "Đề xuất mức")
        await press(fake_telegram, "(A)")
        assert "Đã gửi bản tự đánh giá" in await press(fake_telegram, "Gửi")
    fake_telegram.assert_no_rejections()
    assert not fake_telegram.unknown_fields
    with Session(engine) as s:
        identity = s.exec(select(Identity)).one()
        assert (identity.platform, identity.chat_id) == ("telegram", str(CHAT))
        assessment = s.exec(select(SelfAssessment)).one()
        assert assessment.status is AssessmentStatus.SUBMITTED
        assert sorted(o.status for o in s.exec(select(TaskOutcome))) == ["exceeded", "on_time"]
        assert {r.status.value for r in s.exec(select(OutboxMessage))} == {"sent"}
    # every button press had its spinner stopped before the answer
    presses = [c for c in fake_telegram.calls if c.method == "answerCallbackQuery"]
    assert len(presses) == len(TOP) + 8


async def test_a_pressed_question_is_edited_in_place_and_loses_its_keyboard(fake_telegram, engine):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        await say(fake_telegram, f"/start {codes['nv01']}")
        await press(fake_telegram, "Tự đánh giá")
        question = fake_telegram.last(CHAT)
        since = len(fake_telegram.calls)
        await score(fake_telegram, 4.5)
        edit = next(c for c in fake_telegram.calls[since:] if c.method == "editMessageText")
        assert edit.params["message_id"] == question["message_id"]  # the pressed message
        answered_question = next(
            m for m in fake_telegram.sent(CHAT) if m["message_id"] == question["message_id"]
        )
        assert answered_question["text"].startswith("✔ Phẩm chất chính trị")
        assert "4,5 điểm" in answered_question["text"]
        assert not answered_question.get("reply_markup")  # the keyboard went with the answer
        assert "Tiêu chí chung 2/10" in fake_telegram.last(CHAT)["text"]
    fake_telegram.assert_no_rejections()
    with Session(engine) as s:
        assert s.exec(select(SelfAssessment)).one().general == {"politics_ethics_culture": 4.5}


async def test_a_restart_mid_assessment_and_a_redelivered_update_lose_nothing(
    fake_telegram, engine
):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        await say(fake_telegram, f"/start {codes['nv01']}")
        await press(fake_telegram, "Tự đánh giá")
        await score(fake_telegram, 5)
        since = len(fake_telegram.calls)
        update = fake_telegram.send_text(CHAT, "2")  # a score typed, not pressed
        await answered(fake_telegram, since)
        fake_telegram.replay(update)  # Telegram delivers the same update again
        await fake_telegram.wait_until_idle(timeout=10)
    async with RunningBot(fake_telegram, engine):  # the person presses the button still shown
        assert "Tiêu chí chung 4/10" in await score(fake_telegram, 2.5)
    fake_telegram.assert_no_rejections()
    with Session(engine) as s:  # the update handled twice counted once
        assert s.exec(select(SelfAssessment)).one().general == {
            "politics_ethics_culture": 5,
            "discipline": 2,
            "competence": 2.5,
        }


async def test_groups_are_not_answered(fake_telegram, engine):
    small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        fake_telegram.send_text(-100123, "/start", user_id=42)
        await fake_telegram.wait_until_idle(timeout=10, quiet=0.5)
        assert "chưa được đăng ký" in await say(fake_telegram, "xin chào")
    assert fake_telegram.sent(-100123) == []


async def test_start_sets_everyones_commands_then_each_leaders(fake_telegram, engine):
    small_organization(engine)
    with transaction(engine) as s:
        head = s.exec(select(Person).where(Person.code == "tp01")).one()
        s.add(Identity(person_id=head.id, platform="telegram", user_id="4101", chat_id="4101"))
    async with RunningBot(fake_telegram, engine):
        pass
    fake_telegram.assert_no_rejections()
    methods = [c.method for c in fake_telegram.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    commands = fake_telegram.calls_to("setMyCommands")
    everyone = [c for c in commands if "scope" not in c.params]
    assert {c.params.get("language_code") for c in everyone} == {None, "en"}
    vietnamese = next(c for c in everyone if "language_code" not in c.params)
    assert {"command": "assess", "description": "Tự đánh giá"} in vietnamese.params["commands"]
    scoped = [c for c in commands if "scope" in c.params]
    assert [c.params["scope"] for c in scoped] == [{"type": "chat", "chat_id": 4101}]
    assert "review" in [item["command"] for item in scoped[0].params["commands"]]
    assert methods.index("getUpdates") > max(i for i, m in enumerate(methods) if "Commands" in m)


# -- the outbox sender through PtbTelegram ---------------------------------------------------


async def test_rows_of_the_outbox_go_through_ptb_long_texts_split(fake_telegram, engine, messenger):
    line = "Dòng văn bản dài của báo cáo tháng, có dấu tiếng Việt. "
    long_text = "\n".join(f"{i:03d} {line}" for i in range(150))  # about 9 000 characters
    assert len(long_text) > 2 * 4096
    outbox_row(engine, "a", [Reply("Xin chào")])
    outbox_row(engine, "b", [Reply(long_text)])
    counts = await OutboxSender(engine, messenger, per_chat_interval=0).run_until_idle()
    assert counts.sent == 2
    fake_telegram.assert_no_rejections()
    texts = [m["text"] for m in fake_telegram.sent(CHAT)]
    assert texts[0] == "Xin chào"
    pieces = texts[1:]
    assert len(pieces) == 3 and all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == long_text  # split at line ends, nothing lost
    assert statuses(engine) == ["sent", "sent"]


async def test_a_document_is_uploaded_with_its_name_and_caption(fake_telegram, engine, messenger):
    content = b"PK\x03\x04 spreadsheet bytes \x00\xff"
    document = Document("bao-cao-2026-11.xlsx", content, caption="Báo cáo " + "x" * 2000)
    outbox_row(engine, "doc", [Reply("", document=document), Reply("Đã gửi tệp.")])
    await OutboxSender(engine, messenger, per_chat_interval=0).run_until_idle()
    fake_telegram.assert_no_rejections()
    call = fake_telegram.calls_to("sendDocument")[0]
    upload = call.files["document"]
    assert (upload.filename, upload.data) == ("bao-cao-2026-11.xlsx", content)
    sent = fake_telegram.sent(CHAT)
    assert sent[0]["document"]["file_name"] == "bao-cao-2026-11.xlsx"
    assert sent[0]["caption"] == document.caption[:1024]  # Telegram's limit
    assert sent[1]["text"] == "Đã gửi tệp."
    assert statuses(engine) == ["sent"]


@pytest.mark.parametrize("status", [429, 502])
async def test_a_reply_telegram_refuses_for_a_while_is_retried_in_order(
    fake_telegram, engine, messenger, status
):
    fake_telegram.fail_next("sendMessage", status, retry_after=1, times=2, chat_id=CHAT)
    outbox_row(engine, "first", [Reply("một")])
    outbox_row(engine, "second", [Reply("hai")])
    sender = OutboxSender(engine, messenger, per_chat_interval=0, backoff_base=0.05)
    task = asyncio.create_task(sender.run_forever(poll_interval=0.1))
    try:
        await fake_telegram.wait_for_call(
            lambda c: c.method == "sendMessage" and c.params["text"] == "hai", timeout=15
        )
        for _ in range(100):
            if statuses(engine) == ["sent", "sent"]:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert [m["text"] for m in fake_telegram.sent(CHAT)] == ["một", "hai"]
    assert [r.status for r in fake_telegram.rejected] == [status, status]
    assert statuses(engine) == ["sent", "sent"]
    with Session(engine) as s:
        first = s.exec(select(OutboxMessage).where(OutboxMessage.key == "first")).one()
        assert first.attempts == (1 if status == 429 else 3)  # a 429 is not an attempt


# -- PtbTelegram.send: each call and each refusal -------------------------------------------


async def test_send_maps_telegrams_refusals(fake_telegram, messenger):
    hello = Out(text="Xin chào")
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryLater) as flood:
        await messenger.send(str(CHAT), hello, None)
    assert flood.value.retry_after == 7.0
    fake_telegram.fail_next("sendMessage", 403)
    with pytest.raises(Undeliverable, match="blocked"):
        await messenger.send(str(CHAT), hello, None)
    fake_telegram.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    with pytest.raises(Undeliverable):
        await messenger.send(str(CHAT), hello, None)
    fake_telegram.fail_next("sendMessage", 500)
    with pytest.raises(Unreachable):
        await messenger.send(str(CHAT), hello, None)
    fake_telegram.fail_next("sendMessage", 401)
    with pytest.raises(Unauthorized) as refused:
        await messenger.send(str(CHAT), hello, None)
    assert fake_telegram.token not in str(refused.value)
    await messenger.send(str(CHAT), hello, None)
    assert [m["text"] for m in fake_telegram.sent(CHAT)] == ["Xin chào"]


async def test_a_migrated_group_is_undeliverable(fake_telegram, messenger):
    fake_telegram.fail_next("sendMessage", 400)
    fake_telegram._failures[-1].parameters = {"migrate_to_chat_id": -1001234}
    with pytest.raises(Undeliverable):
        await messenger.send("-42", Out(text="Xin chào"), None)


async def test_a_server_gone_is_unreachable(messenger, fake_telegram):
    await fake_telegram.stop()
    with pytest.raises(Unreachable) as gone:
        await messenger.send(str(CHAT), Out(text="Xin chào"), None)
    assert fake_telegram.token not in str(gone.value)


async def test_edits_unchanged_and_impossible(fake_telegram, messenger):
    from handlers.events import Button

    question = Out(text="Câu hỏi", buttons=((Button("Có", "yes"),),))
    await messenger.send(str(CHAT), question, None)
    shown = fake_telegram.last(CHAT)["message_id"]
    # the same text and keyboard: Telegram says "not modified", nothing else goes
    await messenger.send(str(CHAT), Out(text="Câu hỏi", buttons=question.buttons, edit=True), shown)
    assert len(fake_telegram.sent(CHAT)) == 1
    await messenger.send(str(CHAT), Out(text="✔ Có", edit=True), shown)
    assert fake_telegram.sent(CHAT)[0]["text"] == "✔ Có"
    assert "reply_markup" not in fake_telegram.sent(CHAT)[0]
    # a message Telegram cannot edit: a new message instead
    await messenger.send(str(CHAT), Out(text="Câu tiếp", edit=True), 999)
    assert [m["text"] for m in fake_telegram.sent(CHAT)] == ["✔ Có", "Câu tiếp"]
    refused = [r.description for r in fake_telegram.rejected]
    assert len(refused) == 2 and "not modified" in refused[0] and "not found" in refused[1]


async def test_a_chats_command_menu(fake_telegram, messenger):
    commands = (("assess", "Tự đánh giá"), ("help", "Hướng dẫn"))
    await messenger.send(str(CHAT), Out(commands=commands), None)
    fake_telegram.assert_no_rejections()
    call = fake_telegram.calls_to("setMyCommands")[0]
    assert call.params["scope"] == {"type": "chat", "chat_id": CHAT}
    assert call.params["commands"][0] == {"command": "assess", "description": "Tự đánh giá"}


# -- starting ---------------------------------------------------------------------------


async def test_a_wrong_token_stops_the_start_at_once(fake_telegram, engine, caplog):
    caplog.set_level(logging.DEBUG)
    token = "999:WRONG-TOKEN"
    telegram = PtbTelegram.from_settings(settings_for(fake_telegram, engine, token))
    try:
        with pytest.raises(StartError) as raised:
            await telegram.start(engine)
    finally:
        await telegram.close()
    assert "BOT_TOKEN" in str(raised.value) and "401" in str(raised.value)
    assert raised.value.message.startswith("Telegram refuses BOT_TOKEN (401 Unauthorized)")
    assert "WRONG-TOKEN" not in str(raised.value)
    assert not fake_telegram.calls  # nothing else was tried
    assert caplog.records and all("WRONG-TOKEN" not in r.getMessage() for r in caplog.records)


async def test_connect_waits_for_telegram_with_one_warning_per_try(fake_telegram, caplog):
    caplog.set_level(logging.DEBUG)
    fake_telegram.fail_next("getMe", status=502, times=8)
    telegram = PtbTelegram.from_settings(settings_for(fake_telegram))
    sleeps = Sleeps()
    try:
        user = await connect(telegram.bot, sleep=sleeps)
    finally:
        await telegram.close()
    assert user.username == BOT_USERNAME
    assert sleeps == [1, 2, 4, 8, 16, 32, 60, 60]
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.telegram_ptb" and r.levelno == logging.WARNING
    ]
    assert len(warnings) == 8
    assert all("\n" not in w and "Bad Gateway" in w for w in warnings)
    assert warnings[0].endswith("trying again in 1 s") and warnings[-1].endswith("in 60 s")
    # httpx logs each call's URL: the token is hidden there too
    assert any("<BOT_TOKEN>" in r.getMessage() for r in caplog.records if r.name == "httpx")
    assert all(fake_telegram.token not in r.getMessage() for r in caplog.records)


async def test_connect_waits_what_a_429_asks(fake_telegram):
    fake_telegram.fail_next("getMe", status=429, retry_after=7)
    telegram = PtbTelegram.from_settings(settings_for(fake_telegram))
    sleeps = Sleeps()
    try:
        await connect(telegram.bot, sleep=sleeps)
    finally:
        await telegram.close()
    assert sleeps == [7]


async def test_the_bot_waits_for_a_telegram_not_yet_listening(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(bot.telegram_ptb, "CONNECT_FIRST_DELAY", 0.01)
    monkeypatch.setattr(bot.telegram_ptb, "CONNECT_MAX_DELAY", 0.04)
    caplog.set_level(logging.WARNING, logger="bot.telegram_ptb")
    engine = database(tmp_path)
    server = FakeTelegram()
    with socket_free() as port:
        pass
    settings = Settings(BOT_TOKEN=server.token, TELEGRAM_API_URL=f"http://127.0.0.1:{port}")
    telegram = PtbTelegram.from_settings(settings)
    task = asyncio.create_task(telegram.start(engine))
    try:
        for _ in range(1000):
            if len(caplog.records) >= 3 or task.done():
                break
            await asyncio.sleep(0.01)
        assert not task.done()
        await server.start(port)
        await asyncio.wait_for(task, timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await telegram.close()
        await server.stop()
    assert server.calls[0].method == "getMe"
    assert server.calls_to("setMyCommands")


@contextlib.contextmanager
def socket_free():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


async def test_polling_goes_on_after_telegram_fails_for_a_while(fake_telegram, engine, monkeypatch):
    monkeypatch.setattr(bot.telegram_ptb, "CONNECT_FIRST_DELAY", 0.01)
    small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        fake_telegram.fail_next("getUpdates", status=502, times=2)
        fake_telegram.fail_next("getUpdates", status=409, times=1)
        await asyncio.sleep(1.2)  # the current long poll ends; the next ones fail
        assert "chưa được đăng ký" in await say(fake_telegram, "xin chào")
    assert [r.status for r in fake_telegram.rejected] == [502, 502, 409]


# -- the composition root -----------------------------------------------------------------


async def test_bot_app_runs_ptb_when_messengers_names_it(fake_telegram, engine):
    from bot.app import run

    small_organization(engine)
    with transaction(engine) as s:  # `run` keeps the real time: a code valid now
        mai = s.exec(select(Person).where(Person.code == "nv01")).one()
        code, _ = invites.issue(s, mai, now=datetime.now(UTC))
    settings = Settings(
        BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        DATABASE_URL=str(engine.url),
        MESSENGERS="ptb",
    )
    assert settings.messengers == ["ptb"]
    stop = asyncio.Event()
    task = asyncio.create_task(run(engine, settings, with_cycle=False, stop=stop))
    try:
        await fake_telegram.wait_for_call("getUpdates", timeout=10)
        welcome = await say(fake_telegram, f"/start {code}")
        assert "Chào mừng đồng chí Trần Thị Mai" in welcome
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
    fake_telegram.assert_no_rejections()


async def test_python_m_bot_with_ptb_and_a_refused_token_says_so_in_one_line(
    fake_telegram, tmp_path
):
    env = {k: v for k, v in os.environ.items() if k != "DEFAULT_LANGUAGE"} | {
        "BOT_TOKEN": "999:WRONG-TOKEN",
        "TELEGRAM_API_URL": fake_telegram.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "MESSENGERS": "ptb",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    text = err.decode()
    assert process.returncode == 2, text
    assert "Traceback" not in text and "WRONG-TOKEN" not in text
    assert text.splitlines()[-1].startswith("Telegram từ chối BOT_TOKEN (401 Unauthorized)")
    assert not fake_telegram.calls_to("getUpdates")
