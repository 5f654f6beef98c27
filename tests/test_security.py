"""Secrets stay secret: with every log line captured (DEBUG, the libraries' too), a bot
serving each messenger through `bot.app.run` — starting, answering, failing calls that
are retried — never writes its token, nor the token's secret part, into a log line or
into the error kept on an outbox row, nor into a line of LOG_FORMAT=json (its tracebacks
included)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from sqlmodel import Session, select

from bot.app import run
from bot.config import Settings
from bot.logs import formatter
from storage.models import OutboxMessage
from tests.chat import database
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401
from tests.fake_zalo import FakeZalo, fake_zalo_fixture  # noqa: F401


async def _serve_and_fail(settings: Settings, engine, server, say) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run(engine, settings, with_cycle=False, stop=stop))
    try:
        await server.wait_for_call("getUpdates", timeout=10, **_unaccepted(server))
        server.fail_next("sendMessage", status=502, times=2)  # retried, with its error logged
        say("xin chào")
        await server.wait_for_call("sendMessage", timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=60)


def _unaccepted(server) -> dict:
    return {"accepted": False} if isinstance(server, FakeZalo) else {}


@pytest.mark.parametrize("messenger", ["aiogram", "ptb", "zalo"])
async def test_no_log_line_holds_the_token(messenger, fake_telegram, fake_zalo, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    engine = database(tmp_path)
    if messenger == "zalo":
        server = fake_zalo
        settings = Settings(
            ZALO_BOT_TOKEN=server.token,
            ZALO_API_URL=server.base_url,
            DATABASE_URL=str(engine.url),
        )
        say = lambda text: server.send_text("e4ea2cd5189df1c3a88c", text)  # noqa: E731
    else:
        server = fake_telegram
        settings = Settings(
            BOT_TOKEN=server.token,
            TELEGRAM_API_URL=server.base_url,
            DATABASE_URL=str(engine.url),
            MESSENGERS=messenger,
        )
        say = lambda text: server.send_text(9001, text)  # noqa: E731
    await _serve_and_fail(settings, engine, server, say)

    logged = "\n".join(r.getMessage() for r in caplog.records)
    as_json = [formatter("json").format(r) for r in caplog.records]  # LOG_FORMAT=json
    assert all(json.loads(line)["message"] == r.getMessage()
               for line, r in zip(as_json, caplog.records, strict=True))  # fmt: skip
    with Session(engine) as session:  # the error kept on the row, which admins see
        kept = [r.last_error for r in session.exec(select(OutboxMessage)) if r.last_error]
    assert kept and ("502" in kept[0] or "Bad Gateway" in kept[0])
    secret = server.token.split(":", 1)[1]
    for text in (logged, *as_json, *kept):
        assert server.token not in text and secret not in text
