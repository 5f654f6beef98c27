"""Telegram through aiogram 3 (long polling): translate in, translate out.

Updates are handled one at a time, in order, so that a chat's answers never race; the
database work runs in a thread so the event loop keeps polling. Replies go through the
outbox, written with the answer they confirm, and the outbox sender delivers them through
`AiogramTelegram.send` (with Telegram's rate limits, retries on 429, 5xx and timeouts, in
each chat's order). aiogram's errors become `delivery.messenger`'s.
"""

from __future__ import annotations

import asyncio
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
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
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

from bot.config import Settings
from delivery.inbound import receive
from delivery.menus import set_command_menus
from delivery.messenger import (
    Capabilities,
    Out,
    RetryLater,
    StartError,
    Unauthorized,
    Undeliverable,
    Unreachable,
    patiently,
)
from handlers.events import Incoming
from locales import N_

log = logging.getLogger(__name__)
PLATFORM = "telegram"
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
# refusals of one message: the chat blocked the bot, a bad request, a migrated group
REFUSED = (
    TelegramForbiddenError,
    TelegramBadRequest,
    TelegramNotFound,
    TelegramEntityTooLarge,
    TelegramMigrateToChat,
)


class AiogramTelegram:
    """The Telegram messenger through aiogram: `send` for the outbox sender; `start`,
    `serve` and `close` for the composition root (`bot.app`)."""

    platform = PLATFORM
    capabilities = Capabilities(buttons=True, text_limit=4096)

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @classmethod
    def from_settings(cls, settings: Settings) -> AiogramTelegram:
        assert settings.bot_token is not None
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        return cls(Bot(settings.bot_token.get_secret_value(), session=session))

    async def send(self, chat_id: str, out: Out, message_id: int | None) -> None:
        try:
            await _send(self.bot, _chat(chat_id), out, message_id)
        except TelegramRetryAfter as error:
            raise RetryLater(float(error.retry_after), self._why(error)) from error
        except TelegramUnauthorizedError as error:
            raise Unauthorized(self._why(error)) from error
        except REFUSED as error:
            raise Undeliverable(self._why(error)) from error
        except (*UNREACHABLE, TelegramAPIError) as error:
            raise Unreachable(self._why(error)) from error

    def _why(self, error: BaseException) -> str:
        return f"{type(error).__name__}: {_shown(self.bot, error)}"

    async def start(self, engine: Engine) -> None:
        """Wait for Telegram (`connect`), stop any webhook, set the command menus."""
        await connect(self.bot)
        await self.bot.delete_webhook(drop_pending_updates=False)
        await set_commands(self, engine)

    async def serve(
        self,
        engine: Engine,
        settings: Settings,
        wake: Callable[[], None],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Poll until cancelled, one update at a time."""
        dispatcher = make_dispatcher(engine, settings, self, wake, clock)
        await dispatcher.start_polling(self.bot, handle_as_tasks=False, handle_signals=False)

    async def close(self) -> None:
        await self.bot.session.close()


def make_dispatcher(
    engine: Engine,
    settings: Settings,
    messenger: AiogramTelegram,
    wake: Callable[[], None],
    clock: Callable[[], datetime] | None = None,
) -> Dispatcher:
    """The conversations on Telegram: each update goes to `delivery.inbound.receive`."""
    router = Router(name="conversations")
    chat = settings.chat

    async def answer(incoming: Incoming) -> None:
        await receive(engine, messenger, incoming, chat, wake, clock)

    @router.message()
    async def on_message(message: Message, event_update: Update) -> None:
        if message.chat.type != "private" or message.from_user is None:
            return  # the conversations are one to one
        await answer(
            Incoming(
                platform=PLATFORM,
                chat_id=str(message.chat.id),
                user_id=str(message.from_user.id),
                update_id=str(event_update.update_id),
                text=message.text or message.caption or "",
                language=message.from_user.language_code,
            )
        )

    @router.callback_query()
    async def on_button(query: CallbackQuery, event_update: Update) -> None:
        await query.answer()  # stops the button's spinner
        message = query.message
        if message is None or query.data is None:
            return
        await answer(
            Incoming(
                platform=PLATFORM,
                chat_id=str(message.chat.id),
                user_id=str(query.from_user.id),
                update_id=str(event_update.update_id),
                payload=query.data,
                message_id=message.message_id,
                language=query.from_user.language_code,
            )
        )

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def _send(bot: Bot, chat_id: int | str, out: Out, pressed: int | None) -> None:
    """One call; an edit replaces the message whose button was pressed (its keyboard goes
    unless the edit has one), and where Telegram refuses the edit, a new message goes."""
    if out.commands is not None:
        await bot.set_my_commands(
            [BotCommand(command=c, description=d) for c, d in out.commands],
            scope=BotCommandScopeChat(chat_id=chat_id),
        )
        return
    if out.document is not None:
        await bot.send_document(
            chat_id,
            BufferedInputFile(out.document.content, out.document.filename),
            caption=out.document.caption[:1024] or None,
        )
        return
    markup = _markup(out)
    if out.edit and pressed is not None:
        try:
            await bot.edit_message_text(
                text=out.text, chat_id=chat_id, message_id=pressed, reply_markup=markup
            )
            return
        except TelegramBadRequest as error:  # too old, deleted, or unchanged
            if "not modified" in str(error):
                return
            log.info("edit failed, sending instead: %s", error)
    await bot.send_message(chat_id, out.text, reply_markup=markup)


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


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
    try:
        return await patiently(
            bot.me,  # remembered by the Bot: polling does not ask again
            name="Telegram",
            log=log,
            transient=UNREACHABLE,
            retry_after=lambda e: e.retry_after if isinstance(e, TelegramRetryAfter) else None,
            shown=lambda e: _shown(bot, e),
            first_delay=CONNECT_FIRST_DELAY if first_delay is None else first_delay,
            max_delay=CONNECT_MAX_DELAY if max_delay is None else max_delay,
            sleep=sleep,
        )
    except TelegramUnauthorizedError:
        raise StartError(
            N_(
                "Telegram refuses BOT_TOKEN (401 Unauthorized): the token is wrong or was "
                "revoked; @BotFather gives the right one (/mybots, API Token)."
            )
        ) from None
    except TelegramAPIError as error:  # 400, 403, 404...: trying again would not help
        raise StartError(
            N_("Telegram refuses the bot ({error}); check BOT_TOKEN and TELEGRAM_API_URL."),
            error=_shown(bot, error),
        ) from None


def _shown(bot: Bot, error: BaseException) -> str:
    """An error in one line, without the token (a URL in it may hold it)."""
    text = " ".join(str(error).split()).replace(bot.token, "<BOT_TOKEN>")
    return text or type(error).__name__


async def set_commands(messenger: AiogramTelegram, engine: Engine) -> None:
    """Telegram's command menus (`delivery.menus.set_command_menus`)."""

    async def everyones(commands: tuple[tuple[str, str], ...], language: str | None) -> None:
        await messenger.bot.set_my_commands(
            [BotCommand(command=c, description=d) for c, d in commands], language_code=language
        )

    await set_command_menus(messenger, engine, everyones)


def _markup(out: Out) -> InlineKeyboardMarkup | None:
    if not out.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.payload) for b in row]
            for row in out.buttons
        ]
    )
