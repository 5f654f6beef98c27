"""The entry point of every conversation: one incoming event in, replies out.

Each event is handled in one database transaction: the answer it records, the
conversation's new state and the mark that the update was processed are committed
together, so a crash loses no confirmed answer and a redelivered update is ignored.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from handlers import (
    assessment,
    assign,
    conclusions,
    forms,
    menu,
    messengers,
    plan,
    registration,
    result,
    review,
    status,
    year,
)
from handlers.context import Context
from handlers.events import Incoming, Reply, replies_to_payload
from locales import SUPPORTED_LOCALES
from storage.conversations import mark_processed
from storage.db import transaction
from storage.outbox import enqueue
from storage.queries import person_of

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # longer messages are refused politely: no field needs more

# Commands, each starting its conversation afresh.
COMMANDS: dict[str, Callable[[Context], list[Reply]]] = {
    "/menu": menu.show,
    "/help": menu.help,
    "/lang": menu.language,
    "/plan": plan.start,
    "/assess": assessment.start,
    "/result": result.show,
    "/review": review.show_next,
    "/assign": assign.start,
    "/status": status.show,
    "/conclusions": conclusions.start,
    "/link": messengers.show,
    "/year": year.show,
    "/forms": forms.show,
    "/phieu": forms.show,  # the same in Vietnamese: phiếu
}
# Button payloads start with the flow's prefix: "as:...", "pl:...".
FLOWS = {
    menu.PREFIX: menu,
    plan.PREFIX: plan,
    assign.PREFIX: assign,
    assessment.PREFIX: assessment,
    result.PREFIX: result,
    review.PREFIX: review,
    conclusions.PREFIX: conclusions,
    messengers.PREFIX: messengers,
    year.PREFIX: year,
}


@dataclass(frozen=True)
class ChatSettings:
    """What the conversations need of the bot's configuration."""

    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    default_language: str = "vi"


def handle(
    engine: Engine,
    incoming: Incoming,
    settings: ChatSettings | None = None,
    now: datetime | None = None,
    *,
    outbox: bool = False,
) -> list[Reply]:
    """Handle one event exactly once and return the replies for the adapter to send.

    With `outbox`, the replies are written to the outbox in the same transaction as the
    answer they confirm (the messenger's sender delivers them, retrying, in the chat's
    order): a crash or a refused call loses none. Then only what could not be written
    there is returned, for the adapter to send itself.

    A failure rolls everything back and answers that nothing was saved: the person is
    never left without an answer, and the error is logged with its traceback.
    """
    now = now or datetime.now(UTC)
    settings = settings or ChatSettings()
    try:
        with transaction(engine) as session:
            if incoming.update_id is not None and not mark_processed(
                session, incoming.platform, incoming.update_id, now
            ):
                log.info("update %s already handled", incoming.update_id)
                return []
            ctx = Context.load(session, incoming, now, settings.timezone, settings.default_language)
            if ctx.identity is not None:  # flushed before any answer that says where notices go
                ctx.identity.last_seen_at = now
            replies = route(ctx)
            ctx.save()
            if outbox and replies:
                person_id = ctx.person.id if ctx.person else None
                _to_outbox(session, incoming, replies, person_id, ctx.language)
                return []
            return replies
    except Exception:
        log.exception(
            "%s update %s of chat %s failed; rolled back",
            incoming.platform,
            incoming.update_id,
            incoming.chat_id,
        )
        failed_language = _language(engine, incoming, settings)
        failed = [menu.failed(failed_language)]
        if outbox:
            try:
                with transaction(engine) as session:
                    _to_outbox(session, incoming, failed, None, failed_language)
                return []
            except Exception:  # the database itself failed: the adapter sends it
                log.exception("the failure message could not be written to the outbox")
        return failed


def _to_outbox(
    session: Session, incoming: Incoming, replies: list[Reply], person_id, language: str
) -> None:
    """The replies as one outbox row (an edit names the message whose button was pressed)."""
    payload = replies_to_payload(replies, language)
    if incoming.message_id is not None:
        payload["message_id"] = incoming.message_id
    update = incoming.update_id or uuid.uuid4().hex
    enqueue(
        session,
        key=f"reply:{incoming.platform}:{incoming.chat_id}:{update}",
        kind="reply",
        platform=incoming.platform,
        chat_id=incoming.chat_id,
        payload=payload,
        person_id=person_id,
    )


def _language(engine: Engine, incoming: Incoming, settings: ChatSettings) -> str:
    """The language to say that something failed in: the person's, else the client's."""
    try:
        with Session(engine) as session:
            person = person_of(session, incoming.platform, incoming.user_id)
            if person is not None:
                return person.language
    except Exception:  # the database itself may be what failed
        log.debug("no language for the failure message", exc_info=True)
    hint = (incoming.language or "")[:2]
    return hint if hint in SUPPORTED_LOCALES else settings.default_language


def route(ctx: Context) -> list[Reply]:
    incoming = ctx.incoming
    text = (incoming.text or "").strip()
    if len(text) > MAX_TEXT:
        return [menu.too_long(ctx, MAX_TEXT)]
    if text.startswith("/"):
        command, _, argument = text.partition(" ")
        command = command.split("@", 1)[0].lower()  # "/start@danhgia_bot" in groups
        if command == "/start":
            return registration.start(ctx, argument.strip())
        if ctx.person is None:
            return registration.stranger(ctx)
        if command in COMMANDS:
            ctx.go(None)
            return COMMANDS[command](ctx)
        return [menu.unknown_command(ctx)]
    if ctx.person is None:
        return registration.stranger(ctx)
    if incoming.payload is not None:
        flow = FLOWS.get(incoming.payload.split(":", 1)[0])
        if flow is None:
            return [menu.not_understood(ctx)]
        return flow.on_button(ctx, incoming.payload.split(":")[1:])
    flow = FLOWS.get(ctx.state.flow or "")
    if flow is None:
        return [menu.not_understood(ctx)] if not text else menu.show(ctx)
    return flow.on_text(ctx, text)  # an empty text (a photo, a sticker) asks again
