"""Telegram through aiogram 3: translate in, translate out.

Updates come by long polling (`serve`) or by webhook (`feed`, from `bot.webhook`), go
through aiogram's dispatcher into `delivery.inbound.Inbox`: chats concurrently, each
chat's updates in order; a poll's batch is confirmed by the next poll only once it is
handled. Replies go through the outbox, written with the answer they confirm, and the
outbox sender delivers them through `AiogramTelegram.send` (with Telegram's rate limits,
retries on 429, 5xx and timeouts, in each chat's order). aiogram's errors become
`delivery.messenger`'s.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
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
from delivery.inbound import Inbox
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
POLL_TIMEOUT = 30  # seconds a getUpdates call waits for an update
UPDATES = ["message", "callback_query"]  # what the conversations read
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
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
    secret_header = SECRET_HEADER  # the webhook's secret comes back in it

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

    async def start(self, engine: Engine, webhook: tuple[str, str] | None = None) -> None:
        """Wait for Telegram (`connect`), set the webhook (url, secret) or delete any (to
        poll), set the command menus."""
        await connect(self.bot)
        if webhook is None:
            await self.bot.delete_webhook(drop_pending_updates=False)
        else:
            url, secret = webhook
            await self.bot.set_webhook(url, secret_token=secret, allowed_updates=UPDATES)
        await set_commands(self, engine)

    async def serve(self, inbox: Inbox, *, poll_timeout: int = POLL_TIMEOUT) -> None:
        """Poll until cancelled; each batch is handled before the next poll confirms it.
        While Telegram cannot be reached, tries again after 1, 2, 4 ... seconds (429:
        after its retry_after), with one WARNING line per failure."""
        offset: int | None = None
        while True:
            batch = await patiently(
                functools.partial(
                    self.bot.get_updates,
                    offset=offset,
                    timeout=poll_timeout,
                    allowed_updates=UPDATES,
                    request_timeout=int(self.bot.session.timeout + poll_timeout),
                ),
                name="Telegram",
                log=log,
                transient=(*UNREACHABLE, TelegramAPIError),  # a conflict, a revoked token...
                retry_after=lambda e: e.retry_after if isinstance(e, TelegramRetryAfter) else None,
                shown=lambda e: _shown(self.bot, e),
                first_delay=CONNECT_FIRST_DELAY,
                max_delay=CONNECT_MAX_DELAY,
            )
            if batch:
                offset = batch[-1].update_id + 1
            await inbox.run_all(
                (_chat_of(update), self._handler(inbox, update)) for update in batch
            )

    async def feed(self, inbox: Inbox, data: Any) -> None:
        """One update of the webhook, handled in its chat's lane."""
        update = Update.model_validate(data, context={"bot": self.bot})
        await inbox.run(_chat_of(update), self._handler(inbox, update))

    def _handler(self, inbox: Inbox, update: Update) -> Callable[[], Any]:
        return functools.partial(DISPATCHER.feed_update, self.bot, update, inbox=inbox)

    async def close(self) -> None:
        await self.bot.session.close()


def _chat_of(update: Update) -> str:
    """The lane of an update: its chat."""
    if update.message is not None:
        return str(update.message.chat.id)
    query = update.callback_query
    if query is not None and query.message is not None:
        return str(query.message.chat.id)
    return f"update:{update.update_id}"


def make_dispatcher() -> Dispatcher:
    """The conversations on Telegram: each message or button press becomes an `Incoming`
    for the `inbox` given to `feed_update`."""
    router = Router(name="conversations")

    @router.message()
    async def on_message(message: Message, event_update: Update, inbox: Inbox) -> None:
        if message.chat.type != "private" or message.from_user is None:
            return  # the conversations are one to one
        await inbox.receive(
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
    async def on_button(query: CallbackQuery, event_update: Update, inbox: Inbox) -> None:
        try:
            await query.answer()  # stops the button's spinner
        except (*UNREACHABLE, TelegramAPIError) as error:  # too old: the press still counts
            log.info("the button's spinner could not be stopped: %s", type(error).__name__)
        message = query.message
        if message is None or query.data is None:
            return
        await inbox.receive(
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


DISPATCHER = make_dispatcher()


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
