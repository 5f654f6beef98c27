"""The outbox sender: what the product sends is written to a table first, then sent by
one sender per messenger, at that messenger's pace.

Writing (`storage.outbox.enqueue`, through `handlers.notices.deliver`)
----------------------------------------------------------------------
One row per message and chat, keyed by kind, person, period and step
(``"remind:so-x:2026-11:nv01:d-1"``). ``INSERT ... ON CONFLICT (key) DO NOTHING``: a job
that runs twice, or two processes that run it at once, write nothing twice and never
fail. The payload is the list of `Reply`s as JSON (document contents in base64).

Sending (`OutboxSender`)
------------------------
The sender drains the due rows (pending, ``not_before`` passed) in order of id:

* Rate. One global limiter (`RateLimiter`) lets calls go evenly spaced, ``rate`` a
  second (a leaky bucket: Telegram asks for about 30 messages a second and dislikes
  bursts), and never lets more than ``rate`` calls fall within one second of the
  messenger's clock, whatever the network's jitter: the call ``rate`` calls back must
  have come back a second ago. The unit is the API call, not the row: the renderer
  (`delivery.render`) makes a row's replies into calls for the messenger's capabilities,
  and a text split in two costs two. A chat gets at most one call every
  ``per_chat_interval`` seconds, counted from the answer to its previous call (Telegram:
  about one a second per chat); the replies of one row (an answer's record and the next
  question, the pieces of one split text) go back to back, a short burst Telegram
  tolerates.
* Order. Each chat has a lane that sends its rows one after the other, in order of id;
  different chats are sent concurrently, as fast as the limiter allows. A row that waits
  for a retry holds its lane, so the chat's later rows wait too. In the database too: a
  row is not claimed while an earlier row of the same chat is pending and not due (quiet
  hours, or a retry whose backoff is written to ``not_before``), so a restart or another
  process keeps the order. The rows of one row's `Reply` list are sent one call at a time
  with the progress kept in memory: a retry goes on from the reply that failed.
* Retries. The adapter turns its library's errors into `delivery.messenger`'s four.
  429 (`RetryLater`): the flood limits are per bot in practice,
  so all sending pauses for ``retry_after`` seconds, then the same reply is tried again;
  a 429 is not the message's fault and does not count as an attempt. Network errors,
  timeouts and 5xx (`Unreachable`), and any unexpected error of the adapter, are retried
  with exponential backoff (1, 2, 4 ... capped at 60 s) until ``max_attempts`` attempts
  have failed; the row is then marked failed. The chat blocked the bot or the request is
  refused (`Undeliverable`: 403, 400, 404, 413, a group migrated): the row is marked
  failed with ``last_error`` at once, and the others go on. A wrong token
  (`Unauthorized`, 401) is nobody's message's fault: the sender stops and raises, the
  rows stay pending.
* Marks. A row is marked sent (``sent_at``, ``attempts``) right after the messenger
  accepted its last call, by one writer task, in a short transaction off the event loop, at most
  ``mark_delay`` seconds (50 ms) later: the rows accepted meanwhile are marked in the
  same transaction (group commit; at 200 messages a second a commit per message costs
  more CPU than the sending). ``attempts`` counts the tries that were not 429s (a row
  sent at the first try has 1).

Crashes: at least once
----------------------
A row stays pending until it is marked sent, so a crash between writing and sending
loses nothing: the next sender (a new process, a new engine on the same file) sends it.
The price is at-least-once delivery: a crash after the messenger accepted a message and
before its mark was committed (a few tens of milliseconds) sends that message again; so
does a crash in the middle of a row of several replies (its first replies go again).
Cancelling the sender (the bot stopping) writes the marks already made first.

Several senders
---------------
The bot runs one sender per messenger across all its processes, the holder of the
messenger's lease (`bot.app.exclusively`): one rate limiter, one order per chat. Should
two run at once all the same (a frozen holder that wakes after its lease was taken over),
with SQLite the rows in flight are known only to each, and a row may go twice; with
PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP
LOCKED`` (a row another sender is claiming is skipped, not waited for) and, in the same
transaction, pushes ``not_before`` of the claimed rows ``lease`` seconds ahead (default
300), so that the other senders see them as not due, and their chats as busy, until they
are marked; a retry pushes it again. A sender that dies releases its rows when the lease
ends; one that is stopped releases them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

import storage.chats
import storage.outbox
from delivery.messenger import Messenger, Out, RetryLater, Unauthorized, Undeliverable, Unreachable
from delivery.render import render
from handlers.events import payload_to_replies
from locales import DEFAULT_LOCALE
from storage.models import utcnow

log = logging.getLogger(__name__)

DEFAULT_LEASE = 300.0  # seconds, PostgreSQL only (see the module docstring)
_IDLE_POLL = 0.1  # seconds between claims while only lanes in backoff or pause remain
_ERROR_LIMIT = 500  # characters of last_error


# -- sending -------------------------------------------------------------------------------


class Clock:
    """Time as the sender sees it; tests substitute a faster one."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        """The aware UTC time, compared with ``not_before`` and written to ``sent_at``."""
        return utcnow()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Call:
    """A call through the limiter: when its answer came back (None: still out)."""

    __slots__ = ("done", "end")

    def __init__(self) -> None:
        self.end: float | None = None
        self.done = asyncio.Event()


class RateLimiter:
    """At most `rate` calls a second, evenly spaced, never in a burst; `pause` stops all.

    Use ``async with limiter.slot(cost): <the call>``. The callers wait in one queue, first
    come first served; one pacer task lets the first one go when three rules allow it:

    * pause: not while a 429's ``retry_after`` runs (`pause`);
    * spacing: calls leave ``(1 + margin) / rate`` seconds apart (a leaky bucket); a call
      that left late (a busy event loop, the window rule) lets the next ones go sooner, by
      at most ``max(interval, 50 ms)`` in all, so that the lateness is not lost for good;
    * window: a call leaves only when the call ``n`` calls before it (``n`` = `rate`, at
      least 1) came back ``n (1 + margin) / rate`` seconds ago (one second) or more.
      Telegram counts a call somewhere between the moment it leaves and the moment its
      answer comes back; counting from the answer of the one to the departure of the
      other, no second of Telegram's clock can hold more than ``n`` calls, whatever the
      network's jitter. The price is the round trip: at most ``rate / (1 + round trip)``
      calls a second (99% of the rate for a round trip of 10 ms, 87% for 150 ms).

    A call of cost ``c`` (a text split in ``c`` messages) counts ``c`` times.
    """

    def __init__(self, rate: float, clock: Clock, margin: float = 0.0) -> None:
        if rate <= 0 or margin < 0:
            raise ValueError("rate must be positive and margin not negative")
        self.interval = (1.0 + margin) / rate
        self.size = max(1, int(rate))
        self.window = self.size * self.interval
        self.tolerance = max(self.interval, 0.05)
        self.clock = clock
        self._calls: deque[_Call] = deque(maxlen=self.size)  # the last ones, by departure
        self._waiting: deque[tuple[asyncio.Future[_Call], int]] = deque()
        self._pacer: asyncio.Task[None] | None = None
        self._due = float("-inf")  # when the next call is due (the leaky bucket)
        self._paused_until = float("-inf")

    def pause(self, seconds: float) -> None:
        """Stop every call for `seconds` (a 429: Telegram's flood limits are per bot)."""
        until = self.clock.monotonic() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self._due = max(self._due, until)

    @contextlib.asynccontextmanager
    async def slot(self, cost: int = 1) -> AsyncIterator[None]:
        """Wait for a slot, then make the call inside: `cost` calls back to back."""
        waiter: asyncio.Future[_Call] = asyncio.get_running_loop().create_future()
        self._waiting.append((waiter, min(max(cost, 1), self.size)))
        if self._pacer is None or self._pacer.done():
            self._pacer = asyncio.create_task(self._pace())
        try:
            call = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # let go, then cancelled
                self._finish(waiter.result())
            raise
        try:
            yield
        finally:
            self._finish(call)

    def _finish(self, call: _Call) -> None:
        call.end = self.clock.monotonic()
        call.done.set()

    async def close(self) -> None:
        """Stop the pacer (the callers still waiting are cancelled)."""
        for waiter, _ in self._waiting:
            waiter.cancel()
        self._waiting.clear()
        if self._pacer is not None:
            self._pacer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pacer
            self._pacer = None

    async def _pace(self) -> None:
        while self._waiting:
            waiter, cost = self._waiting[0]
            if waiter.done():  # its caller was cancelled
                self._waiting.popleft()
                continue
            now = self.clock.monotonic()
            wait = max(self._paused_until - now, self._due - self.tolerance - now)
            oldest = len(self._calls) + cost - self.size  # the call n calls back
            before = self._calls[oldest] if oldest >= 0 else None
            if before is not None:
                if before.end is None:
                    await before.done.wait()
                    continue
                wait = max(wait, before.end + self.window - now)
            if wait > 0:
                await self.clock.sleep(wait)
                continue
            self._waiting.popleft()
            call = _Call()
            self._calls.extend([call] * cost)
            self._due = max(self._due, now - self.tolerance) + cost * self.interval
            waiter.set_result(call)


@dataclass
class SendCounts:
    """What one `run_until_idle` did."""

    sent: int = 0
    failed: int = 0
    retried_429: int = 0  # 429 answers, each waited out and retried
    retried: int = 0  # network and server errors retried after a backoff


@dataclass
class _Job:
    id: int
    platform: str
    chat_id: str
    outs: list[Out]  # the row's replies, rendered for the messenger: one call each
    attempts: int
    message_id: int | None = None  # the message an `edit` reply replaces
    progress: int = 0  # calls already accepted

    @property
    def chat(self) -> tuple[str, str]:
        return (self.platform, self.chat_id)


@dataclass
class _Lane:
    jobs: list[_Job] = field(default_factory=list)  # by id; jobs[0] is being sent
    task: asyncio.Task[None] | None = None


# outcomes of an error
_RETRY_AFTER, _TRANSIENT, _PERMANENT = "retry_after", "transient", "permanent"


def _classify(error: BaseException) -> tuple[str, float]:
    """What to do about a messenger's error: (kind, seconds to wait for a 429)."""
    if isinstance(error, RetryLater):
        return _RETRY_AFTER, float(error.retry_after)
    if isinstance(error, Unauthorized):
        raise error  # the token is wrong: stop, every row stays pending
    if isinstance(error, Undeliverable):
        return _PERMANENT, 0.0
    if not isinstance(error, Unreachable):
        log.exception("unexpected error of the messenger adapter, retried", exc_info=error)
    return _TRANSIENT, 0.0


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:_ERROR_LIMIT]


class OutboxSender:
    """Sends the due outbox rows; see the module docstring for the rules it keeps.

    `messenger` sends (`delivery.messenger.Messenger`): the sender takes the rows of its
    platform and renders them for its capabilities; `wake()` says new rows are there.
    `rate`: API calls a second, all chats together (`RateLimiter`; `rate_margin` slows it
    by that share); `per_chat_interval`: seconds between two calls to one chat;
    `max_attempts`: tries of a row before it is failed (429s not counted), with a backoff
    of `backoff_base` doubling up to `backoff_cap` seconds; `batch`: rows claimed at once,
    and chats sent to at once; `lease`: see "Several senders" (None: 300 s on
    PostgreSQL, none on SQLite); `mark_delay`: see "Marks"; `clock`: the time.
    """

    def __init__(
        self,
        engine: Engine,
        messenger: Messenger,
        *,
        rate: float = 30.0,
        rate_margin: float = 0.0,
        per_chat_interval: float = 1.0,
        max_attempts: int = 8,
        batch: int = 100,
        clock: Clock | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        lease: float | None = None,
        mark_delay: float = 0.05,
    ) -> None:
        if max_attempts < 1 or batch < 1:
            raise ValueError("max_attempts and batch must be at least 1")
        self.engine = engine
        self.messenger = messenger
        self.rate = rate
        self.per_chat_interval = per_chat_interval
        self.max_attempts = max_attempts
        self.batch = batch
        self.clock = clock or Clock()
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.postgresql = engine.dialect.name == "postgresql"
        self.lease = (DEFAULT_LEASE if self.postgresql else 0.0) if lease is None else lease
        self.mark_delay = mark_delay
        self.limiter = RateLimiter(rate, self.clock, rate_margin)
        self._chat_ready: dict[tuple[str, str], float] = {}  # monotonic time of the next call
        self._lanes: dict[tuple[str, str], _Lane] = {}  # the chats being sent to
        self._unwritten: dict[tuple[str, str], int] = {}  # chat: final marks not written
        self._marks: list[tuple[str, dict[str, Any]]] = []
        self._marks_ready = asyncio.Event()
        self._wake = asyncio.Event()
        self._arrived = asyncio.Event()
        self._counts = SendCounts()
        self._stopping = False
        self._lane_error: Exception | None = None

    # -- the loops

    async def run_until_idle(self) -> SendCounts:
        """Send every due row, waiting for retries, until none is left; the counts."""
        self._counts = counts = SendCounts()
        self._stopping = False
        self._lane_error = None
        writer = asyncio.create_task(self._write_marks())
        last_claim_full = True
        last_claim_at = float("-inf")
        try:
            while True:
                if self._lane_error is not None:
                    raise self._lane_error
                busy = len(self._lanes)
                due_again = self.clock.monotonic() - last_claim_at >= _IDLE_POLL
                if busy < self.batch and (last_claim_full or due_again or not busy):
                    claimed = await self._claim(self.batch)
                    last_claim_at = self.clock.monotonic()
                    last_claim_full = len(claimed) == self.batch
                    for job in claimed:
                        self._add(job)
                    if not claimed and not self._lanes and not self._unwritten:
                        break  # (a chat whose marks are not written is not claimed)
                    if claimed:
                        continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):  # (wait_for may eat a cancel)
                    async with asyncio.timeout(_IDLE_POLL):
                        await self._wake.wait()
        finally:
            unfinished = await self._stop_lanes()
            await self.limiter.close()
            self._stopping = True
            self._marks_ready.set()
            await asyncio.shield(writer)
            if unfinished and self.lease:  # due again now: for the sender that takes over
                with contextlib.suppress(SQLAlchemyError):
                    await asyncio.shield(
                        asyncio.to_thread(
                            storage.outbox.release, self.engine, unfinished, self.clock.now()
                        )
                    )
            self._prune_chats()
        return counts

    async def run_forever(self, poll_interval: float = 1.0) -> None:
        """Send what is due, then look again every `poll_interval` seconds (the bot's
        task; cancel it to stop: the marks already made are written first). A database
        error is logged and tried again; a wrong token (401) ends it."""
        while True:
            self._arrived.clear()
            try:
                counts = await self.run_until_idle()
            except SQLAlchemyError:  # the database is busy or away: look again later
                log.exception("outbox: the database failed, trying again")
                await self.clock.sleep(poll_interval)
                continue
            if counts.sent or counts.failed:
                log.info(
                    "outbox: %d sent, %d failed, %d 429s, %d retried",
                    counts.sent,
                    counts.failed,
                    counts.retried_429,
                    counts.retried,
                )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_interval):
                    await self._arrived.wait()

    def wake(self) -> None:
        """Rows were just written (a reply): look now, not at the next poll."""
        self._arrived.set()
        self._wake.set()

    # -- lanes

    def _add(self, job: _Job) -> None:
        """Queue a claimed row in its chat's lane (a chat with a lane is not claimed, so
        the rows of a lane all come from one claim, in order of id)."""
        lane = self._lanes.get(job.chat)
        if lane is None:
            lane = self._lanes[job.chat] = _Lane()
        lane.jobs.append(job)
        if lane.task is None:
            lane.task = asyncio.create_task(self._run_lane(job.chat, lane))

    async def _run_lane(self, chat: tuple[str, str], lane: _Lane) -> None:
        try:
            while lane.jobs:
                await self._deliver(lane.jobs[0])
                lane.jobs.pop(0)
                self._wake.set()
        except Exception as error:  # a wrong token: run_until_idle raises it
            self._lane_error = error
        finally:
            if self._lanes.get(chat) is lane and not lane.jobs:
                del self._lanes[chat]
            self._wake.set()

    async def _stop_lanes(self) -> list[int]:
        """Cancel the lanes (after an error, or when cancelled); their rows that were not
        finished stay pending for the next claim. The ids of those rows."""
        lanes = list(self._lanes.values())
        tasks = [lane.task for lane in lanes if lane.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._lanes.clear()
        return [job.id for lane in lanes for job in lane.jobs]

    async def _deliver(self, job: _Job) -> None:
        """Send one row's replies in order; retry as the module docstring says."""
        chat = job.chat
        first = True  # the replies of one row go back to back: the pacing is between rows
        while job.progress < len(job.outs):
            out = job.outs[job.progress]
            wait = self._chat_ready.get(chat, float("-inf")) - self.clock.monotonic()
            if wait > 0 and first:
                await self.clock.sleep(wait)
            first = False
            error: Exception | None = None
            async with self.limiter.slot(1):
                call = asyncio.ensure_future(self.messenger.send(job.chat_id, out, job.message_id))
                try:
                    await asyncio.shield(call)
                except asyncio.CancelledError:  # stopping: a call out is answered first
                    await self._finish(call, job)
                    raise
                except Exception as raised:
                    error = raised
            # the chat's next call: counted from this one's answer, as the limiter does
            self._chat_ready[chat] = self.clock.monotonic() + self.per_chat_interval
            if error is None:
                job.progress += 1
                continue
            kind, retry_after = _classify(error)
            if kind == _RETRY_AFTER:
                self._counts.retried_429 += 1
                log.info("outbox: 429, all sending paused for %s s", retry_after)
                self.limiter.pause(retry_after)
                continue
            job.attempts += 1
            if kind == _PERMANENT or job.attempts >= self.max_attempts:
                log.info("outbox: row %d failed: %s", job.id, _describe(error))
                self._mark("failed", job, b_last_error=_describe(error))
                self._counts.failed += 1
                return
            delay = min(self.backoff_cap, self.backoff_base * 2 ** (job.attempts - 1))
            self._counts.retried += 1
            later = self.clock.now() + timedelta(seconds=delay + self.lease)
            self._mark("retry", job, b_last_error=_describe(error), b_not_before=later)
            await self.clock.sleep(delay)
        job.attempts += 1
        self._mark("sent", job, b_sent_at=self.clock.now())
        self._counts.sent += 1

    async def _finish(self, call: asyncio.Future[None], job: _Job) -> None:
        """The sender stops while `call` is out: wait for its answer (the messenger may
        accept it) and, if it was the row's last, mark the row sent, so that the sender
        that takes over does not send it again."""
        with contextlib.suppress(Exception):
            await call
        if call.cancelled() or call.exception() is not None:
            return
        job.progress += 1
        if job.progress == len(job.outs):
            job.attempts += 1
            self._mark("sent", job, b_sent_at=self.clock.now())
            self._counts.sent += 1

    # -- the database

    async def _claim(self, limit: int) -> list[_Job]:
        exclude = tuple(set(self._lanes) | set(self._unwritten))
        now = self.clock.now()
        rows = await asyncio.to_thread(
            storage.outbox.claim,
            self.engine,
            limit,
            now,
            exclude=exclude,
            platforms=(self.messenger.platform,),
            lease=self.lease,
        )
        jobs = []
        failed = []
        menus = []
        capabilities = self.messenger.capabilities
        for row in rows:
            try:
                payload = row.payload
                rendered = render(
                    payload_to_replies(payload), capabilities, payload.get("lang", DEFAULT_LOCALE)
                )
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                failed.append((row, error))
                continue
            if rendered.menu is not None:  # a numbered menu: the chat's answer picks from it
                menus.append(
                    (row.platform, row.chat_id, [(b.label, b.payload) for b in rendered.menu])
                )
            message_id = payload.get("message_id")
            jobs.append(
                _Job(row.id, row.platform, row.chat_id, rendered.outs, row.attempts, message_id)
            )
        if menus:
            await asyncio.to_thread(storage.chats.save_menus, self.engine, menus, now)
        for row, error in failed:  # a payload nobody can read: failed at once
            job = _Job(row.id, row.platform, row.chat_id, [], row.attempts)
            self._mark("failed", job, b_last_error=f"unreadable payload: {_describe(error)}")
            self._counts.failed += 1
        return jobs

    def _mark(self, what: str, job: _Job, **values: Any) -> None:
        values = {"b_id": job.id, "b_attempts": job.attempts, "chat": job.chat, **values}
        self._marks.append((what, values))
        if what != "retry":
            self._unwritten[job.chat] = self._unwritten.get(job.chat, 0) + 1
        self._marks_ready.set()

    async def _write_marks(self) -> None:
        """The writer: everything marked since its last commit, in one transaction, at
        most `mark_delay` seconds after the first of them. Returns when `_stopping` is set
        and every mark is written."""
        while True:
            await self._marks_ready.wait()
            if not self._stopping and self.mark_delay > 0:
                await asyncio.sleep(self.mark_delay)  # real time: it is about the disk
            self._marks_ready.clear()
            marks, self._marks = self._marks, []
            if marks:
                for attempt in range(1, 4):
                    try:
                        await asyncio.to_thread(storage.outbox.write_marks, self.engine, marks)
                        break
                    except Exception:
                        log.exception("outbox: marks not written (try %d of 3)", attempt)
                        await asyncio.sleep(attempt)
                # written, or given up on: a row not marked stays pending and is sent again
                for what, values in marks:
                    if what != "retry":
                        chat = values["chat"]
                        self._unwritten[chat] -= 1
                        if not self._unwritten[chat]:
                            del self._unwritten[chat]
                self._wake.set()
            if self._stopping and not self._marks:
                return

    def _prune_chats(self) -> None:
        if len(self._chat_ready) > 10_000:
            now = self.clock.monotonic()
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
