"""The outbox table's protocol: rows written once per key, claimed in order, marked.

What is sent lives in the row's payload (the replies as JSON, `handlers.events`); who
sends it, at what pace and with which retries is the sender's business (delivery/sender.py).
These functions are the only SQL on the table.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, exists, func, select, tuple_, update
from sqlmodel import Session

from storage.db import insert_if_absent
from storage.models import OutboxMessage, OutboxStatus, Person, utcnow

OUTBOX = OutboxMessage.__table__
PERSON = Person.__table__


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    platform: str,
    chat_id: str | int,
    payload: dict[str, Any],
    person_id: int | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Write one outbox row; False (and nothing written) if `key` is already there.

    Runs in the caller's transaction (commit it). Concurrent writers of the same key
    never fail: ``INSERT ... ON CONFLICT (key) DO NOTHING``.
    """
    now = utcnow()
    if not_before is not None and not_before.utcoffset() is None:
        raise ValueError("not_before must be an aware datetime (UTC)")
    values = {
        "key": key,
        "kind": kind,
        "person_id": person_id,
        "platform": platform,
        "chat_id": str(chat_id),
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "not_before": now if not_before is None else not_before,
        "attempts": 0,
        "last_error": None,
        "created_at": now,
        "sent_at": None,
    }
    return insert_if_absent(session, OUTBOX, values, ["key"])


def claim(
    engine: Engine,
    limit: int,
    now: datetime,
    *,
    exclude: tuple[tuple[str, str], ...] = (),
    platforms: tuple[str, ...] | None = None,
    chat_id: str | None = None,
    lease: float = 0.0,
) -> list[Any]:
    """The next due rows (id, platform, chat_id, payload, attempts), by id, but none of
    the chats in `exclude` (being sent to, or with marks not yet written) nor of a chat
    whose earlier pending row is not due (quiet hours, a retry's backoff, a lease of
    another sender). On PostgreSQL the rows are locked (``FOR UPDATE SKIP LOCKED``) and,
    with a `lease`, pushed that many seconds ahead so that other senders leave them."""
    earlier = OUTBOX.alias("earlier")
    held = exists().where(
        earlier.c.platform == OUTBOX.c.platform,
        earlier.c.chat_id == OUTBOX.c.chat_id,
        earlier.c.status == OutboxStatus.PENDING,
        earlier.c.id < OUTBOX.c.id,
        earlier.c.not_before > now,
    )
    statement = select(
        OUTBOX.c.id, OUTBOX.c.platform, OUTBOX.c.chat_id, OUTBOX.c.payload, OUTBOX.c.attempts
    ).where(OUTBOX.c.status == OutboxStatus.PENDING, OUTBOX.c.not_before <= now, ~held)
    if platforms is not None:
        statement = statement.where(OUTBOX.c.platform.in_(platforms))
    if chat_id is not None:
        statement = statement.where(OUTBOX.c.chat_id == chat_id)
    if exclude:
        statement = statement.where(tuple_(OUTBOX.c.platform, OUTBOX.c.chat_id).not_in(exclude))
    statement = statement.order_by(OUTBOX.c.id).limit(limit)
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        statement = statement.with_for_update(skip_locked=True, of=OUTBOX)
    with engine.begin() as connection:
        rows = connection.execute(statement).all()
        if rows and lease > 0:
            connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_([row.id for row in rows]))
                .values(not_before=now + timedelta(seconds=lease))
            )
    return rows


def write_marks(engine: Engine, marks: list[tuple[str, dict[str, Any]]]) -> None:
    """Record what the sender did, in one transaction: ("retry", {b_id, b_attempts,
    b_last_error, b_not_before}), ("sent", {b_id, b_attempts, b_sent_at}), ("failed",
    {b_id, b_attempts, b_last_error}). Only pending rows change."""
    by_kind: dict[str, list[dict[str, Any]]] = {"retry": [], "sent": [], "failed": []}
    for what, values in marks:
        by_kind[what].append(values)
    row = OUTBOX.c.id == bindparam("b_id")
    pending = OUTBOX.c.status == OutboxStatus.PENDING
    with engine.begin() as connection:
        if by_kind["retry"]:  # first: a row retried then sent in the same batch
            connection.execute(
                update(OUTBOX)
                .where(row, pending)
                .values(
                    attempts=bindparam("b_attempts"),
                    last_error=bindparam("b_last_error"),
                    not_before=bindparam("b_not_before"),
                ),
                by_kind["retry"],
            )
        if by_kind["sent"]:
            connection.execute(
                update(OUTBOX)
                .where(row, pending)
                .values(
                    status=OutboxStatus.SENT,
                    attempts=bindparam("b_attempts"),
                    sent_at=bindparam("b_sent_at"),
                ),
                by_kind["sent"],
            )
        if by_kind["failed"]:
            connection.execute(
                update(OUTBOX)
                .where(row, pending)
                .values(
                    status=OutboxStatus.FAILED,
                    attempts=bindparam("b_attempts"),
                    last_error=bindparam("b_last_error"),
                ),
                by_kind["failed"],
            )


def summary(session: Session, organization_id: int | None) -> dict[tuple[str, str], int]:
    """Rows by (kind, status) — of one organization's people, or all."""
    statement = select(OUTBOX.c.kind, OUTBOX.c.status, func.count()).group_by(
        OUTBOX.c.kind, OUTBOX.c.status
    )
    if organization_id is not None:
        statement = statement.join(PERSON, PERSON.c.id == OUTBOX.c.person_id).where(
            PERSON.c.organization_id == organization_id
        )
    return {
        (kind, OutboxStatus(status).value): count
        for kind, status, count in session.exec(statement).all()
    }


def failures(session: Session, organization_id: int | None, limit: int) -> list[Any]:
    """The latest failed rows (kind, platform, attempts, last_error, full_name)."""
    statement = (
        select(
            OUTBOX.c.kind,
            OUTBOX.c.platform,
            OUTBOX.c.attempts,
            OUTBOX.c.last_error,
            PERSON.c.full_name,
        )
        .outerjoin(PERSON, PERSON.c.id == OUTBOX.c.person_id)
        .where(OUTBOX.c.status == OutboxStatus.FAILED)
        .order_by(OUTBOX.c.id.desc())
        .limit(limit)
    )
    if organization_id is not None:
        statement = statement.where(PERSON.c.organization_id == organization_id)
    return list(session.exec(statement).all())
