"""Webhook mode: an aiohttp server that receives each messenger's updates.

``POST <path of WEBHOOK_URL>/<platform>``: the messenger's update. A request without the
secret in the messenger's header (`SECRET_HEADER` of the adapter: Telegram
``X-Telegram-Bot-Api-Secret-Token``, Zalo ``X-Bot-Api-Secret-Token``) is refused (401)
and changes nothing. The update is handled in its chat's lane (`delivery.inbound.Inbox`)
and answered 200 once it is (its answer and replies are committed), so the messenger
sends it again if the process dies first; the conversations' exactly-once store ignores
the second delivery, whichever worker gets it. An update not handled within
`ANSWER_WITHIN` seconds (an overloaded worker) is answered 503, so that the messenger
tries again later, and goes on being handled meanwhile.

``GET /health``: 200 when the database answers, 503 when it does not (for Docker's,
systemd's or a load balancer's health checks).

Several worker processes may listen on one port (``SO_REUSEPORT``, `bot.app.workers`);
the kernel spreads the connections among them.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import Engine

from bot.config import Settings
from delivery.inbound import Inbox
from storage.db import ping

log = logging.getLogger(__name__)
ANSWER_WITHIN = 20.0  # seconds; Telegram and Zalo wait longer for a webhook's answer
MAX_BODY = 1024 * 1024  # bytes: an update is a few kilobytes


def application(
    engine: Engine, settings: Settings, receivers: Mapping[str, tuple[Any, Inbox]]
) -> web.Application:
    """The routes: one per messenger (platform: its adapter and its inbox), and /health."""
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value().encode()
    base = urlsplit(settings.webhook_url).path.rstrip("/")
    pending: set[asyncio.Future[None]] = set()

    def receiver(adapter: Any, inbox: Inbox) -> Any:
        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(adapter.secret_header, "").encode()
            if not hmac.compare_digest(given, secret):
                log.warning("webhook %s: a request without the secret refused", request.path)
                return web.json_response({"ok": False}, status=401)
            try:
                data = json.loads(await request.read())
            except (ValueError, UnicodeDecodeError):
                return web.json_response({"ok": False, "description": "not JSON"}, status=400)
            work = asyncio.ensure_future(adapter.feed(inbox, data))
            pending.add(work)
            work.add_done_callback(pending.discard)
            done, _ = await asyncio.wait([work], timeout=ANSWER_WITHIN)
            if not done:
                log.warning("webhook %s: not handled within %g s", request.path, ANSWER_WITHIN)
                return web.json_response({"ok": False}, status=503)
            if work.exception() is not None:
                log.error("webhook %s: update failed", request.path, exc_info=work.exception())
                return web.json_response({"ok": False}, status=500)
            return web.json_response({"ok": True})

        return receive

    async def health(request: web.Request) -> web.Response:
        try:
            await asyncio.to_thread(ping, engine)
        except Exception as error:
            log.warning("health: the database does not answer (%s)", type(error).__name__)
            return web.json_response({"database": "unreachable"}, status=503)
        return web.json_response({"database": "ok"})

    async def finish(app: web.Application) -> None:
        for work in list(pending):
            work.cancel()  # not answered 200: the messenger sends it again

    app = web.Application(client_max_size=MAX_BODY)
    for platform, (adapter, inbox) in receivers.items():
        app.router.add_post(f"{base}/{platform}", receiver(adapter, inbox))
    app.router.add_get("/health", health)
    app.on_shutdown.append(finish)
    return app


async def serve(
    engine: Engine, settings: Settings, receivers: Mapping[str, tuple[Any, Inbox]]
) -> None:
    """Listen on WEBHOOK_LISTEN until cancelled."""
    runner = web.AppRunner(application(engine, settings, receivers), access_log=None)
    await runner.setup()
    host, port = settings.listen
    try:
        site = web.TCPSite(runner, host, port, reuse_port=True)
        await site.start()
        log.info("webhook: listening on %s:%d", host, port)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
