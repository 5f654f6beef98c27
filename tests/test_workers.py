"""WORKERS: `python -m bot` as an operator starts it, two webhook worker processes on one
port and one database, against the fake Telegram server. A worker killed with SIGKILL is
started again; the updates posted meanwhile reach the other worker (the fake server, as
Telegram, posts each until it is answered 200); every update is answered once; the
parent's SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, func, select

from storage.models import ProcessedUpdate
from tests.chat import database
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401
from tests.test_webhook import SECRET, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


async def test_a_killed_worker_loses_nothing_and_comes_back(tmp_path, fake_telegram: FakeTelegram):
    engine = database(tmp_path)
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_URL": fake_telegram.base_url,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "WORKERS": "2",
        "LEASE_SECONDS": "3",
    }
    parent = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=environment, stderr=subprocess.PIPE
    )
    try:
        await wait_for(lambda: len(fake_telegram.calls_to("setWebhook")) >= 2, timeout=60)
        await asyncio.sleep(1.0)  # both listen once their setWebhook returned
        for chat in range(10):
            fake_telegram.send_text(6000 + chat, "/help")
        await wait_for(lambda: len(fake_telegram.calls_to("sendMessage")) >= 10, timeout=30)

        await asyncio.sleep(0.5)  # the marks are written (a kill within ~50 ms of a send
        # would send it again: the outbox's documented at-least-once, delivery/sender.py)
        first, _ = children(parent.pid)
        os.kill(first, signal.SIGKILL)
        for chat in range(10):
            fake_telegram.send_text(6000 + chat, "/help")
        await wait_for(lambda: len(fake_telegram.calls_to("sendMessage")) >= 20, timeout=60)
        await wait_for(lambda: len(fake_telegram.calls_to("setWebhook")) >= 3, timeout=60)
        assert first not in children(parent.pid)  # started again: a new process
        assert len(children(parent.pid)) == 2
        for chat in range(10):
            fake_telegram.send_text(6100 + chat, "/help")
        await wait_for(lambda: len(fake_telegram.calls_to("sendMessage")) >= 30, timeout=60)
        await asyncio.sleep(1.0)  # time enough for a double to show
    finally:
        parent.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.to_thread(parent.wait, 60)
        finally:
            if parent.poll() is None:
                parent.kill()
    log = parent.stderr.read().decode() if parent.stderr else ""
    assert code == 0, log[-3000:]
    assert "starting it again" in log
    assert fake_telegram.token.partition(":")[2] not in log
    assert len(fake_telegram.calls_to("sendMessage")) == 30
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ProcessedUpdate)).one() == 30
