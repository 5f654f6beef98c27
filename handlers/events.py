"""What a conversation receives and returns: no messenger library is known here.

An adapter (Telegram, Zalo, the console) turns its update into an `Incoming` and sends
the `Reply`s back in its own way. Button payloads stay within Telegram's 64 bytes.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PAYLOAD_VERSION = 1


@dataclass(frozen=True, slots=True)
class Incoming:
    platform: str  # telegram, zalo, console
    chat_id: str
    user_id: str
    update_id: str | None = None  # for exactly-once handling of redelivered updates
    text: str | None = None  # a typed message
    payload: str | None = None  # a pressed button
    message_id: int | None = None  # the message whose button was pressed
    language: str | None = None  # the client's language, a hint for strangers


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to the chat; or, with `commands` (and no text), the instruction to set
    the chat's list of commands, which messengers that have one show in their menu."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    edit: bool = False  # replace the message whose button was pressed
    document: Document | None = None
    commands: tuple[tuple[str, str], ...] | None = None  # (command, description)


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes = field(repr=False)
    caption: str = ""


def replies_to_payload(
    replies: Reply | Sequence[Reply], language: str | None = None
) -> dict[str, Any]:
    """The JSON of an outbox row: the replies, document contents in base64, and the
    reader's language (for what the renderer adds, such as a numbered menu's hint)."""
    items = [replies] if isinstance(replies, Reply) else list(replies)
    if not items:
        raise ValueError("an outbox message needs at least one reply")
    out = []
    for reply in items:
        item: dict[str, Any] = {"text": reply.text}
        if reply.buttons:
            item["buttons"] = [
                [{"label": b.label, "payload": b.payload} for b in row] for row in reply.buttons
            ]
        if reply.edit:
            item["edit"] = True
        if reply.document is not None:
            item["document"] = {
                "filename": reply.document.filename,
                "content": base64.b64encode(reply.document.content).decode("ascii"),
                "caption": reply.document.caption,
            }
        if reply.commands is not None:
            item["commands"] = [list(pair) for pair in reply.commands]
        out.append(item)
    payload: dict[str, Any] = {"v": PAYLOAD_VERSION, "replies": out}
    if language is not None:
        payload["lang"] = language
    return payload


def payload_to_replies(payload: dict[str, Any]) -> list[Reply]:
    """The replies of an outbox row (the inverse of `replies_to_payload`)."""
    replies = []
    for item in payload["replies"]:
        document = None
        if item.get("document") is not None:
            doc = item["document"]
            document = Document(
                filename=doc["filename"],
                content=base64.b64decode(doc["content"]),
                caption=doc.get("caption", ""),
            )
        buttons = tuple(
            tuple(Button(b["label"], b["payload"]) for b in row) for row in item.get("buttons", ())
        )
        commands = item.get("commands")
        replies.append(
            Reply(
                text=item.get("text", ""),
                buttons=buttons,
                edit=bool(item.get("edit", False)),
                document=document,
                commands=None if commands is None else tuple(tuple(c) for c in commands),
            )
        )
    return replies
