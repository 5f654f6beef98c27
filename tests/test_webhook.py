"""Webhook mode (bot/webhook.py, `bot.app.run` with WEBHOOK_URL): the fake Telegram server
POSTs each update to the bot, with the secret in X-Telegram-Bot-Api-Secret-Token, until it
is answered 200. A call without the secret is refused and changes nothing; two workers on
one port and one database handle each update once, redeliveries included; /health says
whether the database answers."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import Session, func, select

from bot import app
from bot.config import Settings
from bot.webhook import application
from storage import leases
from storage.db import make_engine
from storage.models import OutboxMessage, ProcessedUpdate
from tests.chat import database
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401
from tests.fake_zalo import fake_zalo_fixture  # noqa: F401

SECRET = "s3cret-of-the-so_noi-vu"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def webhook_settings(server: FakeTelegram, engine, port: int, **messenger: str) -> Settings:
    """Telegram's fake `server` by webhook on `port`; `messenger`: other settings instead
    (ZALO_BOT_TOKEN=...)."""
    return Settings(
        **(messenger or {"BOT_TOKEN": server.token, "TELEGRAM_API_URL": server.base_url}),
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


async def served(settings: Settings, engines, stop: asyncio.Event) -> list[asyncio.Task]:
    return [
        asyncio.create_task(app.run(engine, settings, with_cycle=True, stop=stop))
        for engine in engines
    ]


async def wait_for(condition, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_updates_come_by_webhook_and_forged_ones_are_refused(tmp_path, fake_telegram):
    engine = database(tmp_path)
    port = free_port()
    settings = webhook_settings(fake_telegram, engine, port)
    stop = asyncio.Event()
    [task] = await served(settings, [engine], stop)
    try:
        await fake_telegram.wait_for_call("setWebhook", timeout=15)
        [call] = fake_telegram.calls_to("setWebhook")
        assert call.params["url"] == f"http://127.0.0.1:{port}/hook/telegram"
        assert call.params["secret_token"] == SECRET
        await wait_for(lambda: fake_telegram.webhook is not None)
        await asyncio.sleep(0.3)  # the server listens once setWebhook returned
        fake_telegram.send_text(9001, "xin chào")
        await fake_telegram.wait_for_call("sendMessage", timeout=15)
        assert "mã" in fake_telegram.last(9001)["text"]  # a stranger is asked for a code
        assert not fake_telegram.calls_to("getUpdates")
        handled = count(engine, ProcessedUpdate)
        replies = count(engine, OutboxMessage)

        url = f"http://127.0.0.1:{port}/hook/telegram"
        update = {
            "update_id": 777,
            "message": {
                "message_id": 1,
                "date": 1764547200,
                "chat": {"id": 9002, "type": "private"},
                "from": {"id": 9002, "is_bot": False, "first_name": "Giả"},
                "text": "/start 12345678",
            },
        }
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret"}):
                async with session.post(url, json=update, headers=headers) as response:
                    assert response.status == 401
            zalo_header = {"X-Bot-Api-Secret-Token": SECRET}  # Zalo's header, not Telegram's
            async with session.post(url, json=update, headers=zalo_header) as response:
                assert response.status == 401
            good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with session.post(url, data=b"{not json", headers=good) as response:
                assert response.status == 400
            async with session.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200
                assert await response.json() == {"database": "ok"}
        assert (count(engine, ProcessedUpdate), count(engine, OutboxMessage)) == (handled, replies)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_two_workers_handle_each_update_once(tmp_path, fake_telegram):
    """Two workers on one port and one database; 20 chats write 3 messages each, and 10
    updates are delivered again: every update is answered once, and
    one worker alone runs the scheduler and the sender."""
    engine = database(tmp_path)
    other = make_engine(engine.url.render_as_string(hide_password=False))
    port = free_port()
    settings = webhook_settings(fake_telegram, engine, port)
    stop = asyncio.Event()
    tasks = await served(settings, [engine, other], stop)
    try:
        await wait_for(lambda: len(fake_telegram.calls_to("setWebhook")) == 2)
        await asyncio.sleep(0.3)
        ids = []
        for n in range(3):
            for chat in range(20):
                ids.append(fake_telegram.send_text(7000 + chat, f"/help {n}"))
        for update_id in ids[:10]:
            fake_telegram.replay(update_id)
        await wait_for(lambda: len(fake_telegram.calls_to("sendMessage")) >= 60, timeout=30)
        await asyncio.sleep(0.5)  # time enough for a double to show
        holders = leases.holders(engine)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        other.dispose()
    assert len(fake_telegram.calls_to("sendMessage")) == 60
    assert count(engine, ProcessedUpdate) == 60
    posted = Counter(update_id for update_id, status in fake_telegram.webhook_posts)
    assert all(posted[update_id] >= 2 for update_id in ids[:10])  # redelivered, answered once
    assert {name for name in holders} == {"scheduler", "sender:telegram"}


@pytest.mark.parametrize("reachable", [True, False])
async def test_health_says_whether_the_database_answers(tmp_path, reachable):
    if reachable:
        engine = database(tmp_path)
    else:  # nothing listens on port 9 of this machine
        engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/nothing?connect_timeout=2")
    settings = Settings(
        BOT_TOKEN="1:x", WEBHOOK_URL="https://bot.example.gov.vn", WEBHOOK_SECRET=SECRET
    )
    client = TestClient(TestServer(application(engine, settings, {})))
    await client.start_server()
    try:
        response = await client.get("/health")
        assert response.status == (200 if reachable else 503)
        assert (await response.json())["database"] == ("ok" if reachable else "unreachable")
    finally:
        await client.close()
        engine.dispose()


async def test_zalo_updates_come_by_webhook_bare_or_wrapped(tmp_path, fake_zalo):
    """Zalo posts the update inside {"result": ...} (its SDK's samples) or bare (as an
    integrator reports): both are answered; its secret header is Zalo's own."""
    engine = database(tmp_path)
    port = free_port()
    settings = webhook_settings(
        fake_zalo, engine, port, ZALO_BOT_TOKEN=fake_zalo.token, ZALO_API_URL=fake_zalo.base_url
    )
    stop = asyncio.Event()
    [task] = await served(settings, [engine], stop)
    url = f"http://127.0.0.1:{port}/hook/zalo"

    def update(chat: str, message_id: str) -> dict:
        return {
            "event_name": "message.text.received",
            "message": {
                "message_id": message_id,
                "date": 1764547200000,
                "text": "xin chào",
                "chat": {"id": chat, "chat_type": "PRIVATE"},
                "from": {"id": chat, "display_name": "Nguyễn Văn A"},
            },
        }

    try:
        await wait_for(lambda: fake_zalo.webhook is not None)
        assert fake_zalo.webhook == {"url": url, "secret_token": SECRET}
        await asyncio.sleep(0.3)
        zalo = {"X-Bot-Api-Secret-Token": SECRET}
        telegram = {"X-Telegram-Bot-Api-Secret-Token": SECRET}  # not Zalo's header
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=update("c1", "m1"), headers=telegram) as response:
                assert response.status == 401
            for body in ({"result": update("a1", "m2")}, update("b2", "m3")):
                async with session.post(url, json=body, headers=zalo) as response:
                    assert response.status == 200
        await wait_for(lambda: fake_zalo.sent("a1") and fake_zalo.sent("b2"))
        assert "chưa được đăng ký" in fake_zalo.last("a1")["text"]
        assert not fake_zalo.sent("c1")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
