"""The state of a chat that the conversations keep between messages: who writes in it
and where the conversation stands (read together, first thing in every update), the
wrong registration codes typed in it, and the updates already handled (the statements
stay in storage/)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, join, literal
from sqlmodel import Session, col, select

from storage.db import insert_once
from storage.models import (
    CodeAttempts,
    ConversationState,
    Identity,
    Organization,
    Person,
    ProcessedUpdate,
)


class ChatContext(NamedTuple):
    """What every update needs first: the chat account and its active person with the
    organization (None each for a stranger), and where the conversation stands (None
    before it has begun)."""

    identity: Identity | None
    person: Person | None
    organization: Organization | None
    state: ConversationState | None


def chat_context(session: Session, platform: str, user_id: str, chat_id: str) -> ChatContext:
    """The chat's context in one statement: both lookups are outer joins on one row, so
    a stranger's state and a person's empty conversation come back alike."""
    one = select(literal(1).label("one")).subquery()
    account = join(Identity, Person, col(Identity.person_id) == col(Person.id)).join(
        Organization, col(Organization.id) == col(Person.organization_id)
    )
    row = session.exec(
        select(Identity, Person, Organization, ConversationState)
        .select_from(one)
        .outerjoin(
            account,
            and_(Identity.platform == platform, Identity.user_id == user_id, Person.active),
        )
        .outerjoin(
            ConversationState,
            and_(ConversationState.platform == platform, ConversationState.chat_id == chat_id),
        )
    ).one()
    return ChatContext(*row)


def locked_code_attempts(session: Session, platform: str, chat_id: str) -> CodeAttempts:
    """The wrong registration codes typed in this chat (a row made at the first), locked
    until the transaction ends: wrong codes that two processes take from one chat at the
    same moment are counted one after the other, none lost (PostgreSQL: the row's lock;
    SQLite: the insert takes the database's write lock)."""
    values = {"platform": platform, "chat_id": chat_id, "failures": 0}
    insert_once(session, CodeAttempts.__table__, values, ["platform", "chat_id"])
    return session.exec(
        select(CodeAttempts)
        .where(CodeAttempts.platform == platform, CodeAttempts.chat_id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def mark_processed(session: Session, platform: str, update_id: str, now: datetime) -> bool:
    """Record that the update is being handled; False when it was handled before (or by
    another process at the same time, which waits here until that one commits)."""
    values = {"platform": platform, "update_id": update_id, "processed_at": now}
    return insert_once(session, ProcessedUpdate.__table__, values, ["platform", "update_id"])
