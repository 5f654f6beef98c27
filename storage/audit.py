"""The audit log: every change of a score or a level, and every reviewer's decision, with
who made it and why (`AuditLog`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.models import AuditLog


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
    if before == after and not decision:
        return
    entry = AuditLog(
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        field=field,
        before=before,
        after=after,
        reason=reason,
    )
    if at is not None:
        entry.at = at
    session.add(entry)
