"""What every adapter does with a person's message, once it is an `Incoming`."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from delivery.messenger import Messenger
from delivery.render import choose, render
from handlers.dispatcher import ChatSettings, handle
from handlers.events import Button, Incoming
from locales import SUPPORTED_LOCALES
from storage.chats import menu_of

log = logging.getLogger(__name__)


async def receive(
    engine: Engine,
    messenger: Messenger,
    incoming: Incoming,
    settings: ChatSettings,
    wake: Callable[[], None],
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Handle `incoming` with its replies written to the outbox (the sender, woken, sends
    them); on a messenger without buttons, a typed answer to the menu last shown in the
    chat counts as the option pressed. What could not be written to the outbox (the
    database failed) is sent at once, without retries."""
    if incoming.text and not messenger.capabilities.buttons:
        incoming = await asyncio.to_thread(pressed, engine, incoming)
    now = clock() if clock else None
    unsent = await asyncio.to_thread(handle, engine, incoming, settings, now, outbox=True)
    wake()
    if not unsent:
        return
    hint = (incoming.language or "")[:2]
    language = hint if hint in SUPPORTED_LOCALES else settings.default_language
    for out in render(unsent, messenger.capabilities, language).outs:
        try:
            await messenger.send(incoming.chat_id, out, incoming.message_id)
        except Exception:
            log.exception("the failure message could not be sent to chat %s", incoming.chat_id)
            return


def pressed(engine: Engine, incoming: Incoming) -> Incoming:
    """The typed text as the option it picks from the chat's last menu, or as it is."""
    with Session(engine) as session:
        menu = [
            Button(label, payload)
            for label, payload in menu_of(session, incoming.platform, incoming.chat_id)
        ]
    option = choose(incoming.text or "", menu)
    if option is None:
        return incoming
    return dataclasses.replace(incoming, text=None, payload=option.payload)
