"""The queries about an organization's periods (months or quarters), the self-assessments
and the results in them, that the conversations, the monthly cycle and the admin commands
ask (the statements stay in storage/; the callers get rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from locales import name_sort_key
from storage.models import (
    AssessmentStatus,
    Period,
    PeriodStatus,
    Person,
    Result,
    Role,
    SelfAssessment,
    Task,
    Unit,
)


def period_by_code(session: Session, organization_id: int, code: str) -> Period | None:
    """The organization's period with this code ("2026-11", "2026-Q4"), if it has it."""
    return session.exec(
        select(Period).where(Period.organization_id == organization_id, Period.code == code)
    ).first()


def has_period(session: Session, organization_id: int, code: str) -> bool:
    """Whether the organization has the period with this code."""
    return (
        session.exec(
            select(Period.id).where(Period.organization_id == organization_id, Period.code == code)
        ).first()
        is not None
    )


def newest_period(session: Session, organization_id: int) -> Period | None:
    """The organization's latest period, whatever its status."""
    return session.exec(
        select(Period)
        .where(Period.organization_id == organization_id)
        .order_by(col(Period.code).desc())
    ).first()


def newest_period_in(session: Session, organization_id: int, status: PeriodStatus) -> Period | None:
    """The organization's latest period in `status`: CLOSED, the one being reviewed;
    PUBLISHED, the last whose results are out."""
    return session.exec(
        select(Period)
        .where(Period.organization_id == organization_id, Period.status == status)
        .order_by(col(Period.code).desc())
    ).first()


def period_codes_of_year(session: Session, organization_id: int, year: int) -> list[str]:
    """The codes of the organization's periods in `year` (months and quarters alike)."""
    return list(
        session.exec(
            select(Period.code).where(
                Period.organization_id == organization_id,
                col(Period.code).startswith(f"{year}-"),
            )
        ).all()
    )


def count_tasks(session: Session, period_id: int) -> int:
    """How many tasks the period's plans hold, everyone's."""
    return session.exec(
        select(func.count()).select_from(Task).where(Task.period_id == period_id)
    ).one()


def assessments_of_period(session: Session, period_id: int) -> list[SelfAssessment]:
    """Every self-assessment of the period, whatever its status."""
    return list(session.exec(select(SelfAssessment).where(SelfAssessment.period_id == period_id)))


def returned_assessments(session: Session, period_id: int) -> list[SelfAssessment]:
    """The period's self-assessments returned for correction (and not submitted again)."""
    return list(
        session.exec(
            select(SelfAssessment).where(
                SelfAssessment.period_id == period_id,
                SelfAssessment.status == AssessmentStatus.RETURNED,
            )
        ).all()
    )


def submitted_person_ids(session: Session, period_id: int) -> set[int]:
    """The people whose self-assessment of the period is submitted (or returned for
    correction, which counts as it stands)."""
    return set(
        session.exec(
            select(SelfAssessment.person_id).where(
                SelfAssessment.period_id == period_id,
                col(SelfAssessment.status).in_(
                    [AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED]
                ),
            )
        ).all()
    )


def not_submitted(
    session: Session, organization_id: int, period: Period, unit_id: int | None = None
) -> list[tuple[int, str]]:
    """(unit id, full name) of the organization's active deputies and staff (of one unit,
    or of all) whose self-assessment of the period is not submitted (nor returned for
    correction, which counts as it stands): the late lists of the heads, by name as
    Vietnamese lists sort them; in one query (an anti-join)."""
    query = (
        select(Person.unit_id, Person.full_name)
        .join(
            SelfAssessment,
            (col(SelfAssessment.person_id) == col(Person.id))
            & (col(SelfAssessment.period_id) == period.id)
            & col(SelfAssessment.status).in_(
                [AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED]
            ),
            isouter=True,
        )
        .where(
            Person.organization_id == organization_id,
            Person.active,
            col(Person.role).not_in([Role.HEAD, Role.DIRECTOR]),
            col(SelfAssessment.id).is_(None),
        )
    )
    if unit_id is not None:
        query = query.where(Person.unit_id == unit_id)
    return sorted(session.exec(query).all(), key=lambda row: name_sort_key(row[1]))


def results_of_period(session: Session, period_id: int) -> list[Result]:
    """The period's results, published or not."""
    return list(session.exec(select(Result).where(Result.period_id == period_id)))


def latest_published_result(session: Session, person_id: int) -> tuple[Result, Period] | None:
    """The person's result of the latest period whose results are published, with it."""
    return session.exec(
        select(Result, Period)
        .join(Period, col(Result.period_id) == col(Period.id))
        .where(Result.person_id == person_id, col(Result.published_at).is_not(None))
        .order_by(col(Period.code).desc())
    ).first()


def submissions_by_unit(
    session: Session, organization_id: int, period_id: int
) -> list[tuple[str, int, int]]:
    """(unit name, active people, submitted) of every unit of the organization, in one
    grouped query (the director's /status)."""
    submitted = func.count(SelfAssessment.id).filter(
        SelfAssessment.status == AssessmentStatus.SUBMITTED
    )
    rows = session.exec(
        select(Unit.name, func.count(Person.id), submitted)
        .select_from(Unit)
        .join(Person, (col(Person.unit_id) == col(Unit.id)) & col(Person.active), isouter=True)
        .join(
            SelfAssessment,
            (col(SelfAssessment.person_id) == col(Person.id))
            & (col(SelfAssessment.period_id) == period_id),
            isouter=True,
        )
        .where(Unit.organization_id == organization_id)
        .group_by(Unit.id, Unit.name)
    )
    return [(name, total, done) for name, total, done in rows]


def submissions_of_unit(
    session: Session, unit_id: int, period_id: int, leader_id: int
) -> list[tuple[str, AssessmentStatus | None, datetime | None]]:
    """(full name, status of the self-assessment or None, submitted at) of the unit's
    active people but its leader, in one query (a head's /status)."""
    rows = session.exec(
        select(Person.full_name, SelfAssessment.status, SelfAssessment.submitted_at)
        .join(
            SelfAssessment,
            (col(SelfAssessment.person_id) == col(Person.id))
            & (col(SelfAssessment.period_id) == period_id),
            isouter=True,
        )
        .where(Person.unit_id == unit_id, Person.active, Person.id != leader_id)
    )
    return [(name, status, at) for name, status, at in rows]


RESULT = Result.__table__


def save_results(
    session: Session, period_id: int, values: dict[int, dict[str, Any]]
) -> dict[int, tuple[int, float | None, str | None]]:
    """Write the period's results, `values` by person id (each with the same columns of
    `Result`): one INSERT of those who have none, one UPDATE of the others (a run over a
    province writes tens of thousands). Returns, by person id in the order of `values`,
    each result's id with the score and level it had before (None, None: new). Results
    loaded in the session before are expired: they are read again when next used."""
    before = {
        row.person_id: (row.id, row.score, row.level)
        for row in session.execute(
            select(RESULT.c.id, RESULT.c.person_id, RESULT.c.score, RESULT.c.level).where(
                RESULT.c.period_id == period_id
            )
        )
    }
    new = [
        {"person_id": pid, "period_id": period_id, **row}
        for pid, row in values.items()
        if pid not in before
    ]
    old = [{"result_id": before[pid][0], **row} for pid, row in values.items() if pid in before]
    if old:  # SET the columns the rows name
        session.execute(RESULT.update().where(RESULT.c.id == bindparam("result_id")), old)
    if new:
        session.execute(RESULT.insert(), new)
        ids = select(RESULT.c.id, RESULT.c.person_id).where(RESULT.c.period_id == period_id)
        for row in session.execute(ids):
            before.setdefault(row.person_id, (row.id, None, None))
    for item in list(session.identity_map.values()):
        if isinstance(item, Result):
            session.expire(item)
    return {pid: before[pid] for pid in values}
