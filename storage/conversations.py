"""The state of a chat that the conversations keep between messages: where the
conversation stands, and the wrong registration codes typed in it (the statements stay in
storage/)."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import CodeAttempts, ConversationState


def conversation_state(session: Session, platform: str, chat_id: str) -> ConversationState | None:
    """Where the conversation in this chat stands, if it has begun."""
    return session.exec(
        select(ConversationState).where(
            ConversationState.platform == platform,
            ConversationState.chat_id == chat_id,
        )
    ).first()


def code_attempts(session: Session, platform: str, chat_id: str) -> CodeAttempts | None:
    """The wrong registration codes typed in this chat, if any was."""
    return session.exec(
        select(CodeAttempts).where(
            CodeAttempts.platform == platform,
            CodeAttempts.chat_id == chat_id,
        )
    ).first()
