"""The composition root: the configured messengers (`MESSENGERS`), one outbox sender per
messenger at its own pace, their update loops, and the monthly cycle's scheduler.

A messenger adapter is one file of `bot/` with a class that has `platform`,
`capabilities`, `from_settings`, `send`, `start`, `serve` and `close`; `ADAPTERS` in
bot/config.py names it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
from typing import Any

from sqlalchemy import Engine

from bot.config import ADAPTERS, Settings
from cycle.scheduler import start_scheduler
from delivery.sender import OutboxSender

log = logging.getLogger(__name__)


def adapter(name: str) -> Any:
    """The adapter class that `MESSENGERS` calls `name`."""
    module, _, cls = ADAPTERS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


async def run(
    engine: Engine,
    settings: Settings,
    *,
    with_cycle: bool = True,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve every configured messenger until `stop` is set, SIGINT or SIGTERM, or one of
    them fails for good (its error is raised: a refused token says so at start)."""
    stop = stop or _stop_on_signals()
    messengers = [adapter(name).from_settings(settings) for name in settings.messengers]
    tasks: list[asyncio.Task[None]] = []
    scheduler = None
    try:
        for messenger in messengers:
            await messenger.start(engine)  # waits for the messenger; a refused token raises
        for messenger in messengers:
            sender = OutboxSender(engine, messenger, **settings.pace(messenger.platform))
            tasks.append(asyncio.create_task(sender.run_forever()))
            tasks.append(asyncio.create_task(messenger.serve(engine, settings, sender.wake)))
            log.info("serving %s", messenger.platform)
        if with_cycle:
            scheduler = start_scheduler(engine)
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        for task in done:
            if task is not stopping and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for messenger in messengers:
            await messenger.close()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
            loop.add_signal_handler(sig, stop.set)
    return stop
