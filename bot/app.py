"""The composition root: the configured messengers (`MESSENGERS`), one outbox sender per
messenger at its own pace, their update loops, and the monthly cycle's scheduler.

Several processes may serve one bot on one database (webhook workers, or a second
`python -m bot` started by mistake): each receives updates, but the scheduler and each
messenger's sender run in one process at a time, the holder of their lease
(`storage.leases`, renewed every LEASE_SECONDS / 3). The others stand by and take over
when the holder stops (at once) or dies (within LEASE_SECONDS).

A messenger adapter is one file of `bot/` with a class that has `platform`,
`capabilities`, `from_settings`, `send`, `start`, `serve` and `close`; `ADAPTERS` in
bot/config.py names it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import webhook
from bot.config import ADAPTERS, Settings
from cycle.scheduler import start_scheduler
from delivery.inbound import Inbox
from delivery.sender import OutboxSender
from storage import leases
from storage.models import utcnow

log = logging.getLogger(__name__)
RESTART_MAX_DELAY = 60.0  # seconds: a worker that keeps failing is started again this often


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
    """Serve every configured messenger, by long polling or, with WEBHOOK_URL, by webhook
    (`bot.webhook`), until `stop` is set, SIGINT or SIGTERM, or one of them fails for
    good (its error is raised: a refused token says so at start)."""
    stop = stop or _stop_on_signals()
    messengers = [adapter(name).from_settings(settings) for name in settings.messengers]
    tasks: list[asyncio.Task[None]] = []
    receivers: dict[str, tuple[Any, Inbox]] = {}
    try:
        for messenger in messengers:  # waits for the messenger; a refused token raises
            await messenger.start(engine, settings.webhook(messenger.platform))
        holder = _holder()
        only = functools.partial(exclusively, engine, holder=holder, seconds=settings.lease_seconds)
        for messenger in messengers:
            sender = OutboxSender(engine, messenger, **settings.pace(messenger.platform))
            tasks.append(
                asyncio.create_task(only(f"sender:{messenger.platform}", work=sender.run_forever))
            )
            inbox = Inbox(
                engine, messenger, settings.chat, sender.wake, limit=settings.concurrent_updates
            )
            if settings.webhook(messenger.platform) is None:
                tasks.append(asyncio.create_task(messenger.serve(inbox)))
            receivers[messenger.platform] = (messenger, inbox)
            log.info("serving %s", messenger.platform)
        if settings.webhook_url:
            tasks.append(asyncio.create_task(webhook.serve(engine, settings, receivers)))
        if with_cycle:
            tasks.append(asyncio.create_task(only("scheduler", work=_cycle(engine))))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        for task in done:
            if task is not stopping and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for messenger in messengers:
            await messenger.close()


async def exclusively(
    engine: Engine,
    name: str,
    holder: str,
    work: Callable[[], Awaitable[None]],
    *,
    seconds: float = 30.0,
) -> None:
    """Run `work` while `holder` holds the lease `name`, renewing it every `seconds` / 3;
    stand by while another process holds it. A lease that could not be renewed before it
    expired (the database was away, the process was frozen) is another's now: `work` is
    cancelled and this process stands by again. Returns or raises as `work` does; the
    lease is given up when it ends or is cancelled."""
    every = seconds / 3
    while True:
        held_until = await _take(engine, name, holder, seconds)
        if held_until is None:
            await asyncio.sleep(every)
            continue
        log.info("this process runs %s", name)
        task = asyncio.ensure_future(work())
        try:
            while True:
                done, _ = await asyncio.wait([task], timeout=every)
                if done:
                    return task.result()  # raises what `work` raised
                renewed = await _take(engine, name, holder, seconds)
                if renewed is not None:
                    held_until = renewed
                elif utcnow().timestamp() >= held_until - every:
                    log.warning("the lease on %s is lost; standing by", name)
                    break
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            with contextlib.suppress(Exception):
                await asyncio.to_thread(leases.give_up, engine, name, holder)


async def _take(engine: Engine, name: str, holder: str, seconds: float) -> float | None:
    """The lease's new end (a timestamp) if `holder` has it now; None if another holds it
    or the database failed (logged). A lease of a dead process of this machine (a worker
    killed and started again) is taken at once, not when it expires."""
    now = utcnow()
    try:
        if await asyncio.to_thread(leases.take, engine, name, holder, seconds, now):
            return now.timestamp() + seconds
        other = (await asyncio.to_thread(leases.holders, engine)).get(name)
        if other is not None and _dead(other[0]):
            taken = leases.take_over
            if await asyncio.to_thread(taken, engine, name, other[0], holder, seconds, now):
                log.info("%s taken over from %s, which has ended", name, other[0])
                return now.timestamp() + seconds
    except SQLAlchemyError:
        log.warning("the lease on %s could not be taken or renewed", name, exc_info=True)
    return None


_OURS: set[str] = set()  # the holders made in this process


def _holder() -> str:
    """This process, as a lease names it: machine, process id, and a random part (a
    process id comes back after a restart, in a container often)."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    _OURS.add(holder)
    return holder


def _dead(holder: str) -> bool:
    """Whether `holder` is a process of this machine that has ended."""
    host, _, rest = holder.partition(":")
    pid, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's: its lease expires
    if int(pid) == os.getpid():
        return holder not in _OURS  # not ours: an earlier process that had this id
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def _cycle(engine: Engine) -> Callable[[], Awaitable[None]]:
    async def cycle() -> None:
        scheduler = start_scheduler(engine)
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            scheduler.shutdown(wait=False)

    return cycle


def supervise(count: int, *, check_every: float = 0.5) -> int:
    """WORKERS: `count` worker processes (`python -m bot run` with WORKERS=1), all
    listening on WEBHOOK_LISTEN; one that dies is started again (at once, or after 1, 3,
    7 ... up to 60 s while it keeps dying soon after starting: the database is away),
    SIGTERM or SIGINT stops them all. A worker that ends with 2 (a setting or a token
    refused) stops them all too: starting it again would not help. Returns the exit
    code."""
    command = [sys.executable, "-m", "bot", "run"]
    environment = {**os.environ, "WORKERS": "1"}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start(n: int) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(command, env=environment)
        log.info("worker %d started (pid %d)", n, worker.pid)
        return worker

    workers = [start(n + 1) for n in range(count)]
    started = [time.monotonic()] * count
    due = [0.0] * count  # when a worker that ended may start again
    failures = [0] * count  # ended soon after starting, one after the other
    try:
        while not stopping:
            time.sleep(check_every)
            now = time.monotonic()
            for n, worker in enumerate(workers):
                code = worker.poll()
                if code is None or stopping:
                    continue
                if code == 2:
                    log.error("worker %d cannot start (exit code 2); stopping", n + 1)
                    return 2
                if not due[n]:  # it has just ended: soon after starting, wait longer
                    quick = now - started[n] < RESTART_MAX_DELAY
                    failures[n] = failures[n] + 1 if quick else 0
                    delay = min(RESTART_MAX_DELAY, 2 ** failures[n] - 1)
                    due[n] = now + delay
                    log.warning(
                        "worker %d (pid %d) ended (%s); starting it again in %g s",
                        n + 1,
                        worker.pid,
                        code,
                        delay,
                    )
                if now >= due[n]:
                    workers[n], started[n], due[n] = start(n + 1), now, 0.0
        return 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
            loop.add_signal_handler(sig, stop.set)
    return stop
