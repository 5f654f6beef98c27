"""The queries about an organization's periods (months or quarters), the self-assessments
and the results in them, that the conversations, the monthly cycle and the admin commands
ask (the statements stay in storage/; the callers get rows)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import AssessmentStatus, Period, PeriodStatus, Result, SelfAssessment, Task


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


def newest_closed_period(session: Session, organization_id: int) -> Period | None:
    """The organization's latest period being reviewed: closed, not yet published."""
    return session.exec(
        select(Period)
        .where(Period.organization_id == organization_id, Period.status == PeriodStatus.CLOSED)
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
