"""End to end through Zalo: the real adapter (bot/zalo.py) polls the local fake Zalo Bot
API server (tests/fake_zalo.py), which refuses what Zalo refuses (texts over 2,000
characters, any reply_markup, ids that are not strings, polling while a webhook is set).
No buttons on Zalo: menus are numbered and answered by typing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys

import pytest
from sqlmodel import Session, select

import bot.zalo
from bot.app import run
from bot.config import Settings
from bot.zalo import ZaloBot, ZaloClient
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
from handlers.events import Document
from storage import invites
from storage.db import transaction
from storage.models import Identity, OutboxMessage, OutboxStatus, Person, SelfAssessment, utcnow
from tests.chat import NOW, database, small_organization
from tests.fake_zalo import TEXT_MAX, FakeZalo, fake_zalo_fixture  # noqa: F401

CHAT = "e4ea2cd5189df1c3a88c"


class Sleeps(list):
    """An asyncio.sleep that records the delays and does not wait."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


def settings_for(server: FakeZalo, engine, token: str | None = None, **more) -> Settings:
    return Settings(
        ZALO_BOT_TOKEN=token or server.token,
        ZALO_API_URL=server.base_url,
        DATABASE_URL=str(engine.url),
        MESSENGERS="zalo",
        ZALO_PER_CHAT_INTERVAL=0,
        **more,
    )


class RunningZalo:
    """The Zalo adapter as `bot.app.run` runs it (start, serve, an outbox sender at its
    pace), with the conversations' clock fixed at NOW and short long polls."""

    def __init__(self, server: FakeZalo, engine) -> None:
        self.server = server
        self.engine = engine
        self.settings = settings_for(server, engine)

    async def __aenter__(self) -> RunningZalo:
        self.bot = ZaloBot.from_settings(self.settings)
        self.bot.poll_timeout = 1
        await self.bot.start(self.engine)
        self.sender = OutboxSender(
            self.engine, self.bot, rate=50, per_chat_interval=0, backoff_base=0.05
        )
        self.sending = asyncio.create_task(self.sender.run_forever(poll_interval=0.2))
        since = len(self.server.calls)
        self.serving = asyncio.create_task(
            self.bot.serve(
                Inbox(self.engine, self.bot, self.settings.chat, self.sender.wake, lambda: NOW)
            )
        )
        await self.server.wait_for_call("getUpdates", since=since, accepted=False)
        return self

    async def __aexit__(self, *exc) -> None:
        for task in (self.serving, self.sending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.bot.close()


async def say(server: FakeZalo, text: str, chat: str = CHAT) -> str:
    """The person types `text`; the texts of the bot's answers, one per message."""
    before = len(server.sent(chat))
    since = len(server.calls)
    server.send_text(chat, text)
    await server.wait_for_call("sendMessage", since=since, timeout=15)
    await server.wait_until_idle(timeout=15)
    return "\n".join(m["text"] for m in server.sent(chat)[before:])


def option(text: str, words: str) -> str:
    """The number of the menu line holding `words` in `text`."""
    for line in text.splitlines():
        match = re.match(r"(\d+)\. (.*)", line)
        if match and words in match.group(2):
            return match.group(1)
    raise AssertionError(f"no option {words!r} in:\n{text}")


@pytest.fixture
def engine(tmp_path):
    return database(tmp_path)


# -- conversations -------------------------------------------------------------------------


async def test_registration_and_a_numbered_menu_answered_by_number_and_words(fake_zalo, engine):
    codes = small_organization(engine)
    async with RunningZalo(fake_zalo, engine):
        assert "chưa được đăng ký" in await say(fake_zalo, "xin chào")
        welcome = await say(fake_zalo, f"/start {codes['nv01']}")
        assert "Chào mừng đồng chí Trần Thị Mai" in welcome
        # no buttons: the menu is numbered, with its hint in Vietnamese
        assert "2. 📝 Tự đánh giá" in welcome
        assert "Đồng chí trả lời bằng số (1–8) hoặc nội dung của lựa chọn." in welcome
        assert option(welcome, "Tự đánh giá") == "2"
        # "2" picks the self-assessment
        first = await say(fake_zalo, "2")
        assert "Tiêu chí chung 1/10" in first
        assert "5 · 4,5 · 4" in first  # scores are answered as written
        # a score typed with a decimal comma
        answer = await say(fake_zalo, "4,5")
        assert "4,5 điểm" in answer and "Tiêu chí chung 2/10" in answer
        # "quay lại" picks the back option: criterion 1 again
        assert "Tiêu chí chung 1/10" in await say(fake_zalo, "quay lại")
        # the menu again (a command is typed: no command menu on Zalo); its words pick
        menu = await say(fake_zalo, "/menu")
        assert "1. 📋 Kế hoạch công tác" in menu
        plan = await say(fake_zalo, "kế hoạch công tác")
        assert "Kế hoạch công tác tháng 11/2026" in plan
        assert "0 để quay lại" in plan
        # "0" goes back from a numbered menu that has a back option
        assert "1. 📋 Kế hoạch công tác" in await say(fake_zalo, "0")
        # the words without their tone marks work too
        assert "Tiêu chí chung" in await say(fake_zalo, "tu danh gia")
    fake_zalo.assert_no_rejections()
    assert not any("reply_markup" in c.params for c in fake_zalo.calls)
    assert all(isinstance(c.params.get("chat_id", ""), str) for c in fake_zalo.calls)
    with Session(engine) as s:
        assert s.exec(select(Identity)).one().chat_id == CHAT
        assessment = s.exec(select(SelfAssessment)).one()
        assert assessment.general == {"politics_ethics_culture": 4.5}


async def test_a_long_text_is_split_under_2000_characters(fake_zalo, engine):
    codes = small_organization(engine, tasks=60)  # the plan lists 60 tasks, 60 options
    async with RunningZalo(fake_zalo, engine):
        await say(fake_zalo, f"/start {codes['nv01']}")
        before = len(fake_zalo.sent(CHAT))
        text = await say(fake_zalo, "1")
        pieces = fake_zalo.sent(CHAT)[before:]
    assert len(text) > TEXT_MAX and len(pieces) >= 2
    assert all(0 < len(p["text"]) <= TEXT_MAX for p in pieces)
    assert "1. Nhiệm vụ số 1 — hạn 25/11" in pieces[0]["text"]
    assert "60. Nhiệm vụ số 60" in text and "0 để quay lại" in pieces[-1]["text"]
    fake_zalo.assert_no_rejections()


async def test_429_and_5xx_are_retried_and_nothing_is_lost(fake_zalo, engine):
    codes = small_organization(engine)
    async with RunningZalo(fake_zalo, engine):
        fake_zalo.fail_next("sendMessage", status=429, retry_after=0.2)
        fake_zalo.fail_next("sendMessage", status=502, times=2)
        welcome = await say(fake_zalo, f"/start {codes['nv01']}")
        await fake_zalo.wait_until_idle(timeout=15, quiet=0.5)
    assert "Chào mừng đồng chí Trần Thị Mai" in welcome
    assert [c.status for c in fake_zalo.rejected if c.method == "sendMessage"] == [429, 502, 502]
    assert len(fake_zalo.sent(CHAT)) == 2  # the welcome and the menu, once each
    with Session(engine) as s:
        rows = s.exec(select(OutboxMessage)).all()
        assert [r.status for r in rows] == [OutboxStatus.SENT]


async def test_a_redelivered_message_is_answered_once_even_after_a_restart(fake_zalo, engine):
    codes = small_organization(engine)
    async with RunningZalo(fake_zalo, engine):
        await say(fake_zalo, f"/start {codes['nv01']}")
        since = len(fake_zalo.calls)
        update = fake_zalo.send_text(CHAT, "2")
        await fake_zalo.wait_for_call("sendMessage", since=since)
        await fake_zalo.wait_until_idle()
        count = len(fake_zalo.sent(CHAT))
        fake_zalo.replay(update)  # remembered in memory
        await fake_zalo.wait_until_idle()
        assert len(fake_zalo.sent(CHAT)) == count
    async with RunningZalo(fake_zalo, engine):  # a new process: the database remembers
        fake_zalo.replay(update)
        await fake_zalo.wait_until_idle()
        assert len(fake_zalo.sent(CHAT)) == count
        assert "Tiêu chí chung 2/10" in await say(fake_zalo, "5")


async def test_images_stickers_and_other_kinds_are_answered_as_an_empty_message(fake_zalo, engine):
    codes = small_organization(engine)
    async with RunningZalo(fake_zalo, engine):
        # a stranger's picture: how to register
        since = len(fake_zalo.calls)
        fake_zalo.send_event("message.image.received", CHAT, photo_url="https://x/1.jpg")
        await fake_zalo.wait_for_call("sendMessage", since=since)
        await fake_zalo.wait_until_idle()
        assert "chưa được đăng ký" in fake_zalo.last(CHAT)["text"]
        await say(fake_zalo, f"/start {codes['nv01']}")
        await say(fake_zalo, "2")
        # a sticker in the middle of a question: the question is asked again
        since = len(fake_zalo.calls)
        fake_zalo.send_event("message.sticker.received", CHAT, sticker="abc")
        await fake_zalo.wait_for_call("sendMessage", since=since)
        await fake_zalo.wait_until_idle()
        assert "Tiêu chí chung 1/10" in fake_zalo.last(CHAT)["text"]
        # a group chat is not served
        count = sum(1 for c in fake_zalo.calls if c.method == "sendMessage")
        fake_zalo.send_event(
            "message.text.received", "group00000000000001", chat_type="GROUP", text="/menu"
        )
        await fake_zalo.wait_until_idle()
        assert sum(1 for c in fake_zalo.calls if c.method == "sendMessage") == count
    fake_zalo.assert_no_rejections()


async def test_a_webhook_set_meanwhile_is_deleted_and_polling_goes_on(fake_zalo, engine):
    small_organization(engine)
    fake_zalo.webhook = {"url": "https://example.org/zalo", "secret_token": "s" * 16}
    async with RunningZalo(fake_zalo, engine) as running:
        assert fake_zalo.webhook is None  # start deleted it
        assert "chưa được đăng ký" in await say(fake_zalo, "xin chào")
        fake_zalo.webhook = {"url": "https://example.org/zalo", "secret_token": "s" * 16}
        await fake_zalo.wait_for_call("deleteWebhook", since=len(fake_zalo.calls), timeout=20)
        assert running.serving.done() is False
        assert "chưa được đăng ký" in await say(fake_zalo, "alo")
    assert [c.status for c in fake_zalo.rejected if c.method == "getUpdates"].count(400) >= 1


# -- through the composition root -----------------------------------------------------------


async def test_bot_app_run_serves_zalo_until_stopped(fake_zalo, engine):
    small_organization(engine)
    with transaction(engine) as s:  # a code valid now, whatever the date
        person = s.exec(select(Person).where(Person.code == "nv02")).one()
        code = invites.issue(s, person, now=utcnow())[0]
    settings = settings_for(fake_zalo, engine)
    stop = asyncio.Event()
    task = asyncio.create_task(run(engine, settings, with_cycle=False, stop=stop))
    try:
        await fake_zalo.wait_for_call("getUpdates", accepted=False, timeout=10)
        assert "Chào mừng đồng chí Lê Minh Tuấn" in await say(fake_zalo, f"/start {code}")
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=60)  # an idle long poll is cancelled at once
    methods = [c.method for c in fake_zalo.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    fake_zalo.assert_no_rejections()


async def test_a_wrong_token_stops_bot_app_run_at_start(fake_zalo, engine):
    settings = settings_for(fake_zalo, engine, token="1234567890:WRONG-SECRET")
    with pytest.raises(StartError) as raised:
        await asyncio.wait_for(run(engine, settings, with_cycle=False), timeout=10)
    text = str(raised.value)
    assert "ZALO_BOT_TOKEN" in text and "401" in text and "WRONG-SECRET" not in text
    assert [c.method for c in fake_zalo.calls] == ["getMe"]
    assert raised.value.message.startswith("Zalo refuses ZALO_BOT_TOKEN")


# -- start-up ------------------------------------------------------------------------------


async def test_connect_doubles_its_wait_with_one_warning_per_try(fake_zalo, caplog):
    caplog.set_level(logging.WARNING, logger="bot.zalo")
    fake_zalo.fail_next("getMe", status=502, times=8)
    zalo = ZaloBot(ZaloClient(fake_zalo.base_url, fake_zalo.token))
    sleeps = Sleeps()
    try:
        me = await zalo.connect(sleep=sleeps)
    finally:
        await zalo.close()
    assert me["account_name"] == fake_zalo.bot_name
    assert sleeps == [1, 2, 4, 8, 16, 32, 60, 60]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 8 and all(fake_zalo.token not in w for w in warnings)


async def test_connect_waits_what_a_429_asks(fake_zalo):
    fake_zalo.fail_next("getMe", status=429, retry_after=7)
    zalo = ZaloBot(ZaloClient(fake_zalo.base_url, fake_zalo.token))
    sleeps = Sleeps()
    try:
        await zalo.connect(sleep=sleeps)
    finally:
        await zalo.close()
    assert sleeps == [7]


async def test_connect_waits_for_a_zalo_not_yet_listening(caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="bot.zalo")
    monkeypatch.setattr(bot.zalo, "CONNECT_FIRST_DELAY", 0.01)
    monkeypatch.setattr(bot.zalo, "CONNECT_MAX_DELAY", 0.04)
    server = FakeZalo()
    await server.start()
    url = server.base_url
    await server.stop()  # nobody listens there now
    zalo = ZaloBot(ZaloClient(url, server.token))
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(zalo.connect(), timeout=0.5)
    finally:
        await zalo.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) >= 3 and all(server.token not in w for w in warnings)
    assert all("<ZALO_BOT_TOKEN>" in w or "Cannot connect" in w for w in warnings)


# -- the client's errors ---------------------------------------------------------------------


@pytest.mark.parametrize("in_http_200", [True, False])
async def test_send_maps_zalo_refusals_to_the_senders_errors(fake_zalo, in_http_200):
    fake_zalo.refusals_as_http_200 = in_http_200
    zalo = ZaloBot(ZaloClient(fake_zalo.base_url, fake_zalo.token))
    try:
        await zalo.send(CHAT, Out(text="Xin chào"), None)
        assert fake_zalo.last(CHAT)["text"] == "Xin chào"
        with pytest.raises(Undeliverable, match="2000"):
            await zalo.send(CHAT, Out(text="a" * (TEXT_MAX + 1)), None)
        with pytest.raises(Undeliverable):
            await zalo.send(CHAT, Out(text=" "), None)
        with pytest.raises(Undeliverable):
            await zalo.send(CHAT, Out(document=Document("a.xlsx", b"x")), None)
        await zalo.send(CHAT, Out(commands=(("menu", "Menu"),)), None)  # nothing to do
        fake_zalo.fail_next("sendMessage", status=429, retry_after=3)
        with pytest.raises(RetryLater) as later:
            await zalo.send(CHAT, Out(text="x"), None)
        assert later.value.retry_after == 3
        fake_zalo.fail_next("sendMessage", status=503)
        with pytest.raises(Unreachable):
            await zalo.send(CHAT, Out(text="x"), None)
    finally:
        await zalo.close()
    assert len(fake_zalo.sent(CHAT)) == 1


async def test_a_refused_token_on_a_send_is_unauthorized_without_the_token(fake_zalo):
    token = "1234567890:REVOKED-SECRET"
    zalo = ZaloBot(ZaloClient(fake_zalo.base_url, token))
    try:
        with pytest.raises(Unauthorized) as refused:
            await zalo.send(CHAT, Out(text="x"), None)
    finally:
        await zalo.close()
    assert "REVOKED-SECRET" not in str(refused.value)


async def test_network_errors_are_unreachable_and_never_show_the_token():
    token = "1234567890:NETWORK-SECRET"
    # a port nobody listens on, and a URL the client cannot even parse
    for base in ("http://127.0.0.1:9", f"http://[{token}"):
        zalo = ZaloBot(ZaloClient(base, token))
        try:
            with pytest.raises(Unreachable) as failed:
                await zalo.send(CHAT, Out(text="x"), None)
        finally:
            await zalo.close()
        assert "NETWORK-SECRET" not in str(failed.value)


def test_an_ok_false_answer_on_http_200_is_an_error():
    client = ZaloClient("http://127.0.0.1:9", "1:s")
    with pytest.raises(bot.zalo.ApiError) as refused:
        client._result(
            "sendMessage", 200, {"ok": False, "error_code": 403, "description": "x"}, None
        )
    assert refused.value.code == 403
    with pytest.raises(RetryLater) as later:
        client._result("sendMessage", 200, {"ok": False, "retry_after": 5}, None)
    assert later.value.retry_after == 5
    with pytest.raises(Unreachable):
        client._result("getMe", 200, "<html>proxy</html>", None)
    with pytest.raises(Unreachable):
        client._result("getMe", 502, None, None)
    assert client._result("getMe", 200, {"ok": True, "result": {"id": "1"}}, None) == {"id": "1"}


def test_updates_become_incoming_messages():
    zalo = ZaloBot(ZaloClient("http://127.0.0.1:9", "1:s"))
    message = {
        "message_id": "16f6366b3f02645a3d15",
        "date": 1766619597466,
        "text": "Xin chào",
        "chat": {"id": CHAT, "chat_type": "PRIVATE"},
        "from": {"id": "a1b2", "display_name": "Nguyễn Văn A"},
    }
    update = {"event_name": "message.text.received", "message": message}
    incoming = zalo.incoming(update)
    assert incoming is not None
    assert (incoming.platform, incoming.chat_id, incoming.user_id) == ("zalo", CHAT, "a1b2")
    assert (incoming.update_id, incoming.text, incoming.language) == (message["message_id"],) + (
        "Xin chào",
        None,
    )
    assert zalo.incoming(update) is None  # the same message again
    webhook = {
        "result": {"event_name": "message.image.received", "message": message | {"message_id": "2"}}
    }
    image = zalo.incoming(webhook)
    assert image is not None and image.text == ""
    assert zalo.incoming({"event_name": "message.text.received"}) is None
    group = {
        "event_name": "message.text.received",
        "message": message | {"message_id": "3", "chat": {"id": "g", "chat_type": "GROUP"}},
    }
    assert zalo.incoming(group) is None


async def test_serve_polls_again_after_an_idle_408_and_after_a_5xx(fake_zalo, engine):
    zalo = ZaloBot(ZaloClient(fake_zalo.base_url, fake_zalo.token), poll_timeout=0)
    fake_zalo.max_poll_wait = 0.05
    sleeps = Sleeps()
    settings = settings_for(fake_zalo, engine)
    inbox = Inbox(engine, zalo, settings.chat, lambda: None)
    task = asyncio.create_task(zalo.serve(inbox, sleep=sleeps))
    try:
        await fake_zalo.wait_for_call(lambda c: c.status == 408, accepted=False)
        fake_zalo.fail_next("getUpdates", status=500)
        since = len(fake_zalo.calls)
        await fake_zalo.wait_for_call(lambda c: c.status == 500, since=since, accepted=False)
        await fake_zalo.wait_for_call(lambda c: c.status == 408, since=since + 1, accepted=False)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await zalo.close()
    assert sleeps == [1.0]  # a wait after the 5xx, none after an idle poll


async def test_serve_ends_with_unauthorized_when_the_token_is_revoked(fake_zalo, engine):
    zalo = ZaloBot(ZaloClient(fake_zalo.base_url, "1234567890:REVOKED"), poll_timeout=0)
    settings = settings_for(fake_zalo, engine)
    try:
        with pytest.raises(Unauthorized):
            inbox = Inbox(engine, zalo, settings.chat, lambda: None)
            await asyncio.wait_for(zalo.serve(inbox), timeout=10)
    finally:
        await zalo.close()


def test_the_sender_pace_on_zalo_is_a_setting(engine):
    settings = Settings(
        ZALO_BOT_TOKEN="1:s", ZALO_RATE=5, ZALO_PER_CHAT_INTERVAL=2, DATABASE_URL=str(engine.url)
    )
    assert settings.pace("zalo") == {"rate": 5.0, "per_chat_interval": 2.0}
    assert settings.messengers == ["zalo"]


async def test_python_m_bot_with_a_refused_zalo_token_says_so_in_one_line(fake_zalo, tmp_path):
    drop = ("DEFAULT_LANGUAGE", "BOT_TOKEN", "MESSENGERS")
    env = {k: v for k, v in os.environ.items() if k not in drop} | {
        "ZALO_BOT_TOKEN": "1234567890:WRONG-SECRET",
        "ZALO_API_URL": fake_zalo.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
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
    assert "Traceback" not in text and "WRONG-SECRET" not in text
    assert text.splitlines()[-1].startswith("Zalo từ chối ZALO_BOT_TOKEN (401 Unauthorized)")
    assert [c.method for c in fake_zalo.calls] == ["getMe"]
