"""What a conversation receives and returns: no messenger library is known here.

An adapter (Telegram, Zalo, the console) turns its update into an `Incoming` and sends
the `Reply`s back in its own way. Button payloads stay within Telegram's 64 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    edit: bool = False  # replace the message whose button was pressed
    document: Document | None = None


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes = field(repr=False)
    caption: str = ""
