"""Benchmark of the Telegram adapter: updates a second through the bot (aiogram polling,
`delivery.inbound.Inbox`, the conversations, the outbox sender) against a bare aiogram echo
bot on the same fake Bot API server, in one run (target: at least 0.5 of the echo with 50
chats at once); then the resident memory of a worker process (`python -m bot` in webhook
mode) serving a database of --people staff.

Each of --chats chats (default 50) sends --each messages (default 20) at once; a run ends
when every message has its answer. The database holds --people staff (default 5,000; try
50,000) in a migrated SQLite file, or DATABASE_URL (PostgreSQL: give an empty database).

    python benchmarks/adapter_bench.py
    python benchmarks/adapter_bench.py --people 50000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54329/bench \
        python benchmarks/adapter_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from aiogram import Dispatcher  # noqa: E402
from aiogram.types import Message  # noqa: E402
from sqlalchemy import select  # noqa: E402
from status_bench import populate  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.telegram_aiogram import AiogramTelegram  # noqa: E402
from delivery.inbound import Inbox  # noqa: E402
from delivery.sender import OutboxSender  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.models import Identity, Person, Role  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

FIRST_CHAT = 8000


def register(url: str, chats: int) -> None:
    """Telegram accounts for `chats` staff members."""
    engine = make_engine(url)
    with transaction(engine) as session:
        staff = session.execute(
            select(Person.id).where(Person.role == Role.STAFF).limit(chats)
        ).scalars()
        for n, person_id in enumerate(staff):
            chat = str(FIRST_CHAT + n)
            session.add(
                Identity(person_id=person_id, platform="telegram", user_id=chat, chat_id=chat)
            )
    engine.dispose()


async def until_answered(server: FakeTelegram, expected: int) -> None:
    while len(server.calls_to("sendMessage")) < expected:
        await asyncio.sleep(0.01)


def send_all(server: FakeTelegram, chats: int, each: int, text: str) -> None:
    for _ in range(each):
        for n in range(chats):
            server.send_text(FIRST_CHAT + n, text)


async def echo_rate(chats: int, each: int) -> float:
    async with FakeTelegram() as server:
        bot = server.aiogram_bot()
        dispatcher = Dispatcher()

        @dispatcher.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "")

        polling = asyncio.create_task(
            dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
        )
        await server.wait_for_call("getUpdates", timeout=10)
        start = time.perf_counter()
        send_all(server, chats, each, "xin chào")
        await until_answered(server, chats * each)
        elapsed = time.perf_counter() - start
        await dispatcher.stop_polling()
        await polling
        await bot.session.close()
    return chats * each / elapsed


async def bot_rate(url: str, chats: int, each: int, first_update_id: int) -> float:
    async with FakeTelegram(first_update_id=first_update_id) as server:
        settings = Settings(
            BOT_TOKEN=server.token, TELEGRAM_API_URL=server.base_url, DATABASE_URL=url
        )
        engine = make_engine(url)
        messenger = AiogramTelegram.from_settings(settings)
        # Telegram's limits are per chat (1 a second) and per bot (30 a second): the fake
        # server has none, and the echo bot ignores them, so the sender does too here
        sender = OutboxSender(engine, messenger, rate=100_000, per_chat_interval=0)
        inbox = Inbox(
            engine, messenger, settings.chat, sender.wake, limit=settings.concurrent_updates
        )
        tasks = [
            asyncio.create_task(sender.run_forever(poll_interval=0.2)),
            asyncio.create_task(messenger.serve(inbox, poll_timeout=1)),
        ]
        await server.wait_for_call("getUpdates", timeout=10)
        start = time.perf_counter()
        send_all(server, chats, each, "/help")
        await until_answered(server, chats * each)
        elapsed = time.perf_counter() - start
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await messenger.close()
        engine.dispose()
    return chats * each / elapsed


async def worker_memory(url: str, chats: int, first_update_id: int) -> int:
    """The resident memory (kB) of `python -m bot` in webhook mode after answering a
    message of each chat."""
    async with FakeTelegram(first_update_id=first_update_id) as server:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": server.token,
            "TELEGRAM_API_URL": server.base_url,
            "DATABASE_URL": url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_SECRET": "benchmark-secret",
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }
        with tempfile.TemporaryDirectory() as folder:
            worker = subprocess.Popen([sys.executable, "-m", "bot"], cwd=folder, env=environment)
            try:
                await server.wait_for_call("setWebhook", timeout=120)
                await asyncio.sleep(1)
                before = len(server.calls_to("sendMessage"))
                for n in range(chats):
                    server.send_text(FIRST_CHAT + n, "/status")
                await until_answered(server, before + chats)
                await asyncio.sleep(2)  # the scheduler's first tick over the organization
                with open(f"/proc/{worker.pid}/status") as status:
                    fields = dict(line.split(":", 1) for line in status)
                return int(fields["VmRSS"].split()[0])
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--each", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adapter-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        print(f"database: {url.split('@')[-1]}, {args.people:,} people")
        migrate(url)
        populate(url, args.people, max(1, args.people // 100))
        register(url, args.chats)
        updates = args.chats * args.each
        print(
            f"{args.chats} chats x {args.each} messages = {updates} updates, best of {args.rounds}"
        )
        echo = max(asyncio.run(echo_rate(args.chats, args.each)) for _ in range(args.rounds))
        ours = max(
            asyncio.run(bot_rate(url, args.chats, args.each, 1 + n * updates))
            for n in range(args.rounds)
        )
        print(f"bare aiogram echo bot: {echo:8.0f} updates/s")
        print(f"the bot (/help):       {ours:8.0f} updates/s")
        print(f"ratio: {ours / echo:.2f} (target: at least 0.5)")
        rss = asyncio.run(worker_memory(url, args.chats, 1 + args.rounds * updates))
        print(f"resident memory of a worker after answering: {rss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
