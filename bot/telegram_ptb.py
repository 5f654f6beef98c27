"""Telegram through python-telegram-bot 22: translate in, translate out.

The same messenger as `bot.telegram_aiogram`, on the other library: updates are fetched
by a plain `getUpdates` loop (`serve`) or come by webhook (`feed`), and go to
`delivery.inbound.Inbox`: chats concurrently, each chat's updates in order; a poll's
batch is confirmed by the next poll only once it is handled. Replies go through the
outbox, and the outbox sender delivers them through `PtbTelegram.send`.
python-telegram-bot's errors become `delivery.messenger`'s; the token never appears in
what this module logs or raises, nor in the lines of httpx and python-telegram-bot (a
URL holds it).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

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
CONNECT_FIRST_DELAY = 1.0  # seconds before the second try to reach Telegram at start...
CONNECT_MAX_DELAY = 60.0  # ...doubled after each failure up to this
POLL_TIMEOUT = 30  # seconds a getUpdates call waits for an update
UPDATES = ["message", "callback_query"]  # what the conversations read
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What a Telegram that cannot be reached, or is down for a while, raises. NetworkError
# covers python-telegram-bot's wrapping of httpx's errors, time-outs (TimedOut) and 5xx;
# BadRequest is a NetworkError too, so it is caught before these wherever it matters.
UNREACHABLE = (RetryAfter, NetworkError, TimedOut, httpx.HTTPError, TimeoutError, OSError)
# refusals of one message: the chat blocked the bot, a bad request, a migrated group
REFUSED = (Forbidden, BadRequest, ChatMigrated, EndPointNotFound)
# the loggers whose lines may hold the token (httpx: one INFO line per call, with its URL)
TOKEN_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram",
    "telegram.Bot",
    "telegram.BaseRequest",
    "telegram.HTTPXRequest",
)


class PtbTelegram:
    """The Telegram messenger through python-telegram-bot: `send` for the outbox sender;
    `start`, `serve` and `close` for the composition root (`bot.app`)."""

    platform = PLATFORM
    capabilities = Capabilities(buttons=True, text_limit=4096)
    secret_header = SECRET_HEADER  # the webhook's secret comes back in it

    def __init__(self, bot: Bot, requests: tuple[HTTPXRequest, ...] = ()) -> None:
        self.bot = bot
        self._requests = requests  # closed by `close`, whether `start` ran or not

    @classmethod
    def from_settings(cls, settings: Settings) -> PtbTelegram:
        assert settings.bot_token is not None
        token = settings.bot_token.get_secret_value()
        hide_token(token)  # before the Bot logs its URLs
        api = settings.telegram_api_url.rstrip("/")
        # the outbox sender sends to many chats at once; polling holds one connection
        calls = HTTPXRequest(connection_pool_size=64, pool_timeout=30.0)
        polls = HTTPXRequest(connection_pool_size=1)
        bot = Bot(
            token,
            base_url=f"{api}/bot",
            base_file_url=f"{api}/file/bot",
            request=calls,
            get_updates_request=polls,
        )
        return cls(bot, (calls, polls))

    async def send(self, chat_id: str, out: Out, message_id: int | None) -> None:
        try:
            await _send(self.bot, _chat(chat_id), out, message_id)
        except RetryAfter as error:
            raise RetryLater(retry_after(error), _shown(self.bot, error)) from error
        except InvalidToken as error:  # 401 (and 404: a token Telegram cannot parse)
            raise Unauthorized(_shown(self.bot, error)) from error
        except REFUSED as error:
            raise Undeliverable(_shown(self.bot, error)) from error
        except (*UNREACHABLE, TelegramError) as error:
            raise Unreachable(_shown(self.bot, error)) from error

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
        """Poll until cancelled; each batch is handled before the next poll confirms it."""
        async for batch in updates(self.bot, poll_timeout):
            await inbox.run_all(
                (_chat_of(update), self._handler(inbox, update)) for update in batch
            )

    async def feed(self, inbox: Inbox, data: Any) -> None:
        """One update of the webhook, handled in its chat's lane."""
        update = Update.de_json(data, self.bot)
        await inbox.run(_chat_of(update), self._handler(inbox, update))

    def _handler(self, inbox: Inbox, update: Update) -> Callable[[], Any]:
        return functools.partial(handle_update, self.bot, update, inbox.receive)

    async def close(self) -> None:
        await self.bot.shutdown()
        for request in self._requests:
            await request.shutdown()


async def updates(bot: Bot, poll_timeout: int = POLL_TIMEOUT) -> Any:
    """The updates, a poll's batch at a time, each batch confirmed by the next
    `getUpdates`. While Telegram cannot be reached, tries again after 1, 2, 4 ... seconds
    (429: after its retry_after), with one WARNING line per failure."""
    offset: int | None = None
    while True:
        batch = await patiently(
            functools.partial(
                bot.get_updates, offset=offset, timeout=poll_timeout, allowed_updates=UPDATES
            ),
            name="Telegram",
            log=log,
            transient=(*UNREACHABLE, TelegramError),  # a conflict, a revoked token...
            retry_after=lambda e: retry_after(e) if isinstance(e, RetryAfter) else None,
            shown=lambda e: _shown(bot, e),
            first_delay=CONNECT_FIRST_DELAY,
            max_delay=CONNECT_MAX_DELAY,
        )
        if batch:
            offset = batch[-1].update_id + 1
            yield batch


def _chat_of(update: Update) -> str:
    """The lane of an update: its chat."""
    chat = update.effective_chat
    return str(chat.id) if chat is not None else f"update:{update.update_id}"


async def handle_update(bot: Bot, update: Update, answer: Callable[[Incoming], Any]) -> None:
    """An update as an `Incoming` for `answer`: a private chat's message, or a button
    pressed (its spinner stopped first); anything else is left alone."""
    message = update.message
    if message is not None:
        if message.chat.type != ChatType.PRIVATE or message.from_user is None:
            return  # the conversations are one to one
        await answer(
            Incoming(
                platform=PLATFORM,
                chat_id=str(message.chat.id),
                user_id=str(message.from_user.id),
                update_id=str(update.update_id),
                text=message.text or message.caption or "",
                language=message.from_user.language_code,
            )
        )
        return
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()  # stops the button's spinner
    except TelegramError as error:  # too old (the bot was down): the press still counts
        log.info("the button's spinner could not be stopped: %s", _shown(bot, error))
    pressed = query.message
    if pressed is None or query.data is None:
        return
    await answer(
        Incoming(
            platform=PLATFORM,
            chat_id=str(pressed.chat.id),
            user_id=str(query.from_user.id),
            update_id=str(update.update_id),
            payload=query.data,
            message_id=pressed.message_id,
            language=query.from_user.language_code,
        )
    )


async def _send(bot: Bot, chat_id: int | str, out: Out, pressed: int | None) -> None:
    """One call; an edit replaces the message whose button was pressed (its keyboard goes
    unless the edit has one), and where Telegram refuses the edit, a new message goes."""
    if out.commands is not None:
        await bot.set_my_commands(
            [BotCommand(c, d) for c, d in out.commands],
            scope=BotCommandScopeChat(chat_id=chat_id),
        )
        return
    if out.document is not None:
        await bot.send_document(
            chat_id,
            InputFile(out.document.content, filename=out.document.filename),
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
        except BadRequest as error:  # too old, deleted, or unchanged
            if "not modified" in str(error).lower():
                return
            log.info("edit failed, sending instead: %s", _shown(bot, error))
    await bot.send_message(chat_id, out.text, reply_markup=markup)


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def retry_after(error: RetryAfter) -> float:
    """The seconds a 429 asks to wait: python-telegram-bot 22 gives an int (with a
    deprecation warning) or, with PTB_TIMEDELTA set, a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


async def connect(
    bot: Bot,
    *,
    first_delay: float | None = None,
    max_delay: float | None = None,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> User:
    """The bot's own user (getMe, through `Bot.initialize`), once Telegram answers.

    While Telegram cannot be reached (network down, time-outs, 5xx, 429), tries again
    after 1, 2, 4 ... seconds, at most CONNECT_MAX_DELAY apart (429: after its
    retry_after), logging one WARNING line per failure, until it works or the process is
    stopped. A token Telegram refuses (401), or another refusal, raises StartError (the
    msgids of `bot.telegram_aiogram.connect`).
    """

    async def me() -> User:
        await bot.initialize()  # getMe, remembered by the Bot
        return bot.bot

    try:
        return await patiently(
            me,
            name="Telegram",
            log=log,
            transient=(*UNREACHABLE, TelegramError),  # invalid answers (a proxy's page)
            fatal=(InvalidToken, *REFUSED),
            retry_after=lambda e: retry_after(e) if isinstance(e, RetryAfter) else None,
            shown=lambda e: _shown(bot, e),
            first_delay=CONNECT_FIRST_DELAY if first_delay is None else first_delay,
            max_delay=CONNECT_MAX_DELAY if max_delay is None else max_delay,
            sleep=sleep,
        )
    except InvalidToken as error:
        refusal = error.__cause__ or error  # initialize's own message holds the token
        if "not found" in str(refusal).lower():  # 404: no Bot API at that URL
            raise StartError(
                N_("Telegram refuses the bot ({error}); check BOT_TOKEN and TELEGRAM_API_URL."),
                error=_shown(bot, refusal),
            ) from None
        raise StartError(
            N_(
                "Telegram refuses BOT_TOKEN (401 Unauthorized): the token is wrong or was "
                "revoked; @BotFather gives the right one (/mybots, API Token)."
            )
        ) from None
    except REFUSED as error:  # 400, 403...: trying again would not help
        raise StartError(
            N_("Telegram refuses the bot ({error}); check BOT_TOKEN and TELEGRAM_API_URL."),
            error=_shown(bot, error),
        ) from None


def _shown(bot: Bot, error: BaseException) -> str:
    """An error in one line, without the token (a URL in it may hold it)."""
    text = " ".join(str(error).split()).replace(bot.token, "<BOT_TOKEN>")
    return text or type(error).__name__


class _HideToken(logging.Filter):
    """Writes `<BOT_TOKEN>` for the tokens in a log line (httpx logs each call's URL)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        line = record.getMessage()
        hidden = line
        for token in self.tokens:
            hidden = hidden.replace(token, "<BOT_TOKEN>")
        if hidden != line:
            record.msg, record.args = hidden, None
        return True


_hide = _HideToken()


def hide_token(token: str) -> None:
    """Keep `token` out of the lines of httpx and python-telegram-bot."""
    _hide.tokens.add(token)
    for name in TOKEN_LOGGERS:
        logger = logging.getLogger(name)
        if _hide not in logger.filters:
            logger.addFilter(_hide)


async def set_commands(messenger: PtbTelegram, engine: Engine) -> None:
    """Telegram's command menus (`delivery.menus.set_command_menus`)."""

    async def everyones(commands: tuple[tuple[str, str], ...], language: str | None) -> None:
        await messenger.bot.set_my_commands(
            [BotCommand(c, d) for c, d in commands], language_code=language
        )

    await set_command_menus(messenger, engine, everyones)


def _markup(out: Out) -> InlineKeyboardMarkup | None:
    if not out.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.payload) for b in row]
            for row in out.buttons
        ]
    )
