"""The outbox (storage/outbox.py, delivery/sender.py): written once per key, sent to the fake
Bot API server by the real aiogram client, in per-chat order, within the rate limits, through 429s,
server and network errors, and crashes.

Most tests run the sender on `FastClock`, time running 20 times faster than the wall
clock (its sleeps are 20 times shorter), so that retry_after, backoffs and rate limits of
whole seconds take milliseconds, while every call really goes to the fake server. Time
assertions are lower bounds only.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.telegram_aiogram import AiogramTelegram
from delivery.messenger import Capabilities, Unauthorized
from delivery.render import render
from delivery.sender import DEFAULT_LEASE, Clock, OutboxSender
from handlers.events import Button, Document, Reply, payload_to_replies, replies_to_payload
from storage.db import make_engine, transaction
from storage.models import OutboxMessage, OutboxStatus, utcnow
from storage.outbox import enqueue
from tests.chat import POSTGRESQL, database
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401

BUTTON = ((Button("📝 Tự đánh giá", "as:start"),),)


class FastClock(Clock):
    """Time `scale` times faster than the wall clock; `advance` jumps ahead. Records
    every sleep the sender asks for (in its own seconds)."""

    def __init__(self, scale: float = 20.0) -> None:
        self.scale = scale
        self.start_real = time.monotonic()
        self.start_utc = utcnow()
        self.offset = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return (time.monotonic() - self.start_real) * self.scale + self.offset

    def now(self) -> datetime:
        return self.start_utc + timedelta(seconds=self.monotonic())

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds / self.scale)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class Around:
    """A messenger around another, `before` awaited ahead of each call."""

    def __init__(self, messenger, before=None) -> None:
        self.messenger = messenger
        self.platform = messenger.platform
        self.capabilities = messenger.capabilities
        self.before = before

    async def send(self, chat_id: str, out, message_id: int | None) -> None:
        if self.before is not None:
            await self.before(chat_id)
        await self.messenger.send(chat_id, out, message_id)


class Recorder(Around):
    """A messenger around another: the clock time and chat of every call."""

    def __init__(self, messenger, clock: Clock) -> None:
        super().__init__(messenger)
        self.clock = clock
        self.calls: list[tuple[float, str]] = []

    async def send(self, chat_id: str, out, message_id: int | None) -> None:
        self.calls.append((self.clock.monotonic(), chat_id))
        await self.messenger.send(chat_id, out, message_id)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A migrated database file, made once: each test gets a copy (migrating takes long)."""
    folder = tmp_path_factory.mktemp("outbox")
    if not POSTGRESQL:
        database(folder).dispose()
    return folder / "test.db"


@pytest.fixture
def url(migrated: Path, tmp_path: Path) -> str:
    if POSTGRESQL:  # a fresh database on the server
        return database(tmp_path).url.render_as_string(hide_password=False)
    shutil.copy(migrated, tmp_path / "outbox.db")
    return f"sqlite:///{tmp_path / 'outbox.db'}"


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
async def bot(fake_telegram: FakeTelegram):
    bot = fake_telegram.aiogram_bot()
    yield bot
    await bot.session.close()


def put(engine: Engine, chat: int, text: str, *, key: str | None = None, **fields) -> bool:
    with transaction(engine) as session:
        return enqueue(
            session,
            key=key or f"remind:so-test:2026-11:{chat}:{text}",
            kind="remind",
            platform=fields.pop("platform", "telegram"),
            chat_id=chat,
            payload=replies_to_payload(fields.pop("replies", Reply(text, BUTTON))),
            **fields,
        )


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def texts(server: FakeTelegram, chat: int) -> list[str]:
    return [m.get("text") or m.get("caption", "") for m in server.sent(chat)]


def sender(engine: Engine, bot: Bot, clock: Clock | None = None, **options) -> OutboxSender:
    return OutboxSender(engine, AiogramTelegram(bot), clock=clock or FastClock(), **options)


# -- writing --------------------------------------------------------------------------------


def test_enqueue_is_idempotent_by_key(engine):
    assert put(engine, 42, "Nhắc việc lần 1", key="remind:so-test:2026-11:nv01:d-1")
    assert not put(engine, 42, "Nhắc việc lần 2", key="remind:so-test:2026-11:nv01:d-1")
    [row] = rows(engine)
    assert row.status == OutboxStatus.PENDING
    assert row.chat_id == "42" and row.kind == "remind" and row.attempts == 0
    assert payload_to_replies(row.payload) == [Reply("Nhắc việc lần 1", BUTTON)]


def test_payload_keeps_text_buttons_and_documents():
    replies = [
        Reply("Kết quả tháng 10/2026: Hoàn thành tốt nhiệm vụ", BUTTON, edit=True),
        Reply("", document=Document("ket-qua.xlsx", bytes(range(256)), "Bảng tổng hợp")),
    ]
    payload = replies_to_payload(replies)
    assert payload_to_replies(payload) == replies
    assert payload_to_replies(replies_to_payload(replies[0])) == replies[:1]
    with pytest.raises(ValueError):
        replies_to_payload([])


def test_not_before_must_be_aware(engine):
    with pytest.raises(ValueError):
        put(engine, 42, "x", not_before=datetime(2026, 11, 20, 8, 0))


def test_a_long_text_is_two_calls():
    """The rate limits count calls: the renderer's pieces of a text, a document one."""
    telegram = Capabilities(text_limit=4096)

    def calls(reply: Reply) -> int:
        return len(render([reply], telegram, "vi").outs)

    assert calls(Reply("ngắn")) == 1
    assert calls(Reply("dòng\n" * 1500)) == 2  # 7,500 characters
    assert calls(Reply("", document=Document("a.pdf", b"%PDF"))) == 1


# -- sending --------------------------------------------------------------------------------


async def test_sends_in_per_chat_order_and_marks_sent(engine, fake_telegram, bot):
    chats = (1001, 1002, 1003)
    for n in range(4):
        for chat in chats:
            put(engine, chat, f"Tin {n} cho {chat}")

    counts = await sender(engine, bot).run_until_idle()

    assert (counts.sent, counts.failed, counts.retried_429) == (12, 0, 0)
    for chat in chats:
        assert texts(fake_telegram, chat) == [f"Tin {n} cho {chat}" for n in range(4)]
    button = fake_telegram.last(1001)["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "📝 Tự đánh giá", "callback_data": "as:start"}
    for row in rows(engine):
        assert row.status == OutboxStatus.SENT and row.sent_at is not None
        assert row.attempts == 1 and row.last_error is None
    fake_telegram.assert_no_rejections()
    # nothing is sent twice
    assert (await sender(engine, bot).run_until_idle()).sent == 0
    assert len(fake_telegram.calls_to("sendMessage")) == 12


async def test_a_row_of_several_replies_goes_in_order(engine, fake_telegram, bot):
    long_text = "\n".join(f"• Cán bộ số {i}: chưa nộp bản tự đánh giá" for i in range(150))
    document = Document("danh-sach.csv", "họ tên,đơn vị\n".encode(), "Danh sách")
    put(engine, 77, "list", replies=[Reply(long_text), Reply("", document=document)])

    assert (await sender(engine, bot).run_until_idle()).sent == 1

    sent = fake_telegram.sent(77)
    assert len(sent) == 3  # the text in two pieces, then the file
    assert "\n".join(m["text"] for m in sent[:2]) == long_text
    assert sent[2]["caption"] == "Danh sách"
    fake_telegram.assert_no_rejections()


async def test_a_busy_chat_does_not_hold_up_the_others(engine, fake_telegram, bot):
    for n in range(30):
        put(engine, 2101, f"Tin {n}")  # a chat that gets one message a second
    put(engine, 2102, "Tin riêng")
    clock = FastClock(scale=50)
    recorder = Recorder(AiogramTelegram(bot), clock)

    counts = await OutboxSender(engine, recorder, clock=clock, batch=10).run_until_idle()

    assert counts.sent == 31
    order = [chat for _, chat in recorder.calls]
    assert order.index("2102") <= 2  # not after the busy chat's 30 seconds
    assert texts(fake_telegram, 2101) == [f"Tin {n}" for n in range(30)]


async def test_429_storm_loses_nothing(engine, fake_telegram, bot):
    chats = range(2001, 2011)
    for n in range(5):
        for chat in chats:
            put(engine, chat, f"Nhắc việc {n}")
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1, times=20)
    clock = FastClock()

    counts = await sender(engine, bot, clock).run_until_idle()

    too_many = [r for r in fake_telegram.rejected if r.status == 429]
    assert len(too_many) == 20 and counts.retried_429 == 20
    assert (counts.sent, counts.failed) == (50, 0)
    for chat in chats:  # each exactly once, in order
        assert texts(fake_telegram, chat) == [f"Nhắc việc {n}" for n in range(5)]
    assert all(row.status == OutboxStatus.SENT for row in rows(engine))
    assert all(row.attempts == 1 for row in rows(engine))  # a 429 is not an attempt
    assert max(clock.sleeps) >= 0.9  # it waited out retry_after
    # each pause of retry_after is a second of the sender's time
    assert clock.monotonic() >= 5


async def test_server_errors_are_retried_with_backoff(engine, fake_telegram, bot):
    put(engine, 3001, "Nhắc việc")
    put(engine, 3002, "Nhắc việc")
    fake_telegram.fail_next("sendMessage", status=502, times=2, chat_id=3001)
    clock = FastClock()

    counts = await sender(engine, bot, clock).run_until_idle()

    assert (counts.sent, counts.failed, counts.retried) == (2, 0, 2)
    assert texts(fake_telegram, 3001) == texts(fake_telegram, 3002) == ["Nhắc việc"]
    row = rows(engine)[0]
    assert row.status == OutboxStatus.SENT and row.attempts == 3
    assert "Bad Gateway" in row.last_error
    assert 1.0 in clock.sleeps and 2.0 in clock.sleeps  # 1 s, then 2 s


async def test_network_errors_are_retried(engine, fake_telegram, bot):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = TelegramAPIServer.from_base(f"http://127.0.0.1:{port}")
    unreachable = Bot(fake_telegram.token, session=AiohttpSession(api=api))
    first, then = AiogramTelegram(unreachable), AiogramTelegram(bot)
    calls = []

    class Flaky(Around):
        async def send(self, chat_id: str, out, message_id=None) -> None:
            calls.append(chat_id)
            await (first if len(calls) == 1 else then).send(chat_id, out, message_id)

    flaky = Flaky(then)

    put(engine, 3101, "Nhắc việc")
    clock = FastClock()
    try:
        counts = await OutboxSender(engine, flaky, clock=clock).run_until_idle()
    finally:
        await unreachable.session.close()

    assert (counts.sent, counts.retried) == (1, 1)
    assert texts(fake_telegram, 3101) == ["Nhắc việc"]
    [row] = rows(engine)
    assert row.status == OutboxStatus.SENT and "TelegramNetworkError" in row.last_error
    assert 1.0 in clock.sleeps


async def test_gives_up_after_max_attempts(engine, fake_telegram, bot):
    put(engine, 3201, "Nhắc việc")
    put(engine, 3202, "Nhắc việc")
    fake_telegram.fail_next("sendMessage", status=500, times=10, chat_id=3201)

    counts = await sender(engine, bot, max_attempts=3).run_until_idle()

    assert (counts.sent, counts.failed, counts.retried) == (1, 1, 2)
    failed, sent = rows(engine)
    assert failed.status == OutboxStatus.FAILED and failed.attempts == 3
    assert "Internal Server Error" in failed.last_error
    assert sent.status == OutboxStatus.SENT
    assert texts(fake_telegram, 3201) == []


async def test_a_blocked_chat_fails_and_the_others_go(engine, fake_telegram, bot):
    put(engine, 4001, "Tin 1")
    put(engine, 4002, "Tin 1")
    put(engine, 4001, "Tin 2")
    fake_telegram.fail_next("sendMessage", status=403, chat_id=4001)

    counts = await sender(engine, bot).run_until_idle()

    assert (counts.sent, counts.failed, counts.retried) == (2, 1, 0)
    blocked = rows(engine)[0]
    assert blocked.status == OutboxStatus.FAILED and blocked.attempts == 1
    assert "blocked by the user" in blocked.last_error
    assert texts(fake_telegram, 4002) == ["Tin 1"]
    assert texts(fake_telegram, 4001) == ["Tin 2"]


async def test_not_before_waits_and_holds_the_chat(engine, fake_telegram, bot):
    clock = FastClock()
    morning = clock.now() + timedelta(hours=8)  # quiet hours
    put(engine, 5001, "Sáng mai", not_before=morning)
    put(engine, 5001, "Sau đó")  # due, but after the one above
    put(engine, 5002, "Bây giờ")
    outbox = sender(engine, bot, clock)

    assert (await outbox.run_until_idle()).sent == 1
    assert texts(fake_telegram, 5002) == ["Bây giờ"]
    assert texts(fake_telegram, 5001) == []

    clock.advance(8 * 3600)
    assert (await outbox.run_until_idle()).sent == 2
    assert texts(fake_telegram, 5001) == ["Sáng mai", "Sau đó"]


async def test_a_crash_between_writing_and_sending_loses_nothing(url, fake_telegram, bot):
    first = make_engine(url)
    put(first, 6001, "Nhắc việc")
    put(first, 6002, "Nhắc việc")
    first.dispose()  # the process dies before any sending

    engine = make_engine(url)  # the next process
    counts = await sender(engine, bot).run_until_idle()

    assert counts.sent == 2
    assert texts(fake_telegram, 6001) == texts(fake_telegram, 6002) == ["Nhắc việc"]


async def test_a_crash_while_sending_loses_nothing(url, fake_telegram, bot):
    first = make_engine(url)
    chats = range(6101, 6111)
    for n in range(3):
        for chat in chats:
            put(first, chat, f"Tin {n}")
    running = asyncio.create_task(sender(first, bot).run_until_idle())
    await fake_telegram.wait_for_call(lambda _: len(fake_telegram.calls) >= 8, timeout=10)
    running.cancel()  # the process is stopped in the middle
    with pytest.raises(asyncio.CancelledError):
        await running
    first.dispose()
    assert len(fake_telegram.calls_to("sendMessage")) < 30

    engine = make_engine(url)  # the next process: on PostgreSQL, after the dead one's lease
    later = FastClock()
    later.offset = DEFAULT_LEASE + 60
    await sender(engine, bot, clock=later).run_until_idle()

    assert all(row.status == OutboxStatus.SENT for row in rows(engine))
    for chat in chats:  # at least once (once, unless a call was cut off), in order
        got = texts(fake_telegram, chat)
        assert list(dict.fromkeys(got)) == ["Tin 0", "Tin 1", "Tin 2"]
        assert len(got) <= 4


async def test_the_rate_limit_is_respected(engine, fake_telegram, bot):
    for chat in range(7001, 7041):
        put(engine, chat, "Nhắc việc")
    clock = FastClock(scale=10)
    recorder = Recorder(AiogramTelegram(bot), clock)
    outbox = OutboxSender(engine, recorder, rate=20, clock=clock)

    started = clock.monotonic()
    assert (await outbox.run_until_idle()).sent == 40

    assert clock.monotonic() - started >= 1.9
    times = sorted(t for t, _ in recorder.calls)
    assert all(b - a >= 1.0 for a, b in zip(times, times[20:], strict=False))  # 20 a second


async def test_one_message_a_second_per_chat_in_real_time(engine, fake_telegram, bot):
    for n in range(3):
        put(engine, 8001, f"Tin {n}")
    recorder = Recorder(AiogramTelegram(bot), Clock())
    outbox = OutboxSender(engine, recorder, per_chat_interval=1.0)  # the real clock

    started = time.monotonic()
    assert (await outbox.run_until_idle()).sent == 3

    assert time.monotonic() - started >= 2.0
    times = [t for t, _ in recorder.calls]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    assert texts(fake_telegram, 8001) == ["Tin 0", "Tin 1", "Tin 2"]


async def test_a_wrong_token_stops_the_sender(engine, fake_telegram, bot):
    put(engine, 9001, "Nhắc việc")
    fake_telegram.fail_next("sendMessage", status=401)

    with pytest.raises(Unauthorized):
        await sender(engine, bot).run_until_idle()

    [row] = rows(engine)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0


async def test_rows_of_other_platforms_are_left_alone(engine, fake_telegram, bot):
    put(engine, 9101, "Telegram")
    put(engine, 9101, "Zalo", platform="zalo")

    counts = await sender(engine, bot).run_until_idle()

    assert counts.sent == 1
    assert [row.status for row in rows(engine)] == [OutboxStatus.SENT, OutboxStatus.PENDING]


async def test_a_lease_keeps_other_senders_off_claimed_rows(engine, fake_telegram, bot):
    """What several senders on PostgreSQL rely on (SKIP LOCKED aside): a claimed row is
    pushed `lease` seconds ahead, so another sender neither takes it nor its chat."""
    put(engine, 9201, "Tin 1")
    release = asyncio.Event()

    async def wait(chat_id: str) -> None:
        await release.wait()

    slow = Around(AiogramTelegram(bot), before=wait)

    first = asyncio.create_task(OutboxSender(engine, slow, lease=600).run_until_idle())
    while rows(engine)[0].not_before < utcnow() + timedelta(seconds=60):
        await asyncio.sleep(0.01)  # claimed
    put(engine, 9201, "Tin 2")

    assert (await sender(engine, bot, lease=600).run_until_idle()).sent == 0

    release.set()
    assert (await first).sent == 2  # its own row, then the chat's next one
    assert texts(fake_telegram, 9201) == ["Tin 1", "Tin 2"]


async def test_run_forever_sends_what_comes_later(engine, fake_telegram, bot):
    outbox = sender(engine, bot)
    running = asyncio.create_task(outbox.run_forever(poll_interval=1.0))
    try:
        await asyncio.sleep(0.05)
        put(engine, 9301, "Kết quả tháng 10/2026")
        await fake_telegram.wait_for_call("sendMessage", timeout=5)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert texts(fake_telegram, 9301) == ["Kết quả tháng 10/2026"]
    assert rows(engine)[0].status == OutboxStatus.SENT


async def test_a_flaky_server_gets_every_message_in_each_chats_order(engine, fake_telegram):
    """A tenth of the sendMessage calls, drawn at random, are answered 429, 500, or later
    than the client waits (0.25 s): 300 messages to 30 chats all arrive, in each chat's
    order. At least once: a message goes twice only after a call that timed out had gone
    through, and its copy follows it at once."""
    chats = range(9301, 9331)
    for n in range(10):
        for chat in chats:
            put(engine, chat, f"Tin {n} cho {chat}")
    fake_telegram.fail_randomly("sendMessage", 0.1, seed=335, retry_after=1, delay=1.0)
    api = TelegramAPIServer.from_base(fake_telegram.base_url)
    bot = Bot(fake_telegram.token, session=AiohttpSession(api=api, timeout=0.25))
    try:
        counts = await sender(engine, bot).run_until_idle()
    finally:
        await bot.session.close()

    assert (counts.sent, counts.failed) == (300, 0)
    assert {r.status for r in rows(engine)} == {OutboxStatus.SENT}
    faults = Counter(r.status for r in fake_telegram.rejected)
    assert faults[429] and faults[500] and fake_telegram.late  # each kind of fault happened
    assert counts.retried_429 == faults[429]
    copies = 0
    for chat in chats:
        got = texts(fake_telegram, chat)
        wanted = [f"Tin {n} cho {chat}" for n in range(10)]
        assert [text for text, _ in itertools.groupby(got)] == wanted
        copies += sum((Counter(got) - Counter(wanted)).values())
    # every copy is a call the client gave up waiting for that had gone through: the
    # injected late answers, and on a loaded machine a real one now and then
    timeouts = counts.retried - faults[500]
    assert copies <= timeouts, (copies, timeouts)
