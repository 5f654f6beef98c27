"""The monthly cycle's ledger (`cycle_step`: the steps carried out, one row each) and the
outbox's size, as the cycle asks them (the statements stay in storage/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import CycleStep, OutboxMessage


def steps_done(session: Session, organization_id: int, period_code: str) -> set[str]:
    """The names of the steps of the organization's period already carried out."""
    return set(
        session.exec(
            select(CycleStep.step).where(
                CycleStep.organization_id == organization_id,
                CycleStep.period_code == period_code,
            )
        ).all()
    )


def step_done(
    session: Session, organization_id: int, period_code: str, step: str
) -> CycleStep | None:
    """The ledger's row of one step of the organization's period, if it was carried out."""
    return session.exec(
        select(CycleStep).where(
            CycleStep.organization_id == organization_id,
            CycleStep.period_code == period_code,
            CycleStep.step == step,
        )
    ).first()


def outbox_count(session: Session) -> int:
    """How many messages the outbox holds, whatever their status."""
    return session.exec(select(func.count()).select_from(OutboxMessage)).one()


class StepRefused(Exception):
    """A step run by hand that cannot run now (the months' and the year's): an English
    msgid and its parameters."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class StepTaken(Exception):
    """Another process recorded the step first."""


def record_step(
    session: Session, organization_id: int, period_code: str, step: str, now: datetime
) -> None:
    """The step's row in the ledger, first thing in its transaction: a second runner fails
    here on the unique key (`StepTaken`) and leaves the step alone (every other error goes
    on up)."""
    session.add(
        CycleStep(organization_id=organization_id, period_code=period_code, step=step, done_at=now)
    )
    try:
        session.flush()
    except IntegrityError as error:
        raise StepTaken from error
