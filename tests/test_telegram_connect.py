"""Starting on Telegram: the bot waits for a Telegram it cannot reach (backoff 1, 2, 4 ...
60 s, one warning per try) and stops in one line on a token Telegram refuses. Against the
local fake Bot API server (tests/fake_telegram.py); no test sleeps the real backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

import bot.telegram_aiogram
from bot.app import run
from bot.config import Settings
from bot.telegram_aiogram import connect
from delivery.messenger import StartError
from tests.chat import database
from tests.fake_telegram import BOT_USERNAME, FakeTelegram, fake_telegram_fixture  # noqa: F401


class Sleeps(list):
    """An asyncio.sleep that records the delays and does not wait."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


def warnings_of(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.telegram_aiogram" and r.levelno == logging.WARNING
    ]


def bot_for(base_url: str, token: str) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fast_backoff(monkeypatch):
    """The start's backoff in hundredths of a second."""
    monkeypatch.setattr(bot.telegram_aiogram, "CONNECT_FIRST_DELAY", 0.01)
    monkeypatch.setattr(bot.telegram_aiogram, "CONNECT_MAX_DELAY", 0.04)


async def test_connect_doubles_its_wait_up_to_a_minute_with_one_warning_per_try(
    fake_telegram, caplog
):
    caplog.set_level(logging.WARNING, logger="bot.telegram_aiogram")
    fake_telegram.fail_next("getMe", status=502, times=8)
    client = fake_telegram.aiogram_bot()
    sleeps = Sleeps()
    try:
        user = await connect(client, sleep=sleeps)
    finally:
        await client.session.close()

    assert user.username == BOT_USERNAME
    assert sleeps == [1, 2, 4, 8, 16, 32, 60, 60]
    warnings = warnings_of(caplog)
    assert len(warnings) == 8
    assert all("\n" not in w and "Bad Gateway" in w for w in warnings)
    assert all(fake_telegram.token not in w for w in warnings)
    assert warnings[0].endswith("trying again in 1 s") and warnings[-1].endswith("in 60 s")


async def test_connect_waits_what_a_429_asks(fake_telegram):
    fake_telegram.fail_next("getMe", status=429, retry_after=7)
    client = fake_telegram.aiogram_bot()
    sleeps = Sleeps()
    try:
        await connect(client, sleep=sleeps)
    finally:
        await client.session.close()
    assert sleeps == [7]


async def test_a_token_telegram_refuses_stops_at_once(fake_telegram):
    client = bot_for(fake_telegram.base_url, "999:WRONG-TOKEN")
    sleeps = Sleeps()
    try:
        with pytest.raises(StartError) as raised:
            await connect(client, sleep=sleeps)
    finally:
        await client.session.close()
    assert sleeps == []
    assert "BOT_TOKEN" in str(raised.value) and "401" in str(raised.value)
    assert "WRONG-TOKEN" not in str(raised.value)


async def polls(server: FakeTelegram, settings: Settings, engine) -> None:
    """Run the bot as `python -m bot` does until it polls `server`, then stop it."""
    task = asyncio.create_task(run(engine, settings, with_cycle=False, stop=asyncio.Event()))
    try:
        await server.wait_for_call("getUpdates", timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_bot_waits_while_telegram_answers_502_then_polls(
    fake_telegram, tmp_path, caplog, fast_backoff
):
    caplog.set_level(logging.WARNING, logger="bot.telegram_aiogram")
    fake_telegram.fail_next("getMe", status=502, times=3)
    settings = Settings(BOT_TOKEN=fake_telegram.token, TELEGRAM_API_URL=fake_telegram.base_url)

    await polls(fake_telegram, settings, database(tmp_path))

    assert [r.method for r in fake_telegram.rejected] == ["getMe"] * 3
    assert len(warnings_of(caplog)) == 3
    assert fake_telegram.calls_to("setMyCommands")  # the start-up went on


async def test_the_bot_waits_for_a_telegram_not_yet_listening_then_polls(
    tmp_path, caplog, fast_backoff
):
    caplog.set_level(logging.WARNING, logger="bot.telegram_aiogram")
    port = free_port()
    server = FakeTelegram()
    settings = Settings(BOT_TOKEN=server.token, TELEGRAM_API_URL=f"http://127.0.0.1:{port}")
    engine = database(tmp_path)
    task = asyncio.create_task(run(engine, settings, with_cycle=False, stop=asyncio.Event()))
    try:
        for _ in range(1000):  # the bot tries, fails and waits, more than once
            if len(warnings_of(caplog)) >= 3 or task.done():
                break
            await asyncio.sleep(0.01)
        assert not task.done(), task.exception()
        assert len(warnings_of(caplog)) >= 3
        await server.start(port)
        await server.wait_for_call("getUpdates", timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await server.stop()
    assert server.calls[0].method == "getMe"
    assert all("Cannot connect" in w or "connect" in w.lower() for w in warnings_of(caplog))


async def test_python_m_bot_with_a_refused_token_says_so_in_one_line(fake_telegram, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DEFAULT_LANGUAGE"} | {
        "BOT_TOKEN": "999:WRONG-TOKEN",
        "TELEGRAM_API_URL": fake_telegram.base_url,
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
    assert "Traceback" not in text and "WRONG-TOKEN" not in text
    assert text.splitlines()[-1].startswith("Telegram từ chối BOT_TOKEN (401 Unauthorized)")
    assert not fake_telegram.calls_to("getUpdates")
