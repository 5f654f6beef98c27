"""Leases: a job that only one process may do at a time, across the processes of one
database (the cycle's scheduler; the outbox sender of each messenger).

A lease is a row (name, holder, expires_at). `take` gets or renews it in one statement,
``INSERT ... ON CONFLICT (name) DO UPDATE ... WHERE`` the row is the caller's or has
expired, so two processes that try at once never both get it, on SQLite and on PostgreSQL
alike. A holder that dies stops renewing and another takes over when the lease expires,
or at once with `take_over` when it knows the holder has ended.
Times are the callers' clocks (UTC): keep the machines' clocks synchronised (NTP) to well
under the lease's length.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import transaction
from storage.models import Lease

LEASE = Lease.__table__


def take(engine: Engine, name: str, holder: str, seconds: float, now: datetime) -> bool:
    """Whether `holder` holds the lease `name` for `seconds` from `now`: taken if free or
    expired, renewed if already its own; False if another holder's has not expired."""
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    expires_at = now + timedelta(seconds=seconds)
    statement = insert(LEASE).values(name=name, holder=holder, expires_at=expires_at)
    statement = statement.on_conflict_do_update(
        index_elements=[LEASE.c.name],
        set_={"holder": holder, "expires_at": expires_at},
        where=(LEASE.c.holder == holder) | (LEASE.c.expires_at <= now),
    ).returning(LEASE.c.holder)
    with transaction(engine) as session:
        return session.execute(statement).scalar_one_or_none() == holder


def take_over(
    engine: Engine, name: str, old: str, holder: str, seconds: float, now: datetime
) -> bool:
    """Take the lease `name` from `old`, known to have ended, whatever its expiry; False
    if meanwhile another took it."""
    with transaction(engine) as session:
        result = session.execute(
            update(LEASE)
            .where(LEASE.c.name == name, LEASE.c.holder == old)
            .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
            .returning(LEASE.c.holder)
        )
        return result.scalar_one_or_none() == holder


def give_up(engine: Engine, name: str, holder: str) -> None:
    """Release the lease `name` if `holder` holds it, so another process takes over at
    once instead of when it expires."""
    with transaction(engine) as session:
        session.execute(delete(LEASE).where(LEASE.c.name == name, LEASE.c.holder == holder))


def holders(engine: Engine) -> dict[str, tuple[str, datetime]]:
    """Every lease: name -> (holder, expires_at)."""
    with transaction(engine) as session:
        rows = session.execute(select(LEASE.c.name, LEASE.c.holder, LEASE.c.expires_at))
        return {name: (holder, expires) for name, holder, expires in rows}
