"""The chats' lanes (`delivery.inbound.Inbox`): a poll's updates of different chats are
handled concurrently, at most `limit` at once, those of one chat strictly in order; a
batch returns when all of it is handled; a failing update does not stop the others."""

from __future__ import annotations

import asyncio
import random

from delivery.inbound import Inbox


def inbox(limit: int) -> Inbox:
    return Inbox(None, None, None, lambda: None, limit=limit)  # type: ignore[arg-type]


async def test_chats_run_concurrently_and_each_chat_in_order():
    lanes = inbox(limit=8)
    shuffle = random.Random(20261201)
    running = 0
    most = 0
    done: dict[str, list[int]] = {}

    def work(chat: str, n: int):
        async def handle() -> None:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(shuffle.random() / 200)  # the database, a few milliseconds
            done.setdefault(chat, []).append(n)
            running -= 1

        return handle

    chats = [f"chat{c}" for c in range(50) for _ in range(5)]
    shuffle.shuffle(chats)  # the messenger's interleaving of the chats
    seen: dict[str, int] = {}
    batch = []
    for chat in chats:  # each chat's n-th update is numbered n
        seen[chat] = seen.get(chat, -1) + 1
        batch.append((chat, work(chat, seen[chat])))

    await lanes.run_all(batch)

    assert most == 8  # the pool was full, never more
    assert done == {f"chat{c}": [0, 1, 2, 3, 4] for c in range(50)}


async def test_one_chat_waits_for_its_previous_update_not_for_others():
    lanes = inbox(limit=4)
    events: list[str] = []
    slow_started = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        events.append("a1 start")
        slow_started.set()
        await release.wait()
        events.append("a1 end")

    async def quick(name: str) -> None:
        events.append(name)

    async def other_chat() -> None:
        await quick("b1")
        release.set()  # b ran while a1 was still busy

    batch = [("a", slow), ("a", lambda: quick("a2")), ("b", other_chat)]
    await asyncio.wait_for(lanes.run_all(batch), 5)
    assert events == ["a1 start", "b1", "a1 end", "a2"]


async def test_a_failing_update_does_not_stop_the_batch(caplog):
    lanes = inbox(limit=2)
    handled: list[str] = []

    async def fails() -> None:
        raise RuntimeError("the database went away")

    async def works(name: str) -> None:
        handled.append(name)

    await lanes.run_all([("a", fails), ("a", lambda: works("a2")), ("b", lambda: works("b1"))])
    assert sorted(handled) == ["a2", "b1"]
    assert "could not be handled" in caplog.text
