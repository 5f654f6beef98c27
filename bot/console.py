"""A chat in the terminal, acting as any person of the database: the same conversations,
for trials and training without a messenger. Buttons are numbered; type the number to
press one, or type a message as you would in the chat."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import Engine

import storage.outbox
from handlers.dispatcher import ChatSettings, handle
from handlers.events import Button, Incoming, Reply, payload_to_replies
from locales import translations
from storage.db import transaction
from storage.models import Identity, Person
from storage.people import identity_of, person_by_code

PLATFORM = "console"


def find_person(engine: Engine, code: str) -> Person | None:
    with transaction(engine) as session:
        return person_by_code(session, code)


def bind(engine: Engine, person: Person) -> str:
    """Register the console as the person's chat (whoever runs it has the database)."""
    chat_id = f"console-{person.id}"
    with transaction(engine) as session:
        found = identity_of(session, PLATFORM, chat_id)
        if found is None:
            session.add(
                Identity(person_id=person.id, platform=PLATFORM, user_id=chat_id, chat_id=chat_id)
            )
    return chat_id


def run(
    engine: Engine,
    settings: ChatSettings,
    person: Person,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Chat until /quit or the end of `stdin`; `clock` gives the time (tests set it)."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout  # as they are now, not at import
    chat_id = bind(engine, person)
    _ = translations(person.language).gettext
    print(
        _(
            "Chat as {name} ({code}). Type a number to press a button, any other text to "
            "send it, /quit to leave."
        ).format(name=person.full_name, code=person.code),
        file=stdout,
    )
    buttons: list[Button] = []
    last_message = 0
    replies = _delivered(engine, chat_id, clock())
    replies += _exchange(engine, settings, clock(), chat_id, "/menu", None, None)
    buttons, last_message = _show(replies, stdout, last_message)
    while True:
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line or line.strip() in ("/quit", "/exit"):
            print(file=stdout)
            return
        text = line.rstrip("\n")
        choice = text.strip()
        payload = None
        if choice.isdigit() and 1 <= int(choice) <= len(buttons):
            payload = buttons[int(choice) - 1].payload
            text = None
        replies = _exchange(engine, settings, clock(), chat_id, text, payload, last_message)
        replies += _delivered(engine, chat_id, clock())
        buttons, last_message = _show(replies, stdout, last_message)


def _exchange(
    engine: Engine,
    settings: ChatSettings,
    now: datetime,
    chat_id: str,
    text: str | None,
    payload: str | None,
    message_id: int | None,
) -> list[Reply]:
    incoming = Incoming(
        platform=PLATFORM,
        chat_id=chat_id,
        user_id=chat_id,
        update_id=uuid.uuid4().hex,
        text=text,
        payload=payload,
        message_id=message_id,
    )
    return handle(engine, incoming, settings, now=now)


def _delivered(engine: Engine, chat_id: str, now: datetime) -> list[Reply]:
    """The messages the bot sent to this chat on its own (a reminder, a decision of a
    reviewer), taken from the outbox as a messenger's sender would take them."""
    rows = storage.outbox.claim(engine, 100, now, platforms=(PLATFORM,), chat_id=chat_id)
    storage.outbox.write_marks(
        engine, [("sent", {"b_id": row.id, "b_attempts": 1, "b_sent_at": now}) for row in rows]
    )
    return [reply for row in rows for reply in payload_to_replies(row.payload)]


def _show(replies: list[Reply], stdout: TextIO, last_message: int) -> tuple[list[Button], int]:
    buttons: list[Button] = []
    for item in replies:
        if item.commands is not None:
            continue  # a terminal has no command menu
        last_message += 1
        print(file=stdout)
        print(item.text, file=stdout)
        if item.document is not None:
            print(f"[{item.document.filename}]", file=stdout)
        for row in item.buttons:
            cells = []
            for button in row:
                buttons.append(button)
                cells.append(f"[{len(buttons)}] {button.label}")
            print("   ".join(cells), file=stdout)
    return buttons, last_message
