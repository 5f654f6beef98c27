"""Benchmark of the outbox sender: a fan-out of reminders to the fake Telegram server.

What it measures
----------------
1. It creates a temporary SQLite database (migrated as the bot does), and writes
   ``--messages`` reminders (default 2,000) to as many different chats with
   `storage.outbox.enqueue`, in one transaction, as the scheduler would: Vietnamese
   self-assessment reminders with a button, keys ``remind:so-bench:2026-11:<person>:d-1``.
2. It starts the fake Bot API server of the tests (tests/fake_telegram.py) on 127.0.0.1,
   in a process of its own (Telegram is on another machine; here its work would
   otherwise slow the sender's event loop down), made to behave like Telegram's flood
   control: a ``send*`` call that would make more than ``--server-limit`` calls (default:
   ``--rate``) arrive within any sliding window of one second (by the server's clock) is
   answered 429 "retry after 1" (0 turns this off).
3. It drains the outbox with `delivery.sender.OutboxSender` (``rate=--rate``, default 200
   calls a second; the real aiogram client through `bot.telegram_aiogram.AiogramTelegram`), and
   times the drain (``run_until_idle``, from the first claim to the last mark written)
   with ``time.perf_counter``. Both processes freeze the objects made at start-up out of
   the garbage collector's sight (`gc.freeze`): aiogram's pydantic models make some
   260,000 of them, and a full collection over them stalls the event loop for 0.25 s.
4. It prints: the wall time of the drain and the CPU time of both processes; the achieved
   rate (messages a second) and its share of the limit (target: at least 95%); the 429
   answers received (target: 0); the most calls the server saw within one second; the
   rows still pending (must be 0) and the chats that got their reminder not exactly once
   (must be 0). It exits with 1 when a target is missed. ``--profile FILE`` writes a
   cProfile of the drain.

The machine is a small VM whose host takes CPU time away at times (``st`` in ``vmstat``):
the achieved rate varies by a few percent from run to run; run it a few times.

How to run
----------
From the repository root::

    python benchmarks/outbox_bench.py                          # 2,000 reminders at 200/s
    python benchmarks/outbox_bench.py --messages 2000 --rate 200
    python benchmarks/outbox_bench.py --messages 600 --rate 30  # Telegram's real limit
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from zoneinfo import ZoneInfo  # noqa: E402

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.telegram_aiogram import AiogramTelegram  # noqa: E402
from delivery.sender import OutboxSender  # noqa: E402
from handlers.events import (  # noqa: E402
    Button,
    Reply,
    replies_to_payload,
)
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.models import OutboxMessage, OutboxStatus  # noqa: E402
from storage.outbox import enqueue  # noqa: E402
from tests.fake_telegram import FakeTelegram, _Failure  # noqa: E402

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = "2026-11"
DEADLINE = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # 16:30 in Hà Nội
FIRST_CHAT = 700_000_001
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLE = ("Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương")
UNITS = ("Phòng Tổ chức cán bộ", "Văn phòng Sở", "Phòng Kế hoạch - Tài chính", "Thanh tra Sở")


class FloodControlledTelegram(FakeTelegram):
    """The fake server, answering 429 to a send call beyond `limit` calls a second."""

    def __init__(self, limit: int, window: float = 1.0) -> None:
        super().__init__()
        self.limit = limit
        self.window = window
        self.arrivals: list[float] = []  # accepted send calls, time.monotonic()
        self._recent: deque[float] = deque()

    def _take_failure(self, method: str, params: Any) -> _Failure | None:
        failure = super()._take_failure(method, params)
        if failure is not None or not method.startswith("send"):
            return failure
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - self.window:
            self._recent.popleft()
        if self.limit and len(self._recent) >= self.limit:
            text = "Too Many Requests: retry after 1"
            return _Failure(method, 429, text, {"retry_after": 1}, 1, None)
        self._recent.append(now)
        self.arrivals.append(now)
        return None


def reminder(index: int) -> Reply:
    name = (
        f"{SURNAMES[index % len(SURNAMES)]} {MIDDLE[index // 10 % len(MIDDLE)]} "
        f"{GIVEN[index // 80 % len(GIVEN)]}"
    )
    unit = UNITS[index % len(UNITS)]
    deadline = DEADLINE.astimezone(HANOI).strftime("%H:%M ngày %d/%m/%Y")
    text = (
        f"Kính gửi đồng chí {name} ({unit}),\n"
        f"Nhắc việc: hạn tự đánh giá, xếp loại chất lượng tháng 11/2026 là {deadline}; "
        "đồng chí chưa gửi bản tự đánh giá. Việc này chỉ mất vài phút: mỗi lần một câu hỏi."
    )
    return Reply(text, ((Button("📝 Tự đánh giá", "as:start"),),))


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most of `times` (sorted) within any half-open window of `window` seconds."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def serve(limit: int) -> None:
    """The server process: one JSON line with its address, then, when a line arrives on
    standard input, one JSON line of what it saw, and exit."""
    server = FloodControlledTelegram(limit)
    await server.start()
    gc.freeze()  # see bench()
    gc.disable()  # Telegram's stand-in should not pause for its own garbage collection
    print(json.dumps({"base_url": server.base_url, "token": server.token}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    per_chat = Counter(str(call.params["chat_id"]) for call in server.calls_to("sendMessage"))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "cpu": usage.ru_utime + usage.ru_stime,
        "too_many": sum(1 for r in server.rejected if r.status == 429),
        "other_rejections": sum(1 for r in server.rejected if r.status != 429),
        "max_in_window": max_in_window(server.arrivals),
        "per_chat": per_chat,
    }
    print(json.dumps(report), flush=True)
    await server.stop()


class ServerProcess:
    """The fake server in a process of its own, as Telegram is on another machine: its
    work does not slow the sender's event loop down (the machine has two cores)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    async def __aenter__(self) -> ServerProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve",
            str(self.limit),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 26,  # the report is one long line
        )
        assert self.process.stdout is not None
        hello = json.loads(await self.process.stdout.readline())
        self.base_url, self.token = hello["base_url"], hello["token"]
        return self

    async def report(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(b"report\n")
        await self.process.stdin.drain()
        return json.loads(await self.process.stdout.readline())

    async def __aexit__(self, *exc: object) -> None:
        if self.process.returncode is None:
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def bench(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate(url)
    engine = make_engine(url)

    started = time.perf_counter()
    with transaction(engine) as session:
        for i in range(args.messages):
            enqueue(
                session,
                key=f"remind:so-bench:{PERIOD}:nv{i + 1:05d}:d-1",
                kind="remind",
                platform="telegram",
                chat_id=FIRST_CHAT + i,
                payload=replies_to_payload(reminder(i)),
            )
    enqueue_time = time.perf_counter() - started

    limit = int(args.rate if args.server_limit is None else args.server_limit)
    async with ServerProcess(limit) as server:
        api = TelegramAPIServer.from_base(server.base_url)
        bot = Bot(server.token, session=AiohttpSession(api=api))
        sender = OutboxSender(
            engine,
            AiogramTelegram(bot),
            rate=args.rate,
            batch=args.batch,
        )
        # aiogram's pydantic models make a heap of some 260,000 objects that a full
        # collection walks in about 0.25 s, stalling the event loop; frozen, they are
        # left out (the bot's entry point should do the same after its imports)
        gc.collect()
        gc.freeze()
        profile = cProfile.Profile() if args.profile else None
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        try:
            if profile is not None:
                profile.enable()
            counts = await sender.run_until_idle()
        finally:
            drain = time.perf_counter() - started
            if profile is not None:
                profile.disable()
                profile.dump_stats(args.profile)
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
            await bot.session.close()
            seen = await server.report()

    with transaction(engine) as session:
        by_status = dict(
            session.exec(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    pending = by_status.get(OutboxStatus.PENDING, 0)
    per_chat = seen["per_chat"]
    expected = {str(FIRST_CHAT + i) for i in range(args.messages)}
    wrong = sum(1 for chat in expected if per_chat.get(chat, 0) != 1)
    wrong += sum(1 for chat in per_chat if chat not in expected)
    achieved = args.messages / drain
    share = achieved / args.rate
    cpu_used = (cpu_after.ru_utime - cpu.ru_utime) + (cpu_after.ru_stime - cpu.ru_stime)

    print(f"messages               {args.messages} reminders to {args.messages} chats")
    print(
        f"enqueue                {enqueue_time:.2f} s ({args.messages / enqueue_time:,.0f} rows/s)"
    )
    print(f"limiter                {args.rate:g} calls/s; the server answers 429 above {limit}/s")
    print(
        f"drain wall time        {drain:.2f} s (CPU: sender {cpu_used:.2f} s, "
        f"server {seen['cpu']:.2f} s in all)"
    )
    print(f"achieved rate          {achieved:.1f} messages/s")
    print(f"share of the limit     {share:.1%} (target >= 95%)")
    print(
        f"429 received           {seen['too_many']} (target 0; the sender counted "
        f"{counts.retried_429})"
    )
    print(f"most calls in 1 s      {seen['max_in_window']} (at the server)")
    print(f"other rejections       {seen['other_rejections']}")
    print(f"sent / failed          {counts.sent} / {counts.failed}")
    print(f"rows still pending     {pending} (must be 0)")
    print(f"chats not served once  {wrong} (must be 0)")
    ok = share >= 0.95 and seen["too_many"] == 0 and pending == 0 and wrong == 0
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument(
        "--server-limit",
        type=float,
        default=None,
        help="calls a second above which the fake server answers 429 (default: --rate; 0: off)",
    )
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the drain")
    parser.add_argument("--serve", type=int, metavar="LIMIT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.serve is not None:
        asyncio.run(serve(args.serve))
        return 0
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
