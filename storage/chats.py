"""The chats of messengers without buttons: the numbered menu each was shown last."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.db import transaction
from storage.models import ChatMenu


def save_menus(
    engine: Engine, menus: Iterable[tuple[str, str, list[tuple[str, str]]]], now: datetime
) -> None:
    """Remember, for each (platform, chat id), the options (label, payload) just shown."""
    with transaction(engine) as session:
        for platform, chat_id, options in menus:
            row = session.exec(
                select(ChatMenu).where(ChatMenu.platform == platform, ChatMenu.chat_id == chat_id)
            ).first()
            if row is None:
                row = ChatMenu(platform=platform, chat_id=chat_id)
            row.options = [list(option) for option in options]
            row.shown_at = now
            session.add(row)


def menu_of(session: Session, platform: str, chat_id: str) -> list[tuple[str, str]]:
    """The options (label, payload) last shown in the chat; empty when none."""
    row = session.exec(
        select(ChatMenu).where(ChatMenu.platform == platform, ChatMenu.chat_id == chat_id)
    ).first()
    return [] if row is None else [(label, payload) for label, payload in row.options]
