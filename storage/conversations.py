"""The state of a chat that the conversations keep between messages: where the
conversation stands, the wrong registration codes typed in it, and the updates already
handled (the statements stay in storage/)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.db import insert_if_absent
from storage.models import CodeAttempts, ConversationState, ProcessedUpdate


def conversation_state(session: Session, platform: str, chat_id: str) -> ConversationState | None:
    """Where the conversation in this chat stands, if it has begun."""
    return session.exec(
        select(ConversationState).where(
            ConversationState.platform == platform,
            ConversationState.chat_id == chat_id,
        )
    ).first()


def locked_code_attempts(session: Session, platform: str, chat_id: str) -> CodeAttempts:
    """The wrong registration codes typed in this chat (a row made at the first), locked
    until the transaction ends: wrong codes that two processes take from one chat at the
    same moment are counted one after the other, none lost (PostgreSQL: the row's lock;
    SQLite: the insert takes the database's write lock)."""
    values = {"platform": platform, "chat_id": chat_id, "failures": 0}
    insert_if_absent(session, CodeAttempts.__table__, values, ["platform", "chat_id"])
    return session.exec(
        select(CodeAttempts)
        .where(CodeAttempts.platform == platform, CodeAttempts.chat_id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def mark_processed(session: Session, platform: str, update_id: str, now: datetime) -> bool:
    """Record that the update is being handled; False when it was handled before. Flushes:
    a second process handling the same update at once fails here (IntegrityError)."""
    seen = session.exec(
        select(ProcessedUpdate.id).where(
            ProcessedUpdate.platform == platform, ProcessedUpdate.update_id == update_id
        )
    ).first()
    if seen is not None:
        return False
    session.add(ProcessedUpdate(platform=platform, update_id=update_id, processed_at=now))
    session.flush()
    return True
