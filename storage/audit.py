"""The audit log: every change of a score or a level, and every reviewer's decision, with
who made it and why (`AuditLog`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import AuditLog, utcnow


def audit(
    session: Session,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    field: str,
    before: Any,
    after: Any,
    reason: str | None = None,
    at: datetime | None = None,
    decision: bool = False,
) -> None:
    """Record a change of a score or a level (nothing when the value is unchanged), or a
    reviewer's decision (`decision=True`: recorded even when it repeats the last one)."""
    entry = change(actor_id, entity, entity_id, field, before, after, reason, at, decision)
    if entry is not None:
        session.add(AuditLog(**entry))


def change(
    actor_id: int | None,
    entity: str,
    entity_id: int,
    field: str,
    before: Any,
    after: Any,
    reason: str | None = None,
    at: datetime | None = None,
    decision: bool = False,
) -> dict[str, Any] | None:
    """The audit row of a change (None when nothing changed and it is no decision), for
    `audit` or, many at once, `record`."""
    if before == after and not decision:
        return None
    return {
        "at": at or utcnow(),
        "actor_id": actor_id,
        "entity": entity,
        "entity_id": entity_id,
        "field": field,
        "before": before,
        "after": after,
        "reason": reason,
    }


def record(session: Session, entries: list[dict[str, Any] | None]) -> None:
    """Write many audit rows in one statement (a classification run audits every result)."""
    rows = [entry for entry in entries if entry is not None]
    if rows:
        session.execute(AuditLog.__table__.insert(), rows)  # plain rows, no ORM objects
