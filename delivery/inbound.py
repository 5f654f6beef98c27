"""What every adapter does with what people send: `Inbox`, the chats' lanes, and
`receive`, a person's message once it is an `Incoming`.

Updates of different chats are handled concurrently, at most `limit` at once (the
database work runs in threads); those of one chat strictly one after the other, in the
order the messenger gave them. A polling adapter hands each poll's batch to `run_all`
and polls again (which confirms the batch to the messenger) only when the whole batch is
handled: a crash loses no update. A webhook hands each request's update to `run` and
answers the messenger once it is handled.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from delivery.messenger import Messenger
from delivery.render import choose, render
from handlers.dispatcher import ChatSettings, handle
from handlers.events import Button, Incoming
from locales import SUPPORTED_LOCALES
from storage.chats import menu_of

log = logging.getLogger(__name__)
CONCURRENT_UPDATES = 8  # updates handled at once, of different chats

Work = Callable[[], Awaitable[None]]


class Inbox:
    """Where a messenger's adapter puts what people send (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        messenger: Messenger,
        settings: ChatSettings,
        wake: Callable[[], None],
        clock: Callable[[], datetime] | None = None,
        *,
        limit: int = CONCURRENT_UPDATES,
    ) -> None:
        self.engine = engine
        self.messenger = messenger
        self.settings = settings
        self.wake = wake
        self.clock = clock
        self._pool = asyncio.Semaphore(limit)
        self._lanes: dict[str, tuple[asyncio.Lock, int]] = {}  # chat: its lock, its users

    async def receive(self, incoming: Incoming) -> None:
        """A person's message (`receive`); call it from within the chat's lane."""
        await receive(self.engine, self.messenger, incoming, self.settings, self.wake, self.clock)

    async def run(self, chat: str, work: Work) -> None:
        """`work` in the lane of `chat`: after the chat's earlier work, beside other chats'."""
        lock, users = self._lanes.get(chat) or (asyncio.Lock(), 0)
        self._lanes[chat] = (lock, users + 1)
        try:
            async with lock, self._pool:  # a lock waits its turn in order (FIFO)
                await work()
        finally:
            lock, users = self._lanes[chat]
            if users == 1:
                del self._lanes[chat]
            else:
                self._lanes[chat] = (lock, users - 1)

    async def run_all(self, batch: Iterable[tuple[str, Work]]) -> None:
        """A poll's updates, (chat, work) in the messenger's order, each in its chat's
        lane; returns when all are done. One that fails is logged; the others go on."""
        tasks = [asyncio.ensure_future(self.run(chat, work)) for chat, work in batch]
        try:
            for task in tasks:
                try:
                    await task
                except Exception:
                    log.exception("an update could not be handled")
        finally:
            for task in tasks:
                task.cancel()


async def receive(
    engine: Engine,
    messenger: Messenger,
    incoming: Incoming,
    settings: ChatSettings,
    wake: Callable[[], None],
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Handle `incoming` with its replies written to the outbox (the sender, woken, sends
    them); on a messenger without buttons, a typed answer to the menu last shown in the
    chat counts as the option pressed. What could not be written to the outbox (the
    database failed) is sent at once, without retries."""
    if incoming.text and not messenger.capabilities.buttons:
        incoming = await asyncio.to_thread(pressed, engine, incoming)
    now = clock() if clock else None
    unsent = await asyncio.to_thread(handle, engine, incoming, settings, now, outbox=True)
    wake()
    if not unsent:
        return
    hint = (incoming.language or "")[:2]
    language = hint if hint in SUPPORTED_LOCALES else settings.default_language
    for out in render(unsent, messenger.capabilities, language).outs:
        try:
            await messenger.send(incoming.chat_id, out, incoming.message_id)
        except Exception:
            log.exception("the failure message could not be sent to chat %s", incoming.chat_id)
            return


def pressed(engine: Engine, incoming: Incoming) -> Incoming:
    """The typed text as the option it picks from the chat's last menu, or as it is."""
    with Session(engine) as session:
        menu = [
            Button(label, payload)
            for label, payload in menu_of(session, incoming.platform, incoming.chat_id)
        ]
    option = choose(incoming.text or "", menu)
    if option is None:
        return incoming
    return dataclasses.replace(incoming, text=None, payload=option.payload)
