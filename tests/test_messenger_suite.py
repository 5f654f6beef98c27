"""The same month on every messenger: registration, the plan, the self-assessment, the
head's review and /result, through each adapter as it runs in production (aiogram and
python-telegram-bot against the fake Telegram server, Zalo against the fake Zalo server,
the console through its input and output), with the cycle's notices delivered by each
messenger's outbox sender."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from sqlmodel import Session, select

from bot import console
from bot.config import Settings
from cycle.steps import tick
from delivery.inbound import Inbox
from delivery.sender import Clock, OutboxSender
from handlers.dispatcher import ChatSettings
from storage.models import PeriodStatus, Person, Result
from tests.chat import TOP, database, small_organization
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401
from tests.fake_zalo import FakeZalo, fake_zalo_fixture  # noqa: F401
from tests.test_cycle import at

CHATS = {"nv01": 7001, "tp01": 7002}


class Driver(Clock):
    """A messenger as a person sees it: say a text, press a button (by a part of its
    label, or exactly), the texts that came back. `moment` is the month's time for the
    conversations; the outbox sender's `now` is that or the real time, the later (replies
    are written due at the real time, the cycle's notices at the month's)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.moment = at(20, 9)

    def now(self) -> datetime:
        return max(self.moment, datetime.now(UTC))

    def clock(self) -> datetime:
        return self.moment

    async def score(self, who: str, value: float) -> str:
        return await self.press(who, f"{value:g}".replace(".", ","), exact=True)


class ServedDriver(Driver):
    """An adapter as `python -m bot` serves it (`bot.app`): its outbox sender (on the
    month's clock) and its update loop, against a fake server of the messenger."""

    name: str
    chats: ClassVar[dict[str, int | str]]
    polled: ClassVar[dict[str, bool]] = {}  # how the first getUpdates counts (Zalo: 408)

    def __init__(self, engine, server, settings: dict[str, str]) -> None:
        super().__init__(engine)
        self.server = server
        self.settings = Settings(**settings, DATABASE_URL=str(engine.url))

    async def __aenter__(self) -> ServedDriver:
        from bot.app import adapter

        self.messenger = adapter(self.name).from_settings(self.settings)
        sender = OutboxSender(self.engine, self.messenger, per_chat_interval=0.05, clock=self)
        since = len(self.server.calls)
        self.tasks = [
            asyncio.create_task(sender.run_forever(poll_interval=0.2)),
            asyncio.create_task(
                self.messenger.serve(
                    Inbox(self.engine, self.messenger, self.settings.chat, sender.wake, self.clock)
                )
            ),
        ]
        await self.server.wait_for_call("getUpdates", timeout=10, since=since, **self.polled)
        return self

    async def __aexit__(self, *exc) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.messenger.close()
        self.server.assert_no_rejections()

    def texts(self, who: str, since: int = 0) -> str:
        return "\n".join(m.get("text", "") for m in self.server.sent(self.chats[who])[since:])

    async def delivered(self, who: str, expected: str) -> str:
        """The chat's messages once `expected` is among them (the sender polls)."""
        for _ in range(100):
            if expected in self.texts(who):
                break
            await asyncio.sleep(0.1)
        return self.texts(who)


class TelegramDriver(ServedDriver):
    """aiogram or python-telegram-bot polling the fake Telegram server."""

    chats: ClassVar[dict[str, int | str]] = CHATS

    def __init__(self, engine, server: FakeTelegram, adapter: str) -> None:
        self.name = adapter
        super().__init__(
            engine, server, {"BOT_TOKEN": server.token, "TELEGRAM_API_URL": server.base_url}
        )

    async def say(self, who: str, text: str) -> str:
        before, since = len(self.server.sent(CHATS[who])), len(self.server.calls)
        self.server.send_text(CHATS[who], text, language_code="vi")
        await self._answered(since)
        return self.texts(who, before)

    async def press(self, who: str, label: str, exact: bool = False) -> str:
        chat = CHATS[who]
        for message in reversed(self.server.sent(chat)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if (button["text"] == label) if exact else (label in button["text"]):
                        since = len(self.server.calls)
                        self.server.press(chat, button["callback_data"], message["message_id"])
                        await self._answered(since)
                        return self.server.last(chat)["text"]
        raise AssertionError(f"no button {label!r}")

    async def _answered(self, since: int) -> None:
        await self.server.wait_for_call(
            lambda c: c.method in ("sendMessage", "editMessageText"), timeout=15, since=since
        )
        await self.server.wait_until_idle(timeout=15, quiet=0.3)


class ZaloDriver(ServedDriver):
    """The Zalo adapter polling the fake Zalo server: no buttons, so a person presses by
    typing the option's number (or the value of a score) from the last menu."""

    name = "zalo"
    chats: ClassVar[dict[str, int | str]] = {
        "nv01": "e4ea2cd5189df1c3a88c",
        "tp01": "16f6366b3f02645a3d15",
    }
    polled: ClassVar[dict[str, bool]] = {"accepted": False}

    def __init__(self, engine, server: FakeZalo) -> None:
        super().__init__(
            engine, server, {"ZALO_BOT_TOKEN": server.token, "ZALO_API_URL": server.base_url}
        )

    async def say(self, who: str, text: str) -> str:
        before, since = len(self.server.sent(self.chats[who])), len(self.server.calls)
        self.server.send_text(self.chats[who], text)
        await self.server.wait_for_call("sendMessage", timeout=15, since=since)
        await self.server.wait_until_idle(timeout=15, quiet=0.3)
        return self.texts(who, before)

    async def press(self, who: str, label: str, exact: bool = False) -> str:
        for message in reversed(self.server.sent(self.chats[who])):
            text = message.get("text", "")
            for number, option in re.findall(r"^(\d+)\. (.+)$", text, re.MULTILINE):
                if (option == label) if exact else (label in option):
                    return await self.say(who, number)
            values = [line.split(" · ") for line in text.splitlines() if " · " in line]
            if exact and any(label in row for row in values):
                return await self.say(who, label)
            for option in re.findall(r"^• (.+)$", text, re.MULTILINE):
                if label in option:
                    return await self.say(who, option)
        raise AssertionError(f"no option {label!r}")


class _Lines:
    """A terminal's input fed line by line from the test."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def readline(self) -> str:
        return self.lines.get()


class _Screen:
    """A terminal's output; `prompted` is set at each "> "."""

    def __init__(self) -> None:
        self.text = ""
        self.lock = threading.Lock()
        self.prompted = threading.Event()

    def write(self, text: str) -> None:
        with self.lock:
            self.text += text
            if text == "> ":
                self.prompted.set()

    def flush(self) -> None:
        pass


class ConsoleDriver(Driver):
    """`python -m bot console --as CODE` for each person, in a thread of its own."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.terminals: dict[str, tuple[_Lines, _Screen, threading.Thread]] = {}

    async def __aenter__(self) -> ConsoleDriver:
        return self

    async def __aexit__(self, *exc) -> None:
        for lines, _, thread in self.terminals.values():
            lines.lines.put("/quit\n")
            await asyncio.to_thread(thread.join, 10)

    def _terminal(self, who: str) -> tuple[_Lines, _Screen, threading.Thread]:
        if who not in self.terminals:
            with Session(self.engine) as s:
                person = s.exec(select(Person).where(Person.code == who)).one()
            lines, screen = _Lines(), _Screen()
            thread = threading.Thread(
                target=console.run,
                args=(self.engine, ChatSettings(), person, lines, screen, self.clock),
                daemon=True,
            )
            thread.start()
            screen.prompted.wait(10)
            self.terminals[who] = (lines, screen, thread)
        return self.terminals[who]

    async def say(self, who: str, text: str) -> str:
        lines, screen, _ = self._terminal(who)
        with screen.lock:
            start = len(screen.text)
            screen.prompted.clear()
        lines.lines.put(text + "\n")
        assert await asyncio.to_thread(screen.prompted.wait, 10), "the console did not answer"
        with screen.lock:
            return screen.text[start:]

    async def press(self, who: str, label: str, exact: bool = False) -> str:
        _, screen, _ = self._terminal(who)
        with screen.lock:
            shown = screen.text.removesuffix("> ")
        last = shown[shown.rfind("> ") :]  # the last answer: its "[n] label" buttons
        for number, text in re.findall(r"\[(\d+)\] (.+?)(?=   \[|\n|$)", last):
            if (text.strip() == label) if exact else (label in text):
                return await self.say(who, number)
        raise AssertionError(f"no button {label!r} in {last!r}")

    async def delivered(self, who: str, expected: str) -> str:
        return await self.say(who, "/menu")  # the console shows what came meanwhile


DRIVERS = ["console", "aiogram", "ptb", "zalo"]


@pytest.fixture(params=DRIVERS)
def messenger(request, tmp_path) -> Callable:
    engine = database(tmp_path)
    codes = small_organization(engine, status=PeriodStatus.PLANNING)
    name = request.param
    if name == "console":
        return engine, codes, ConsoleDriver(engine)
    if name == "zalo":
        return engine, codes, ZaloDriver(engine, request.getfixturevalue("fake_zalo"))
    server = request.getfixturevalue("fake_telegram")
    return engine, codes, TelegramDriver(engine, server, name)


async def test_a_month_on_each_messenger(messenger):
    engine, codes, driver = messenger
    async with driver:
        welcome = await driver.say("nv01", f"/start {codes['nv01']}")
        assert "Trần Thị Mai" in welcome
        await driver.say("tp01", f"/start {codes['tp01']}")

        # the plan: one task more than the head planned
        plan = await driver.say("nv01", "/plan")
        assert "Nhiệm vụ số 1" in plan and "Nhiệm vụ số 2" in plan
        await driver.press("nv01", "Thêm nhiệm vụ")
        await driver.say("nv01", "Tổng hợp báo cáo quý IV")
        listed = await driver.press("nv01", "Không có hạn")
        assert "Tổng hợp báo cáo quý IV" in listed

        # the self-assessment opens: the notice reaches the person on this messenger
        await asyncio.to_thread(tick, engine, at(26, 8))
        driver.moment = at(26, 10)
        opened = "Đã mở tự đánh giá tháng 11/2026"
        assert opened in await driver.delivered("nv01", opened)
        await driver.say("nv01", "/assess")
        for value in TOP:
            await driver.score("nv01", value)
        for outcome in ("vượt mức", "đúng tiến độ", "đúng tiến độ"):
            await driver.press("nv01", outcome)
        await driver.press("nv01", "Không có")
        summary = await driver.press("nv01", "Không có")
        assert "100/100" in summary
        await driver.press("nv01", "Đề xuất mức")
        await driver.press("nv01", "(A)")
        assert "Đã gửi bản tự đánh giá" in await driver.press("nv01", "Gửi")

        # the head's review, after the deadline
        await asyncio.to_thread(tick, engine, at(30, 17))
        driver.moment = at(1, 9, month=12)
        card = await driver.say("tp01", "/review")
        assert "Trần Thị Mai" in card
        await driver.press("tp01", "Đồng ý")
        await asyncio.to_thread(tick, engine, at(7, 9, month=12))  # classified, published
        driver.moment = at(7, 10, month=12)
        result = await driver.say("nv01", "/result")
    with Session(engine) as s:
        mai = s.exec(select(Person).where(Person.code == "nv01")).one()
        level = s.exec(select(Result).where(Result.person_id == mai.id)).one().level
    assert level in ("A", "B")
    assert f"nhiệm vụ ({level})" in result
