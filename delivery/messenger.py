"""What a messenger adapter declares and raises: the one interface between the outbox
sender and a messenger (Telegram through aiogram or python-telegram-bot, Zalo, ...).

An adapter is one file in `bot/`: a class with `platform`, `capabilities` and `send`, and
its update loop. It turns its library's errors into the four below, so that the sender
never imports a messenger library.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from handlers.events import Button, Document

T = TypeVar("T")


@dataclass(frozen=True)
class Capabilities:
    """What a messenger can show; the renderer (`delivery.render`) fits replies to it."""

    buttons: bool = True  # inline buttons; without them, numbered menus answered by text
    text_limit: int = 4096  # characters of one message; longer texts split at line ends
    documents: bool = True  # files (Excel); without them, the document's text summary
    images: bool = True  # pictures (charts)
    edits: bool = True  # a pressed question edited in place; without, a new message
    commands: bool = True  # a per-chat command menu (Telegram's setMyCommands)


@dataclass(frozen=True, slots=True)
class Out:
    """One call to a messenger, as the renderer (`delivery.render`) makes it: a text with
    its buttons, a document, or a chat's command menu."""

    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit: bool = False  # replace the message whose button was pressed
    document: Document | None = None
    commands: tuple[tuple[str, str], ...] | None = None


class Messenger(Protocol):
    """One messenger, as the outbox sender sees it."""

    platform: str  # the `platform` of `Identity` and of outbox rows ("telegram", "zalo")
    capabilities: Capabilities

    async def send(self, chat_id: str, out: Out, message_id: int | None) -> None:
        """Make the one call `out`, or raise one of the errors below (anything else counts
        as transient). An `edit` replaces the message `message_id` (whose button was
        pressed); where that fails, the adapter sends a new message instead."""


class RetryLater(Exception):
    """The messenger's flood limit (429): every send waits `retry_after` seconds."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        super().__init__(message or f"retry after {retry_after}")
        self.retry_after = retry_after


class Undeliverable(Exception):
    """This message will never go (the chat blocked the bot, the request is refused)."""


class Unreachable(Exception):
    """The messenger cannot be reached for now (network, time-out, 5xx): try again later."""


class Unauthorized(Exception):
    """The messenger refuses the bot's token: nobody's message is at fault; stop sending."""


class StartError(Exception):
    """A messenger refuses the bot for good at start (a wrong token): an English msgid and
    its parameters, shown in one line by `python -m bot`."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


async def patiently(
    call: Callable[[], Awaitable[T]],
    *,
    name: str,
    log: logging.Logger,
    transient: tuple[type[BaseException], ...],
    fatal: tuple[type[BaseException], ...] = (),
    retry_after: Callable[[BaseException], float | None] = lambda error: None,
    shown: Callable[[BaseException], str] = str,
    first_delay: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> T:
    """`call()`'s answer once the messenger `name` answers: while it raises one of
    `transient` (network down, time-outs, 5xx, 429), tries again after 1, 2, 4 ...
    seconds, at most `max_delay` apart (a 429: at least its `retry_after`), with one
    WARNING line per failure (`shown` keeps the token out of it). `fatal` errors (kinds of
    `transient` that are refusals) and any other error are the caller's (a refused token:
    a StartError)."""
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call()
        except fatal:
            raise
        except transient as error:
            wait = min(delay, max_delay)
            wait = max(wait, retry_after(error) or 0.0)
            log.warning(
                "%s cannot be reached (try %d: %s); trying again in %g s",
                name,
                attempt,
                shown(error),
                wait,
            )
            await sleep(wait)
            delay = min(delay * 2, max_delay)
