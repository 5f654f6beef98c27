"""The Telegram adapter (aiogram 3, long polling): translate in, translate out.

Updates are handled one at a time, in order, so that a chat's answers never race; the
database work runs in a thread so the event loop keeps polling. Replies go through the
outbox, written with the answer they confirm, and the outbox sender delivers them (with
Telegram's rate limits, retries on 429, 5xx and timeouts, in each chat's order).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from aiohttp import ClientError
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from handlers import menu
from handlers.dispatcher import handle
from handlers.events import Incoming, Reply
from locales import N_, SUPPORTED_LOCALES
from storage.models import Role
from storage.queries import leader_chats

log = logging.getLogger(__name__)
PLATFORM = "telegram"
TEXT_LIMIT = 4096  # Telegram's limit for one message
CONNECT_FIRST_DELAY = 1.0  # seconds before the second try to reach Telegram at start...
CONNECT_MAX_DELAY = 60.0  # ...doubled after each failure up to this
# what a Telegram that cannot be reached, or is down for a while, raises
UNREACHABLE = (
    TelegramNetworkError,  # aiogram's wrapping of aiohttp's ClientError and of time-outs
    TelegramServerError,  # 5xx, "restarting" included
    TelegramRetryAfter,  # 429
    ClientDecodeError,  # a proxy's HTML error page instead of Telegram's JSON
    ClientError,
    TimeoutError,
    OSError,
)


def make_bot(settings: Settings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(settings.bot_token.get_secret_value(), session=session)


def make_dispatcher(
    engine: Engine,
    settings: Settings,
    wake: Callable[[], None],
    clock: Callable[[], datetime] | None = None,
) -> Dispatcher:
    """The conversations on Telegram. Each update is handled with its replies written to
    the outbox in the same transaction; `wake` tells the sender they are there. `clock`
    gives the time (tests control it)."""
    router = Router(name="conversations")
    chat = settings.chat

    def run(incoming: Incoming) -> list[Reply]:
        return handle(engine, incoming, chat, now=clock() if clock else None, outbox=True)

    async def answer(bot: Bot, chat_id: int, incoming: Incoming) -> None:
        unsent = await asyncio.to_thread(run, incoming)
        wake()
        if unsent:  # the outbox itself failed: say so directly, once
            await send(bot, chat_id, unsent, incoming.message_id)

    @router.message()
    async def on_message(message: Message, bot: Bot, event_update: Update) -> None:
        if message.chat.type != "private" or message.from_user is None:
            return  # the conversations are one to one
        incoming = Incoming(
            platform=PLATFORM,
            chat_id=str(message.chat.id),
            user_id=str(message.from_user.id),
            update_id=str(event_update.update_id),
            text=message.text or message.caption or "",
            language=message.from_user.language_code,
        )
        await answer(bot, message.chat.id, incoming)

    @router.callback_query()
    async def on_button(query: CallbackQuery, bot: Bot, event_update: Update) -> None:
        await query.answer()  # stops the button's spinner
        message = query.message
        if message is None or query.data is None:
            return
        incoming = Incoming(
            platform=PLATFORM,
            chat_id=str(message.chat.id),
            user_id=str(query.from_user.id),
            update_id=str(event_update.update_id),
            payload=query.data,
            message_id=message.message_id,
            language=query.from_user.language_code,
        )
        await answer(bot, message.chat.id, incoming)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def send(bot: Bot, chat_id: int, replies: list[Reply], pressed: int | None) -> None:
    """Send the replies in order; an edit replaces the message whose button was pressed
    (its keyboard goes unless the edit has one); `commands` set the chat's command menu."""
    for item in replies:
        if item.commands is not None:
            await bot.set_my_commands(
                [BotCommand(command=c, description=d) for c, d in item.commands],
                scope=BotCommandScopeChat(chat_id=chat_id),
            )
            continue
        markup = _markup(item)
        if item.document is not None:
            await bot.send_document(
                chat_id,
                BufferedInputFile(item.document.content, item.document.filename),
                caption=item.document.caption[:1024] or None,
            )
            continue
        chunks = _split(item.text)
        if item.edit and pressed is not None and len(chunks) == 1:
            try:
                await bot.edit_message_text(
                    text=chunks[0], chat_id=chat_id, message_id=pressed, reply_markup=markup
                )
                continue
            except TelegramBadRequest as error:  # too old, deleted, or unchanged
                if "not modified" in str(error):
                    continue
                log.info("edit failed, sending instead: %s", error)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)


class StartError(Exception):
    """Telegram refuses the bot for good (a wrong token): an English msgid and its
    parameters, shown in one line by `python -m bot`."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


async def connect(
    bot: Bot,
    *,
    first_delay: float | None = None,
    max_delay: float | None = None,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> User:
    """The bot's own user (getMe), once Telegram answers.

    While Telegram cannot be reached (network down, time-outs, 5xx, 429), tries again
    after 1, 2, 4 ... seconds, at most CONNECT_MAX_DELAY apart (429: after its
    retry_after), logging one WARNING line per failure, until it works or the process is
    stopped. A token Telegram refuses (401), or another refusal, raises StartError.
    """
    delay = CONNECT_FIRST_DELAY if first_delay is None else first_delay
    cap = CONNECT_MAX_DELAY if max_delay is None else max_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            return await bot.me()  # remembered by the Bot: polling does not ask again
        except TelegramUnauthorizedError:
            raise StartError(
                N_(
                    "Telegram refuses BOT_TOKEN (401 Unauthorized): the token is wrong or was "
                    "revoked; @BotFather gives the right one (/mybots, API Token)."
                )
            ) from None
        except UNREACHABLE as error:
            wait = min(delay, cap)
            if isinstance(error, TelegramRetryAfter):
                wait = max(wait, float(error.retry_after))
            reason = _shown(bot, error)
            log.warning(
                "Telegram cannot be reached (try %d: %s); trying again in %g s",
                attempt,
                reason,
                wait,
            )
            await sleep(wait)
            delay = min(delay * 2, cap)
        except TelegramAPIError as error:  # 400, 403, 404...: trying again would not help
            raise StartError(
                N_("Telegram refuses the bot ({error}); check BOT_TOKEN and TELEGRAM_API_URL."),
                error=_shown(bot, error),
            ) from None


def _shown(bot: Bot, error: BaseException) -> str:
    """An error in one line, without the token (a URL in it may hold it)."""
    text = " ".join(str(error).split()).replace(bot.token, "<BOT_TOKEN>")
    return text or type(error).__name__


async def set_commands(bot: Bot, engine: Engine) -> None:
    """The command menu of Telegram: everyone's, in each language (Vietnamese by default);
    then each leader's own chat (with /review and /status; the director's with
    /conclusions too) in the leader's language."""
    for locale in SUPPORTED_LOCALES:
        commands = [BotCommand(command=c, description=d) for c, d in menu.commands(locale, False)]
        await bot.set_my_commands(commands, language_code=None if locale == "vi" else locale)
    with Session(engine) as session:
        leaders = leader_chats(session, PLATFORM)
    for chat_id, language, role in leaders:
        commands = menu.commands(language, True, director=role is Role.DIRECTOR)
        await send(bot, int(chat_id), [Reply("", commands=commands)], None)


async def run_polling(
    engine: Engine, settings: Settings, handle_signals: bool = True, with_cycle: bool = True
) -> None:
    """Poll Telegram until stopped (Ctrl+C or SIGTERM), one update at a time, with the
    outbox sender that delivers the replies and the cycle's messages; beside them, unless
    `with_cycle` is false, the monthly cycle's scheduler."""
    from cycle.scheduler import start_scheduler
    from delivery.sender import OutboxSender, telegram_sender

    bot = make_bot(settings)
    sender = OutboxSender(engine, telegram_sender(bot), platforms=[PLATFORM])
    dispatcher = make_dispatcher(engine, settings, sender.wake)
    sending = scheduler = None
    try:
        await connect(bot)  # waits for Telegram to answer, or stops on a wrong token
        await bot.delete_webhook(drop_pending_updates=False)
        await set_commands(bot, engine)
        sending = asyncio.create_task(sender.run_forever())
        if with_cycle:
            scheduler = start_scheduler(engine)
        await dispatcher.start_polling(bot, handle_as_tasks=False, handle_signals=handle_signals)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if sending is not None:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
        await bot.session.close()


def _markup(item: Reply) -> InlineKeyboardMarkup | None:
    if not item.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.payload) for b in row]
            for row in item.buttons
        ]
    )


def _split(text: str) -> list[str]:
    """Pieces within Telegram's limit, cut at line ends where possible."""
    text = text or "…"
    chunks = []
    while len(text) > TEXT_LIMIT:
        cut = text.rfind("\n", 0, TEXT_LIMIT)
        cut = cut if cut > 0 else TEXT_LIMIT
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks
