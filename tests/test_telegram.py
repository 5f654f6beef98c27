"""End to end through Telegram: the real aiogram adapter polls the local fake Bot API
server (tests/fake_telegram.py), which checks every call against the Bot API spec."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.telegram_aiogram import AiogramTelegram
from delivery.inbound import Inbox
from delivery.sender import OutboxSender
from storage.models import (
    AssessmentStatus,
    Identity,
    OutboxMessage,
    SelfAssessment,
    TaskOutcome,
)
from tests.chat import GOOD, NOW, TOP, database, small_organization
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401

CHAT = 5551234


class RunningBot:
    """The bot as `python -m bot` runs it, polling the fake server, with a fixed clock."""

    def __init__(self, server: FakeTelegram, engine) -> None:
        self.server = server
        self.settings = Settings(
            BOT_TOKEN=server.token, TELEGRAM_API_URL=server.base_url, DATABASE_URL=str(engine.url)
        )
        self.engine = engine

    async def __aenter__(self) -> RunningBot:
        messenger = AiogramTelegram.from_settings(self.settings)
        self.bot = messenger.bot
        self.sender = OutboxSender(  # a person's pace: no need to wait a second per message
            self.engine, messenger, per_chat_interval=0.05
        )
        inbox = Inbox(self.engine, messenger, self.settings.chat, self.sender.wake, lambda: NOW)
        self.sending = asyncio.create_task(self.sender.run_forever(poll_interval=0.5))
        since = len(self.server.calls)
        self.task = asyncio.create_task(messenger.serve(inbox, poll_timeout=1))
        # polling has begun: updates injected from now on are fetched by this bot
        await self.server.wait_for_call("getUpdates", timeout=10, since=since)
        return self

    async def __aexit__(self, *exc) -> None:
        for task in (self.task, self.sending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.bot.session.close()


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


async def answered(server: FakeTelegram, since: int) -> None:
    """Wait for the bot's answer (a message or an edit), then for it to settle."""
    await server.wait_for_call(
        lambda call: call.method in ("sendMessage", "editMessageText"), timeout=15, since=since
    )
    await server.wait_until_idle(timeout=15, quiet=0.5)


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


async def self_assessment(server: FakeTelegram, scores=TOP) -> None:
    await press(server, "Tự đánh giá")
    for value in scores:
        await score(server, value)
    await press(server, "Hoàn thành vượt mức")
    await press(server, "Hoàn thành đúng tiến độ")
    await press(server, "Không có")
    await press(server, "Không có")


@pytest.fixture
def engine(tmp_path):
    return database(tmp_path)


async def test_registration_and_self_assessment_through_telegram(fake_telegram, engine):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        assert "chưa được đăng ký" in await say(fake_telegram, "xin chào")
        welcome = await say(fake_telegram, f"/start {codes['nv01']}")
        assert "Chào mừng đồng chí Trần Thị Mai" in welcome
        await self_assessment(fake_telegram)
        summary = fake_telegram.last(CHAT)["text"]
        assert "100/100" in summary and "Hoàn thành xuất sắc nhiệm vụ (A)" in summary
        await press(fake_telegram, "Đề xuất mức")
        await press(fake_telegram, "(A)")
        assert "Đã gửi bản tự đánh giá" in await press(fake_telegram, "Gửi")
    fake_telegram.assert_no_rejections()
    with Session(engine) as s:
        assert s.exec(select(Identity)).one().chat_id == str(CHAT)
        assessment = s.exec(select(SelfAssessment)).one()
        assert assessment.status is AssessmentStatus.SUBMITTED
        assert sorted(o.status for o in s.exec(select(TaskOutcome))) == ["exceeded", "on_time"]


async def test_registration_and_self_assessment_in_english_through_telegram(
    fake_telegram, tmp_path
):
    engine = database(tmp_path)
    codes = small_organization(engine, language="en")
    async with RunningBot(fake_telegram, engine):
        assert "Welcome, Trần Thị Mai" in await say(fake_telegram, f"/start {codes['nv01']}")
        await press(fake_telegram, "Self-assessment")
        assert "General criterion 1/10" in fake_telegram.last(CHAT)["text"]
        for value in GOOD:  # 18 general points
            await score(fake_telegram, value)
        await press(fake_telegram, "Done on time")
        await press(fake_telegram, "Done behind schedule")
        await press(fake_telegram, "1")
        await press(fake_telegram, "None")
        summary = await press(fake_telegram, "None")
        # one delay: progress (1 + 0.75) / 2; 18 + 70 x (1 + 1 + 0.875) / 3 = 85.08
        assert "85.08/100 — Good completion of duties (B)" in summary
        await press(fake_telegram, "Propose my level")
        await press(fake_telegram, "(B)")
        assert "is submitted" in await press(fake_telegram, "Submit")
    fake_telegram.assert_no_rejections()
    with Session(engine) as s:
        assessment = s.exec(select(SelfAssessment)).one()
        assert (assessment.status, assessment.proposed_level) == (AssessmentStatus.SUBMITTED, "B")


async def test_a_restart_mid_assessment_loses_nothing(fake_telegram, engine):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        await say(fake_telegram, f"/start {codes['nv01']}")
        await press(fake_telegram, "Tự đánh giá")
        await score(fake_telegram, 5)
        await score(fake_telegram, 4.5)
    # the bot is stopped; it starts again and the person presses the button still shown
    async with RunningBot(fake_telegram, engine):
        assert "Tiêu chí chung 4/10" in await score(fake_telegram, 2)
    with Session(engine) as s:
        assert s.exec(select(SelfAssessment)).one().general == {
            "politics_ethics_culture": 5,
            "discipline": 4.5,
            "competence": 2,
        }


async def test_bad_input_through_telegram(fake_telegram, engine):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        await say(fake_telegram, f"/start {codes['nv01']}")
        await press(fake_telegram, "Tự đánh giá")
        assert "quá dài" in await say(fake_telegram, "a" * 5000)
        assert "nút" in await say(fake_telegram, "😀")
        since = len(fake_telegram.calls)
        update = fake_telegram.send_text(CHAT, "5")
        await answered(fake_telegram, since)
        fake_telegram.replay(update)  # Telegram delivers the same update again
        await fake_telegram.wait_until_idle(timeout=10)
        stranger = await say(fake_telegram, "/assess", chat=777)
        assert "chưa được đăng ký" in stranger
    fake_telegram.assert_no_rejections()
    with Session(engine) as s:
        assert s.exec(select(SelfAssessment)).one().general == {"politics_ethics_culture": 5}


async def test_the_bot_entry_point_sets_its_commands_and_polls(fake_telegram, engine):
    from bot.app import run

    settings = Settings(
        BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        DATABASE_URL=str(engine.url),
    )
    task = asyncio.create_task(run(engine, settings, stop=asyncio.Event()))
    try:
        await fake_telegram.wait_for_call("getUpdates", timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    fake_telegram.assert_no_rejections()
    commands = fake_telegram.calls_to("setMyCommands")
    assert {c.params.get("language_code") for c in commands} == {None, "en"}
    vietnamese = next(c for c in commands if "language_code" not in c.params)
    assert {"command": "assess", "description": "Tự đánh giá"} in vietnamese.params["commands"]


async def test_leaders_find_review_and_status_in_their_own_command_list(fake_telegram, engine):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        await say(fake_telegram, f"/start {codes['tp01']}", chat=4001)
        await say(fake_telegram, f"/start {codes['nv01']}", chat=4002)
        head_menu = fake_telegram.last(4001)
        await fake_telegram.wait_for_call(
            lambda c: c.method == "setMyCommands" and "scope" in c.params, timeout=10
        )
        await fake_telegram.wait_until_idle(timeout=10, quiet=0.5)
    fake_telegram.assert_no_rejections()
    scoped = {
        c.params["scope"]["chat_id"]: [item["command"] for item in c.params["commands"]]
        for c in fake_telegram.calls_to("setMyCommands")
        if "scope" in c.params
    }
    assert "review" in scoped[4001] and "status" in scoped[4001]
    assert "review" not in scoped[4002] and "assess" in scoped[4002]
    labels = [b["text"] for row in head_menu["reply_markup"]["inline_keyboard"] for b in row]
    assert "🗂 Xem xét" in labels and "📈 Tình hình nộp" in labels


async def test_the_bot_sets_each_leaders_commands_when_it_starts(fake_telegram, engine):
    from bot.app import run
    from storage.models import Identity, Person

    small_organization(engine)
    with Session(engine) as s:
        head = s.exec(select(Person).where(Person.code == "tp01")).one()
        s.add(Identity(person_id=head.id, platform="telegram", user_id="4101", chat_id="4101"))
        s.commit()
    settings = Settings(
        BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        DATABASE_URL=str(engine.url),
    )
    task = asyncio.create_task(run(engine, settings, stop=asyncio.Event()))
    try:
        await fake_telegram.wait_for_call("getUpdates", timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    scoped = [c for c in fake_telegram.calls_to("setMyCommands") if "scope" in c.params]
    assert [c.params["scope"]["chat_id"] for c in scoped] == [4101]
    assert "review" in [item["command"] for item in scoped[0].params["commands"]]


async def test_an_answered_question_is_edited_in_place_and_loses_its_keyboard(
    fake_telegram, engine
):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        await say(fake_telegram, f"/start {codes['nv01']}")
        await press(fake_telegram, "Tự đánh giá")
        question = fake_telegram.last(CHAT)
        await score(fake_telegram, 4.5)
        answered = next(
            m for m in fake_telegram.sent(CHAT) if m["message_id"] == question["message_id"]
        )
        assert (
            answered["text"].startswith("✔ Phẩm chất chính trị") and "4,5 điểm" in answered["text"]
        )
        assert not answered.get("reply_markup")  # the keyboard went with the answer
        assert "Tiêu chí chung 2/10" in fake_telegram.last(CHAT)["text"]
    fake_telegram.assert_no_rejections()
    with Session(engine) as s:
        assert s.exec(select(SelfAssessment)).one().general == {"politics_ethics_culture": 4.5}


@pytest.mark.parametrize("status", [429, 502])
async def test_a_reply_telegram_refuses_for_a_while_still_arrives_in_order(
    fake_telegram, engine, status
):
    codes = small_organization(engine)
    async with RunningBot(fake_telegram, engine):
        await say(fake_telegram, f"/start {codes['nv01']}")
        fake_telegram.fail_next("sendMessage", status, retry_after=1, times=2, chat_id=CHAT)
        since = len(fake_telegram.calls)
        fake_telegram.send_text(CHAT, "/help", language_code="vi")
        fake_telegram.send_text(CHAT, "/menu", language_code="vi")
        await fake_telegram.wait_for_call(
            lambda c: c.method == "sendMessage" and c.params["text"].startswith("Xin chào"),
            timeout=20,
            since=since,
        )
        await fake_telegram.wait_until_idle(timeout=10, quiet=0.5)
    texts = [m["text"] for m in fake_telegram.sent(CHAT)]
    help_at = next(i for i, t in enumerate(texts) if "/plan" in t)
    menu_at = max(i for i, t in enumerate(texts) if t.startswith("Xin chào"))
    assert help_at < menu_at  # the chat's order is kept through the retries
    with Session(engine) as s:  # nothing left behind, nothing given up
        assert {r.status.value for r in s.exec(select(OutboxMessage))} == {"sent"}
