"""Zalo through the Zalo Bot Platform API (long polling or webhook), with a small client
of our own.

The API has Telegram's shape (``POST <base>/bot<TOKEN>/<method>``, a JSON body, the
envelope ``{ok, result, error_code, description}``) but not its features: no buttons, no
edits, no files, no command menu, texts of at most 2,000 characters. The renderer
(`delivery.render`) fits the replies to that (`ZaloBot.capabilities`): numbered menus
answered by text, texts split at line ends, documents as a short text.

Inbound (`ZaloBot.serve`): ``getUpdates`` returns one update per call, and an idle long
poll ends with error 408; there is no ``update_id`` nor offset, so the message's
``message_id`` is the update's identity: recent ids are skipped in memory, and it becomes
`Incoming.update_id`, so that the conversations' exactly-once store also catches a
redelivery after a restart or by another worker. Updates go to `delivery.inbound.Inbox`
(chats concurrently, each chat's in order). Private chats only. A text message goes to
the conversations as typed; an image, a sticker or an unsupported message goes to them
as an empty text, which they answer as they answer a photo on Telegram (a stranger is
told how to register; a question is asked again; else "not understood" with the menu).
An update of another shape is logged and skipped.

Errors (`delivery.messenger`): 429 or a ``retry_after`` is `RetryLater`; a refused token
is `Unauthorized` on a send (401) or a poll (401, 403), and `StartError` at start (getMe:
401, 403; any other refusal too, such as a wrong ZALO_API_URL); another refusal of a send
(400, 403, 404, 413...) is `Undeliverable`; network errors, time-outs, 5xx and answers
that are not the API's JSON are `Unreachable`. An answer ``ok: false`` counts as a
refusal whatever its HTTP status (the live API is reported to refuse with HTTP 200). The
token never appears in a log line or an error text: it is replaced by ``<ZALO_BOT_TOKEN>``.

Uncertain points of the API (/work/shared/zalo/README.md) are settings or accepted both
ways: the host is ZALO_API_URL; the pace is ZALO_RATE and ZALO_PER_CHAT_INTERVAL; a
getUpdates ``result`` may be one update or a list, and an update may come bare or inside
``{"result": ...}`` (as webhooks are said to post it). Polling: `start` deletes any
webhook, and a poll refused because a webhook was set meanwhile deletes it again.
Webhook (`feed`, from `bot.webhook`): `start` sets it with the secret, which Zalo sends
back verbatim in the ``X-Bot-Api-Secret-Token`` header.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp
from sqlalchemy import Engine

from bot.config import Settings
from delivery.inbound import Inbox
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
PLATFORM = "zalo"
TEXT_LIMIT = 2000
HIDDEN = "<ZALO_BOT_TOKEN>"
POLL_TIMEOUT = 30  # seconds a getUpdates long poll waits for an update
CALL_TIMEOUT = 30.0  # seconds for any other call
CONNECT_FIRST_DELAY = 1.0  # seconds before the second try to reach Zalo...
CONNECT_MAX_DELAY = 60.0  # ...doubled after each failure up to this
SEEN_MESSAGES = 2000  # message ids remembered to skip a redelivered update
TEXT_EVENT = "message.text.received"
PRIVATE = "PRIVATE"
SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ApiError(Exception):
    """Zalo answered, and refused the call: its error code (or HTTP status) and text."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}".strip())
        self.code = code
        self.description = description


class ZaloClient:
    """The dozen methods of the Zalo Bot API as one `call`, on aiohttp.

    `call` returns the ``result`` of an ``ok`` answer, or raises: `RetryLater` (429 or a
    ``retry_after``), `Unreachable` (network, time-out, 5xx, an answer that is not the
    API's JSON), `ApiError` (any other refusal: 400, 401, 403, 404, 408...)."""

    def __init__(self, base_url: str, token: str, call_timeout: float = CALL_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.call_timeout = call_timeout
        self._session: aiohttp.ClientSession | None = None

    def hide(self, text: str) -> str:
        """`text` in one line, without the token (a URL in it may hold it)."""
        text = " ".join(str(text).split())
        return text.replace(self.token, HIDDEN) if self.token else text

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        url = f"{self.base_url}/bot{self.token}/{method}"
        limit = aiohttp.ClientTimeout(total=timeout or self.call_timeout)
        try:
            async with self._session.post(url, json=params or {}, timeout=limit) as response:
                status = response.status
                retry_header = response.headers.get("Retry-After")
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            reason = self.hide(str(error)) or type(error).__name__
            raise Unreachable(f"{method}: {type(error).__name__}: {reason}") from None
        return self._result(method, status, body, retry_header)

    def _result(self, method: str, status: int, body: Any, retry_header: str | None) -> Any:
        if not isinstance(body, dict) or "ok" not in body:  # a proxy's page, not the API
            if status == 429:
                raise RetryLater(_seconds(retry_header) or 1.0, f"{method}: 429")
            if status >= 500 or status < 400:
                raise Unreachable(f"{method}: HTTP {status}, not an answer of the API")
            raise ApiError(status, "not an answer of the API")
        if body.get("ok") is True and status < 400:
            return body.get("result")
        code = _int(body.get("error_code")) or (status if status >= 400 else 400)
        description = self.hide(str(body.get("description") or ""))
        parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        retry_after = _seconds(
            body.get("retry_after") or parameters.get("retry_after") or retry_header
        )
        if code == 429 or status == 429 or retry_after:
            raise RetryLater(retry_after or 1.0, f"{method}: {code} {description}".strip())
        if code >= 500 or status >= 500:
            raise Unreachable(f"{method}: {code} {description}".strip())
        raise ApiError(code, description)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _seconds(value: Any) -> float:
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 0.0


class ZaloBot:
    """The Zalo messenger: `send` for the outbox sender; `start`, `serve` and `close` for
    the composition root (`bot.app`)."""

    platform = PLATFORM
    secret_header = SECRET_HEADER  # the webhook's secret comes back in it
    capabilities = Capabilities(
        buttons=False,
        text_limit=TEXT_LIMIT,
        documents=False,
        images=False,  # sendPhoto takes a URL only, and the bot serves no files
        edits=False,
        commands=False,
    )

    def __init__(self, client: ZaloClient, *, poll_timeout: int | None = None) -> None:
        self.client = client
        self.poll_timeout = POLL_TIMEOUT if poll_timeout is None else poll_timeout
        self.me: dict[str, Any] | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> ZaloBot:
        assert settings.zalo_bot_token is not None
        token = settings.zalo_bot_token.get_secret_value()
        return cls(ZaloClient(settings.zalo_api_url, token))

    # -- out

    async def send(self, chat_id: str, out: Out, message_id: int | None) -> None:
        """`out.text` as one sendMessage (the renderer has already split it, and made its
        buttons a numbered menu; an edit is a new message here)."""
        if out.commands is not None:
            return  # no command menu on Zalo: commands are typed
        if out.document is not None:
            raise Undeliverable("Zalo cannot send files")
        try:
            await self.client.call("sendMessage", {"chat_id": str(chat_id), "text": out.text})
        except ApiError as error:
            if error.code == 401:
                raise Unauthorized(f"sendMessage: {error}") from None
            if error.code == 408:  # a time-out on Zalo's side
                raise Unreachable(f"sendMessage: {error}") from None
            raise Undeliverable(f"sendMessage: {error}") from None

    # -- start

    async def start(
        self, engine: Engine | None = None, webhook: tuple[str, str] | None = None
    ) -> None:
        """Wait for Zalo (`connect`), then set the webhook (url, secret) or delete any
        (polling and a webhook exclude each other)."""
        self.me = await self.connect()
        try:
            if webhook is None:
                await self._patiently("deleteWebhook", asyncio.sleep)
            else:
                url, secret = webhook
                await self._patiently(
                    "setWebhook", asyncio.sleep, {"url": url, "secret_token": secret}
                )
        except ApiError as error:
            raise StartError(
                N_("Zalo refuses the bot ({error}); check ZALO_BOT_TOKEN and ZALO_API_URL."),
                error=str(error),
            ) from None
        log.info("Zalo bot %s ready", (self.me or {}).get("account_name") or "")

    async def connect(self, *, sleep: Callable[[float], Any] = asyncio.sleep) -> dict[str, Any]:
        """The bot's own account (getMe), once Zalo answers.

        While Zalo cannot be reached (network, time-outs, 5xx, 429) tries again after 1, 2,
        4 ... seconds, at most CONNECT_MAX_DELAY apart (429: after its retry_after), one
        WARNING line per failure. A refused token (401, 403) raises StartError, as does any
        other refusal (a wrong ZALO_API_URL)."""
        try:
            return await self._patiently("getMe", sleep) or {}
        except ApiError as error:
            if error.code in (401, 403):
                raise StartError(
                    N_(
                        "Zalo refuses ZALO_BOT_TOKEN ({error}): the token is wrong or was "
                        "revoked; Zalo Bot Creator, in the Zalo app, gives the right one."
                    ),
                    error=str(error),
                ) from None
            raise StartError(
                N_("Zalo refuses the bot ({error}); check ZALO_BOT_TOKEN and ZALO_API_URL."),
                error=str(error),
            ) from None

    async def _patiently(
        self, method: str, sleep: Callable[[float], Any], params: dict[str, Any] | None = None
    ) -> Any:
        return await patiently(
            lambda: self.client.call(method, params),
            name=f"Zalo ({method})",
            log=log,
            transient=(Unreachable, RetryLater),
            retry_after=lambda e: e.retry_after if isinstance(e, RetryLater) else None,
            first_delay=CONNECT_FIRST_DELAY,
            max_delay=CONNECT_MAX_DELAY,
            sleep=sleep,
        )

    # -- in

    async def serve(self, inbox: Inbox, *, sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        """Long-poll getUpdates until cancelled, handling each poll's updates before the
        next poll. A revoked token (401) ends it with `Unauthorized`."""
        delay = CONNECT_FIRST_DELAY
        while True:
            try:
                update = await self.client.call(
                    "getUpdates",
                    {"timeout": self.poll_timeout},
                    timeout=self.poll_timeout + CALL_TIMEOUT,
                )
            except ApiError as error:
                if error.code == 408:  # nothing new within the timeout
                    delay = CONNECT_FIRST_DELAY
                    continue
                if error.code in (401, 403):
                    raise Unauthorized(f"getUpdates: {error}") from None
                # 400 or 409: a webhook is set (it excludes polling), or another poller
                log.warning("getUpdates refused (%s); deleting any webhook", error)
                try:
                    await self.client.call("deleteWebhook")
                except (ApiError, Unreachable, RetryLater) as again:
                    log.warning("deleteWebhook failed: %s", again)
                await sleep(min(delay, CONNECT_MAX_DELAY))
                delay = min(delay * 2, CONNECT_MAX_DELAY)
                continue
            except (Unreachable, RetryLater) as error:
                wait = min(delay, CONNECT_MAX_DELAY)
                if isinstance(error, RetryLater):
                    wait = max(wait, error.retry_after)
                log.warning("Zalo cannot be reached (%s); polling again in %g s", error, wait)
                await sleep(wait)
                delay = min(delay * 2, CONNECT_MAX_DELAY)
                continue
            delay = CONNECT_FIRST_DELAY
            if not update:  # an idle poll answered ok with nothing (not seen, but harmless)
                continue
            incomings = [
                self.incoming(one) for one in (update if isinstance(update, list) else [update])
            ]
            await inbox.run_all(
                (one.chat_id, _receiving(inbox, one)) for one in incomings if one is not None
            )

    async def feed(self, inbox: Inbox, data: Any) -> None:
        """One update of the webhook (bare or inside ``{"result": ...}``), in its chat's lane."""
        incoming = self.incoming(data)
        if incoming is not None:
            await inbox.run(incoming.chat_id, _receiving(inbox, incoming))

    def incoming(self, update: Any) -> Incoming | None:
        """The update as an `Incoming`; None for what is skipped (logged)."""
        if isinstance(update, dict) and isinstance(update.get("result"), dict):
            update = update["result"]  # a webhook's body
        if not isinstance(update, dict) or not isinstance(update.get("message"), dict):
            log.info("Zalo update without a message skipped")
            return None
        event = str(update.get("event_name") or "")
        message = update["message"]
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        message_id = str(message.get("message_id") or "")
        chat_id = str(chat.get("id") or "")
        user_id = str(sender.get("id") or chat_id)
        if not message_id or not chat_id:
            log.info("Zalo %s update without message or chat id skipped", event or "unnamed")
            return None
        if str(chat.get("chat_type") or PRIVATE).upper() != PRIVATE:
            log.info("Zalo message in a %s chat skipped: private chats only", chat["chat_type"])
            return None
        if message_id in self._seen:
            log.info("Zalo message %s delivered again, skipped", message_id)
            return None
        self._seen[message_id] = None
        while len(self._seen) > SEEN_MESSAGES:
            self._seen.popitem(last=False)
        if event == TEXT_EVENT:
            text = str(message.get("text") or "")
        else:  # an image, a sticker, an unsupported kind: answered as an empty message
            log.info("Zalo %s in chat %s answered as an empty message", event, chat_id)
            text = ""
        return Incoming(
            platform=PLATFORM,
            chat_id=chat_id,
            user_id=user_id,
            update_id=message_id,
            text=text,
            language=None,  # Zalo tells no language: the bot's default one
        )

    async def close(self) -> None:
        await self.client.close()


def _receiving(inbox: Inbox, incoming: Incoming) -> Callable[[], Any]:
    return lambda: inbox.receive(incoming)
