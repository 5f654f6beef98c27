"""A local fake Zalo Bot Platform API server for the test suite.

It listens on ``127.0.0.1`` on a free port and answers the way the Zalo Bot API is known
to answer (/work/shared/zalo/README.md), so that the real adapter (`bot.zalo`) can be
pointed at it::

    async def test_hello(fake_zalo):          # the fixture below
        fake_zalo.send_text("e4ea2cd5189df1c3a88c", "/start K7M3P9QX")
        ...  # run the adapter with ZALO_API_URL=fake_zalo.base_url, token fake_zalo.token
        await fake_zalo.wait_for_call("sendMessage")
        assert "Chào mừng" in fake_zalo.last("e4ea2cd5189df1c3a88c")["text"]

Route: ``POST {base_url}/bot{TOKEN}/{method}`` with a JSON body; every answer is the
envelope ``{"ok", "result"}`` or ``{"ok": false, "error_code", "description"}``.

What it enforces (a refused call is recorded in ``rejected``)
------------------------------------------------------------
* a wrong token: 401; an unknown method (names are case-sensitive): 404; not a POST, or
  a body that is not a JSON object: 400;
* ``sendMessage``: ``chat_id`` a non-empty string (ids are hex strings), ``text`` of 1 to
  2,000 characters (longer is refused, not cut);
* ``reply_markup`` in any call: 400 (Zalo has no buttons); ``sendPhoto``'s ``photo`` is a
  URL (no uploads);
* ``getUpdates``: one update per call (the ``result`` is the update, not a list), no
  ``update_id`` and no offset (an update returned is gone, unless `replay`ed); a long poll
  with nothing to deliver ends with error 408 after its ``timeout`` (capped at
  ``max_poll_wait`` seconds, to keep tests short); a second poll while one runs: 409;
  while a webhook is set: 400 (webhook and polling exclude each other);
* ``setWebhook``: an HTTPS ``url`` (or http://127.0.0.1:..., a test's bot) and a
  ``secret_token`` of 8 to 256 characters.

Refusals come, like the live API is reported to send them, as HTTP 200 with ``ok:
false`` (``refusals_as_http_200``, default True); with False, the HTTP status is the
error code. Injected failures (`fail_next`) use the HTTP status given (429, 5xx).

The test drives the person with `send_text` / `send_event` / `replay`, reads `sent` /
`last` / `calls` / `rejected`, waits with `wait_for_call` / `wait_until_idle`, and makes
calls fail with `fail_next`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio
from aiohttp import web

__all__ = ["DEFAULT_TOKEN", "TEXT_MAX", "Call", "FakeZalo", "fake_zalo_fixture"]

DEFAULT_TOKEN = "1234567890:zalo-test-secret-AbCdEf"
TEXT_MAX = 2000
TEXT_EVENT = "message.text.received"
METHODS = (
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendPhoto",
    "sendSticker",
    "sendChatAction",
)


@dataclass(frozen=True)
class Call:
    """A call, accepted or refused (``status`` 0 when accepted, else its error code)."""

    method: str
    params: dict[str, Any]
    status: int = 0
    description: str = ""
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass
class _Failure:
    method: str | None  # None: any method but getUpdates
    status: int
    remaining: int
    retry_after: float | None
    description: str


class _Refused(Exception):
    def __init__(self, code: int, description: str, **extra: Any) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.extra = extra


def _hex_id() -> str:
    return secrets.token_hex(10)


@dataclass
class FakeZalo:
    token: str = DEFAULT_TOKEN
    max_poll_wait: float = 1.0  # seconds a long poll waits at most, whatever it asks
    refusals_as_http_200: bool = True
    bot_name: str = "danhgia.bot"
    calls: list[Call] = field(default_factory=list)
    webhook: dict[str, str] | None = None
    base_url: str = ""

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._sent: dict[str, list[dict[str, Any]]] = {}
        self._failures: list[_Failure] = []
        self._arrived = asyncio.Event()
        self._changed = asyncio.Event()
        self._polling = False
        self._dates = itertools.count(int(time.time() * 1000))
        self._runner: web.AppRunner | None = None

    # -- the server

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _serve(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            if request.match_info["token"] != self.token:
                raise _Refused(401, "Unauthorized")
            if method not in METHODS:
                raise _Refused(404, "Not Found: method not found")
            if request.method != "POST":
                raise _Refused(400, "Bad Request: use POST with a JSON body")
            raw = await request.read()
            try:
                params = json.loads(raw) if raw else {}
            except ValueError:
                raise _Refused(400, "Bad Request: the body is not JSON") from None
            if not isinstance(params, dict):
                raise _Refused(400, "Bad Request: the body is not a JSON object")
            failure = self._failure_for(method)
            if failure is not None:
                return self._failed(method, params, failure)
            if "reply_markup" in params:
                raise _Refused(400, "Bad Request: reply_markup is not supported")
            result = await getattr(self, f"_{method}")(params)
        except _Refused as refusal:
            return self._refuse(method, params, refusal)
        self._record(Call(method, params, result=result))
        return web.json_response({"ok": True, "result": result})

    def _refuse(self, method: str, params: dict[str, Any], refusal: _Refused) -> web.Response:
        self._record(Call(method, params, refusal.code, refusal.description))
        body = {"ok": False, "error_code": refusal.code, "description": refusal.description}
        body.update(refusal.extra)
        # a wrong token and an unknown method are refused by the web server, in HTTP
        in_http = not self.refusals_as_http_200 or refusal.code in (401, 404)
        return web.json_response(body, status=refusal.code if in_http else 200)

    def _failed(self, method: str, params: dict[str, Any], failure: _Failure) -> web.Response:
        self._record(Call(method, params, failure.status, failure.description))
        body: dict[str, Any] = {
            "ok": False,
            "error_code": failure.status,
            "description": failure.description,
        }
        if failure.retry_after is not None:
            body["parameters"] = {"retry_after": failure.retry_after}
        return web.json_response(body, status=failure.status)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    # -- methods

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.token.split(":", 1)[0],
            "account_name": self.bot_name,
            "account_type": "BASIC",
            "can_join_groups": False,
            "display_name": "Đánh giá cán bộ (thử)",
        }

    async def _getUpdates(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook is not None:
            raise _Refused(400, "Bad Request: a webhook is set; delete it to use getUpdates")
        if self._polling:
            raise _Refused(409, "Conflict: another getUpdates request is running")
        wait = params.get("timeout", 30)
        if not isinstance(wait, int | float) or isinstance(wait, bool) or wait < 0:
            raise _Refused(400, "Bad Request: timeout must be a number of seconds")
        deadline = time.monotonic() + min(float(wait), self.max_poll_wait)
        self._polling = True
        try:
            while not self._updates:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Refused(408, "Request timeout")
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(left):
                        await self._arrived.wait()
            return self._updates.pop(0)  # one update per call, gone once given
        finally:
            self._polling = False

    async def _setWebhook(self, params: dict[str, Any]) -> bool:
        url, secret = params.get("url"), params.get("secret_token")
        loopback = isinstance(url, str) and url.startswith("http://127.0.0.1:")  # tests' bots
        if not isinstance(url, str) or not (url.startswith("https://") or loopback):
            raise _Refused(400, "Bad Request: url must be HTTPS")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise _Refused(400, "Bad Request: secret_token must have 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        return True

    async def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": (self.webhook or {}).get("url", ""), "updated_at": 0}

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _Refused(400, "Bad Request: text is empty")
        if len(text) > TEXT_MAX:
            raise _Refused(400, f"Bad Request: text is longer than {TEXT_MAX} characters")
        return self._keep(chat_id, {"text": text})

    async def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("https://", "http://")):
            raise _Refused(400, "Bad Request: photo must be a URL")
        caption = params.get("caption", "")
        if not isinstance(caption, str) or len(caption) > TEXT_MAX:
            raise _Refused(400, "Bad Request: caption is too long")
        return self._keep(chat_id, {"photo": photo, "caption": caption})

    async def _sendSticker(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        if not isinstance(params.get("sticker"), str):
            raise _Refused(400, "Bad Request: sticker is required")
        return self._keep(chat_id, {"sticker": params["sticker"]})

    async def _sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") != "typing":
            raise _Refused(400, "Bad Request: action must be typing")
        return True

    def _chat(self, params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise _Refused(400, "Bad Request: chat_id must be a string id")
        return chat_id

    def _keep(self, chat_id: str, content: dict[str, Any]) -> dict[str, Any]:
        message = {"message_id": _hex_id(), "date": next(self._dates), **content}
        self._sent.setdefault(chat_id, []).append(message)
        return {"message_id": message["message_id"], "date": message["date"]}

    def _failure_for(self, method: str) -> _Failure | None:
        for failure in self._failures:
            matches = failure.method == method or (
                failure.method is None and method != "getUpdates"
            )
            if matches and failure.remaining > 0:
                failure.remaining -= 1
                if not failure.remaining:
                    self._failures.remove(failure)
                return failure
        return None

    # -- the test's side

    def send_text(
        self, chat_id: str | None, text: str, *, display_name: str = "Nguyễn Văn A"
    ) -> dict[str, Any]:
        """The person `chat_id` (a new hex id when None) writes `text`; the update."""
        return self.send_event(TEXT_EVENT, chat_id, text=text, display_name=display_name)

    def send_event(
        self,
        event_name: str,
        chat_id: str | None,
        *,
        chat_type: str = "PRIVATE",
        display_name: str = "Nguyễn Văn A",
        **message: Any,
    ) -> dict[str, Any]:
        """An update of any kind ("message.image.received", ...) queued for getUpdates."""
        chat_id = chat_id or _hex_id()
        update = {
            "event_name": event_name,
            "message": {
                "message_id": _hex_id(),
                "date": next(self._dates),
                "chat": {"id": chat_id, "chat_type": chat_type},
                "from": {"id": chat_id, "display_name": display_name},
                **message,
            },
        }
        return self.replay(update)

    def replay(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue `update` (again: Zalo may deliver a message twice)."""
        self._updates.append(update)
        self._arrived.set()
        return update

    def fail_next(
        self,
        method: str | None = "sendMessage",
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float | None = None,
        description: str = "",
    ) -> None:
        """The next `times` calls of `method` (None: of any method but getUpdates) fail
        with HTTP `status` (and ``parameters.retry_after`` when given)."""
        text = description or {429: "Too Many Requests"}.get(status, "Internal Server Error")
        self._failures.append(_Failure(method, status, times, retry_after, text))

    @property
    def pending(self) -> int:
        """Updates not yet fetched."""
        return len(self._updates)

    @property
    def rejected(self) -> list[Call]:
        return [c for c in self.calls if not c.ok]

    def sent(self, chat_id: str) -> list[dict[str, Any]]:
        return list(self._sent.get(chat_id, []))

    def last(self, chat_id: str) -> dict[str, Any]:
        return self._sent[chat_id][-1]

    def assert_no_rejections(self, *, allowed: tuple[int, ...] = (408,)) -> None:
        """No call was refused, but the idle long polls (408) and `fail_next`'s."""
        refused = [
            c
            for c in self.rejected
            if c.status not in allowed and c.status != 429 and c.status < 500
        ]
        assert not refused, f"calls refused: {refused}"

    async def wait_for_call(
        self,
        what: str | Callable[[Call], bool],
        *,
        timeout: float = 10.0,
        since: int = 0,
        accepted: bool = True,
    ) -> Call:
        """The first call from index `since` on that is `what` (a method name, or a
        predicate), accepted unless `accepted` is False; waits for it."""
        matches = what if callable(what) else (lambda call: call.method == what)
        async with asyncio.timeout(timeout):
            while True:
                for call in self.calls[since:]:
                    if matches(call) and (call.ok or not accepted):
                        return call
                self._changed.clear()
                await self._changed.wait()

    async def wait_until_idle(self, *, timeout: float = 10.0, quiet: float = 0.3) -> None:
        """Wait until no update is pending and `quiet` seconds pass without a call other
        than getUpdates."""
        async with asyncio.timeout(timeout):
            while True:
                count = len([c for c in self.calls if c.method != "getUpdates"])
                await asyncio.sleep(quiet)
                now = len([c for c in self.calls if c.method != "getUpdates"])
                if now == count and not self._updates:
                    return


@pytest_asyncio.fixture(name="fake_zalo")
async def fake_zalo_fixture() -> AsyncIterator[FakeZalo]:
    """A started FakeZalo (default token, long polls of at most a second), stopped after."""
    server = FakeZalo()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
