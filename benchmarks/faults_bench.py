"""Benchmark of the outbox sender against a flaky messenger: the fake Bot API server of the
tests answers a share of the sendMessage calls, drawn at random, with 429 (retry after 1
s), 500, or later than the client waits (the message is accepted all the same: the
client cannot know it went through, and sends it again).

What it does
------------
1. Writes ``--messages`` (default 5,000) to ``--chats`` chats (default 500), round robin,
   into a temporary migrated SQLite database with `storage.outbox.enqueue`.
2. Starts the fake server (tests/fake_telegram.py) on 127.0.0.1 with
   ``fail_randomly("sendMessage", --share, seed=--seed, delay=--late)``: by default a
   tenth of the calls fail, a third each 429, 500 and an answer 2 s late, while the client
   (the real aiogram one through `bot.telegram_aiogram.AiogramTelegram`) waits
   ``--timeout`` (default 0.5 s).
3. Drains the outbox with `delivery.sender.OutboxSender` (``--rate`` calls a second,
   default 200, one call a second per chat) on a clock ``--scale`` times faster than the
   wall clock (default 10: a 429's second of pause and the backoffs take a tenth of it;
   the network's time-outs and late answers are wall-clock time).
4. Prints: the faults served; the messages delivered (accepted by the server at least
   once; must be all); the duplicates, and how many of them followed a call answered
   late (must be all: at-least-once, never a copy otherwise); the chats whose order was
   broken (the deliveries, copies collapsed, not in the order written; must be 0); the
   rows not sent; the drain's wall time and the sender's clock time. Exits 1 when a
   "must" is missed.

    python benchmarks/faults_bench.py
    python benchmarks/faults_bench.py --messages 5000 --chats 500 --share 0.1 --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from bot.telegram_aiogram import AiogramTelegram  # noqa: E402
from delivery.sender import OutboxSender  # noqa: E402
from handlers.events import Reply, replies_to_payload  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.models import OutboxMessage, OutboxStatus  # noqa: E402
from storage.outbox import enqueue  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.test_outbox import FastClock  # noqa: E402

FIRST_CHAT = 800_000_001


def text_of(n: int, chat: int) -> str:
    return f"Thông báo số {n} gửi đồng chí (chat {chat}): hạn tự đánh giá tháng 11/2026."


async def bench(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="faults-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate(url)
    engine = make_engine(url)
    chats = [FIRST_CHAT + i for i in range(args.chats)]
    wanted: dict[int, list[str]] = {chat: [] for chat in chats}
    with transaction(engine) as session:
        for i in range(args.messages):
            chat = chats[i % len(chats)]
            text = text_of(len(wanted[chat]), chat)
            wanted[chat].append(text)
            enqueue(
                session,
                key=f"bench:{chat}:{len(wanted[chat])}",
                kind="remind",
                platform="telegram",
                chat_id=chat,
                payload=replies_to_payload(Reply(text)),
            )

    server = FakeTelegram()
    await server.start()
    server.fail_randomly("sendMessage", args.share, seed=args.seed, delay=args.late)
    api = TelegramAPIServer.from_base(server.base_url)
    bot = Bot(server.token, session=AiohttpSession(api=api, timeout=args.timeout))
    clock = FastClock(args.scale)
    sender = OutboxSender(engine, AiogramTelegram(bot), rate=args.rate, clock=clock)
    started = time.perf_counter()
    try:
        counts = await sender.run_until_idle()
    finally:
        wall = time.perf_counter() - started
        await bot.session.close()
        await server.stop()
    with Session(engine) as session:
        unsent = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != OutboxStatus.SENT)
        ).one()
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)

    faults = Counter(r.status for r in server.rejected)
    late = Counter((str(c.params["chat_id"]), c.params["text"]) for c in server.late)
    delivered = duplicates = explained = broken = 0
    for chat in chats:
        got = [m.get("text", "") for m in server.sent(chat)]
        delivered += len(set(got) & set(wanted[chat]))
        for text, copies in (Counter(got) - Counter(wanted[chat])).items():
            duplicates += copies
            explained += min(copies, late[(str(chat), text)])
        if [text for text, _ in itertools.groupby(got)] != wanted[chat]:
            broken += 1

    calls = len(server.calls_to("sendMessage")) + sum(faults.values())
    print(f"messages             {args.messages} to {args.chats} chats")
    print(
        f"faults served        {faults[429]} x 429, {faults[500]} x 500, {len(server.late)} "
        f"answered {args.late:g} s late (client timeout {args.timeout:g} s), "
        f"of {calls} sendMessage calls"
    )
    print(f"delivered            {delivered} / {args.messages} (must be all)")
    print(
        f"duplicates           {duplicates}, of which after a late answer {explained} (must be all)"
    )
    print(f"order violations     {broken} chats (must be 0)")
    print(f"rows not sent        {unsent} (must be 0; sender: {counts.failed} failed)")
    print(
        f"sender retries       {counts.retried_429} after 429, {counts.retried} after "
        "errors and time-outs"
    )
    print(
        f"time                 {wall:.1f} s wall; {clock.monotonic():.1f} s of the sender's "
        f"clock (x{args.scale:g}); {args.messages / wall:.0f} messages/s wall"
    )
    ok = delivered == args.messages and duplicates == explained and not broken and not unsent
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--share", type=float, default=0.1, help="share of calls that fail")
    parser.add_argument("--seed", type=int, default=335)
    parser.add_argument("--rate", type=float, default=200.0, help="calls a second")
    parser.add_argument("--timeout", type=float, default=0.5, help="the client's, seconds")
    parser.add_argument("--late", type=float, default=2.0, help="a late answer's delay, s")
    parser.add_argument("--scale", type=float, default=10.0, help="the sender's clock speed")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
