"""One scheduler and one sender per messenger across processes (storage/leases.py,
`bot.app.exclusively`): two processes on one database (two engines on the same SQLite
file, or on the same PostgreSQL database) never run the job at once, never send a
message twice, and the second takes over when the first stops or dies."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine

from bot import app
from bot.telegram_aiogram import AiogramTelegram
from delivery.sender import OutboxSender
from handlers.events import Reply, replies_to_payload
from storage import leases
from storage.db import make_engine, transaction
from storage.models import utcnow
from storage.outbox import enqueue
from tests.chat import database
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401

NOW = utcnow().replace(microsecond=0)


def second_process(engine: Engine) -> Engine:
    """Another engine (a pool of its own) on the same database: another process's view."""
    return make_engine(engine.url.render_as_string(hide_password=False))


def test_a_lease_has_one_holder_until_it_expires(tmp_path):
    engine = database(tmp_path)
    other = second_process(engine)
    try:
        assert leases.take(engine, "scheduler", "a", 30, NOW)
        assert not leases.take(other, "scheduler", "b", 30, NOW + timedelta(seconds=29))
        assert leases.take(engine, "scheduler", "a", 30, NOW + timedelta(seconds=20))  # renewed
        assert not leases.take(other, "scheduler", "b", 30, NOW + timedelta(seconds=49))
        assert leases.take(other, "scheduler", "b", 30, NOW + timedelta(seconds=50))  # expired
        assert not leases.take(engine, "scheduler", "a", 30, NOW + timedelta(seconds=51))
        assert leases.take(engine, "sender:zalo", "a", 30, NOW)  # another job, another lease
        leases.give_up(engine, "scheduler", "a")  # not a's: nothing happens
        assert leases.holders(engine)["scheduler"][0] == "b"
        leases.give_up(other, "scheduler", "b")
        assert leases.take(engine, "scheduler", "a", 30, NOW + timedelta(seconds=52))
    finally:
        other.dispose()


def test_processes_taking_at_once_get_one_holder(tmp_path):
    engine = database(tmp_path)
    engines = [engine] + [second_process(engine) for _ in range(3)]
    start = threading.Barrier(len(engines))
    won: list[str] = []

    def contend(n: int) -> None:
        start.wait()
        for _ in range(20):
            if leases.take(engines[n], "sender:telegram", f"p{n}", 30, NOW):
                won.append(f"p{n}")

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(len(engines))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for other in engines[1:]:
            other.dispose()
    assert len(set(won)) == 1 and len(won) == 20  # the winner renews; nobody else gets it


def _broadcast(engine: Engine, chats: int, each: int) -> None:
    with transaction(engine) as session:
        for n in range(each):
            for chat in range(chats):
                enqueue(
                    session,
                    key=f"broadcast:so-test:2026-11:{chat}:{n}",
                    kind="broadcast",
                    platform="telegram",
                    chat_id=5000 + chat,
                    payload=replies_to_payload(Reply(f"Thông báo {n}")),
                )


async def test_two_processes_send_a_broadcast_once(tmp_path, fake_telegram: FakeTelegram):
    """Two bots on one database: 300 messages, each sent once, in each chat's order; when
    the sending process stops, the other takes over the rest."""
    engine = database(tmp_path)
    other = second_process(engine)
    _broadcast(engine, chats=30, each=10)
    bots = [fake_telegram.aiogram_bot(), fake_telegram.aiogram_bot()]
    senders = [
        OutboxSender(db, AiogramTelegram(bot), rate=1000, per_chat_interval=0)
        for db, bot in zip((engine, other), bots, strict=True)
    ]
    jobs = [
        asyncio.create_task(
            app.exclusively(db, "sender:telegram", name, sender.run_forever, seconds=0.6)
        )
        for db, name, sender in zip((engine, other), ("first", "second"), senders, strict=True)
    ]
    try:
        await fake_telegram.wait_for_call("sendMessage", timeout=10)
        first = leases.holders(engine)["sender:telegram"][0]
        jobs[("first", "second").index(first)].cancel()  # the holder stops...
        for _ in range(200):  # ...and the other sends the rest
            await asyncio.sleep(0.05)
            if len(fake_telegram.calls_to("sendMessage")) >= 300:
                break
        await asyncio.sleep(0.3)  # time enough for a double to show
        second = leases.holders(engine)["sender:telegram"][0]
    finally:
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        for bot in bots:
            await bot.session.close()
        other.dispose()
    texts = Counter(
        (c.params["chat_id"], c.params["text"]) for c in fake_telegram.calls_to("sendMessage")
    )
    assert len(texts) == 300 and max(texts.values()) == 1
    for chat in range(30):
        sent = [m["text"] for m in fake_telegram.sent(5000 + chat)]
        assert sent == [f"Thông báo {n}" for n in range(10)]
    assert second != first


async def test_a_lost_lease_stops_the_work(tmp_path):
    """A process whose lease another took (it could not renew in time) stops its job."""
    engine = database(tmp_path)
    running = asyncio.Event()
    stopped = asyncio.Event()

    async def work() -> None:
        running.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    job = asyncio.create_task(app.exclusively(engine, "scheduler", "me", work, seconds=0.6))
    try:
        await asyncio.wait_for(running.wait(), 5)
        # another process takes the lease, as if this one had been frozen past its end
        assert leases.take(engine, "scheduler", "thief", 60, utcnow() + timedelta(seconds=5))
        await asyncio.wait_for(stopped.wait(), 5)
        assert not job.done()  # standing by
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
    assert leases.holders(engine)["scheduler"][0] == "thief"


async def test_the_lease_of_a_killed_process_of_this_machine_is_taken_at_once(tmp_path):
    """A worker killed and started again does not wait for its old lease to expire; a
    process of another machine, or alive, keeps its lease until it expires."""
    engine = database(tmp_path)
    dead = f"{socket.gethostname()}:{_pid_of_ended()}:0000"
    alive = f"{socket.gethostname()}:{os.getppid()}:0000"
    elsewhere = "another-machine:1:0000"
    later = utcnow() + timedelta(seconds=5)
    running = asyncio.Event()

    async def work() -> None:
        running.set()
        await asyncio.Event().wait()

    for holder, taken in ((alive, False), (elsewhere, False), (dead, True)):
        assert leases.take(engine, "scheduler", holder, 3600, later)
        running.clear()
        job = asyncio.create_task(app.exclusively(engine, "scheduler", "me", work, seconds=30))
        try:
            await asyncio.wait_for(running.wait(), 2)
        except TimeoutError:
            pass
        finally:
            job.cancel()
            await asyncio.gather(job, return_exceptions=True)
        assert running.is_set() is taken, holder
        leases.give_up(engine, "scheduler", holder)


def _pid_of_ended() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
