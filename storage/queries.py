"""The few queries the conversations and the monthly cycle need."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.model import Period as CorePeriod
from core.ruleset import Ruleset, builtin_for, load
from storage.models import (
    AssessmentStatus,
    AuditLog,
    Identity,
    Initiative,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Result,
    Review,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskOutcome,
    Unit,
)


def month_code(local_now: datetime) -> str:
    return f"{local_now.year:04d}-{local_now.month:02d}"


def current_period(session: Session, organization_id: int, local_now: datetime) -> Period:
    """The organization's period for the month of `local_now`, created (planning) if new."""
    code = month_code(local_now)
    period = session.exec(
        select(Period).where(Period.organization_id == organization_id, Period.code == code)
    ).first()
    if period is None:
        period = Period(organization_id=organization_id, code=code, status=PeriodStatus.PLANNING)
        session.add(period)
        session.flush()
    return period


def assessment_period(session: Session, person: Person, local_now: datetime) -> Period:
    """The period a person's self-assessment is about: an open one; else one whose
    submission a reviewer returned for correction; else the current month."""
    open_period = session.exec(
        select(Period)
        .where(Period.organization_id == person.organization_id, Period.status == PeriodStatus.OPEN)
        .order_by(col(Period.code).desc())
    ).first()
    if open_period is not None:
        return open_period
    returned = session.exec(
        select(Period)
        .join(SelfAssessment, col(SelfAssessment.period_id) == col(Period.id))
        .where(
            SelfAssessment.person_id == person.id,
            SelfAssessment.status == AssessmentStatus.RETURNED,
            Period.status == PeriodStatus.CLOSED,
        )
    ).first()
    return returned or current_period(session, person.organization_id, local_now)


def person_of(session: Session, platform: str, user_id: str) -> Person | None:
    """The active person a chat account is registered to, if any."""
    return session.exec(
        select(Person)
        .join(Identity, col(Identity.person_id) == col(Person.id))
        .where(Identity.platform == platform, Identity.user_id == user_id, Person.active)
    ).first()


def identities_of(session: Session, person_id: int) -> list[Identity]:
    """The chats a person registered, oldest first."""
    return list(
        session.exec(select(Identity).where(Identity.person_id == person_id).order_by(Identity.id))
    )


def ruleset_for(organization: Organization, period: Period) -> Ruleset:
    if organization.ruleset:
        return load(organization.ruleset)
    year, month = (int(x) for x in period.code.split("-"))
    return builtin_for(CorePeriod(year, month))


def tasks_of(session: Session, person_id: int, period_id: int) -> list[Task]:
    return list(
        session.exec(
            select(Task)
            .where(Task.person_id == person_id, Task.period_id == period_id)
            .order_by(col(Task.kind).desc(), Task.position, Task.id)
        )
    )  # planned before ad hoc


def assessment_of(
    session: Session, person_id: int, period_id: int, create: bool = False
) -> SelfAssessment | None:
    found = session.exec(
        select(SelfAssessment).where(
            SelfAssessment.person_id == person_id, SelfAssessment.period_id == period_id
        )
    ).first()
    if found is None and create:
        found = SelfAssessment(person_id=person_id, period_id=period_id)
        session.add(found)
        session.flush()
    return found


def outcomes_of(session: Session, assessment_id: int) -> dict[int, TaskOutcome]:
    return {
        o.task_id: o
        for o in session.exec(select(TaskOutcome).where(TaskOutcome.assessment_id == assessment_id))
    }


def initiatives_of(session: Session, assessment_id: int) -> list[Initiative]:
    return list(
        session.exec(
            select(Initiative)
            .where(Initiative.assessment_id == assessment_id)
            .order_by(Initiative.id)
        )
    )


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
) -> None:
    """Record a change of a score or a level (nothing when the value is unchanged)."""
    if before == after:
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


def core_person(
    session: Session,
    person: Person,
    period: Period,
    assessment: SelfAssessment | None,
    now: datetime,
) -> dict[str, Any]:
    """The person's month as the core's input (RULES.md), from what is stored."""
    unit = session.get(Unit, person.unit_id)
    group = session.get(RoleGroup, person.group_id)
    data: dict[str, Any] = {
        "id": person.code,
        "unit": unit.code,
        "group": group.code,
        "role": person.role.value,
        "general": dict(assessment.general) if assessment else {},
        "tasks": [],
    }
    if assessment is None:
        return data
    outcomes = outcomes_of(session, assessment.id)
    for task in tasks_of(session, person.id, period.id):
        outcome = outcomes.get(task.id)
        if outcome is None:
            continue
        item: dict[str, Any] = {"id": str(task.id), "weight": task.weight, "status": outcome.status}
        if outcome.status == "late":
            item["delays"] = max(1, outcome.delays)
        if outcome.quality_failures and outcome.status != "not_done":
            item["quality_failures"] = outcome.quality_failures
        if outcome.objective_reason:
            item["objective_reason"] = True
        if outcome.status == "not_done":
            item["explanation"] = outcome.explanation_status
        data["tasks"].append(item)
    data["initiatives"] = [
        {"id": str(i.id), "approved": bool(i.approved)}
        for i in initiatives_of(session, assessment.id)
    ]
    if assessment.proposed_level:
        data["self_level"] = assessment.proposed_level
    return data


def latest_review(session: Session, assessment: SelfAssessment, stage: str | None) -> Review | None:
    """A reviewer's latest decision on a submission at `stage` (head, director), if any."""
    return session.exec(
        select(Review)
        .where(Review.assessment_id == assessment.id, Review.stage == stage)
        .order_by(col(Review.id).desc())
    ).first()


def classification_request(
    session: Session, organization: Organization, period: Period, now: datetime
):
    """The core's input for an organization's month, from what is stored and reviewed:
    (people, the request, the levels reviewers set with their reasons, unexplained undone
    task counts). Only submitted self-assessments are rated."""
    people = session.exec(
        select(Person).where(Person.organization_id == organization.id, Person.active)
    ).all()
    submitted = {
        a.person_id: a
        for a in session.exec(
            select(SelfAssessment).where(
                SelfAssessment.period_id == period.id,
                SelfAssessment.status == AssessmentStatus.SUBMITTED,
            )
        )
    }
    inputs, reviewed_levels, undone = [], {}, {}
    for person in people:
        assessment = submitted.get(person.id)
        if assessment is None:
            continue
        data = core_person(session, person, period, assessment, now)
        head = latest_review(session, assessment, "head")
        director = latest_review(session, assessment, "director")
        for review in (head, director):  # the director's word comes last
            if review is not None and review.general:
                data["general_review"] = dict(review.general)
            if review is not None and review.decision == "change" and review.level:
                reviewed_levels[person.code] = (review.level, review.comment or "")
        if director is not None and director.exemplary:
            data["exemplary"] = True
        undone[person.code] = sum(
            1
            for o in outcomes_of(session, assessment.id).values()
            if o.status == "not_done" and o.explanation_status != "approved"
        )
        inputs.append(data)
    request: dict[str, Any] = {
        "period": period.code,
        "people": inputs,
        "history": history_of(session, organization, period),
    }
    if organization.ruleset:
        request["ruleset"] = organization.ruleset
    return people, request, reviewed_levels, undone


def history_of(session: Session, organization: Organization, period: Period) -> list[dict]:
    """The published results of the months before, as the core's history."""
    rows = session.exec(
        select(Result, Period, Person)
        .join(Period, col(Period.id) == col(Result.period_id))
        .join(Person, col(Person.id) == col(Result.person_id))
        .where(
            Period.organization_id == organization.id,
            Period.code < period.code,
            col(Result.published_at).is_not(None),
        )
    ).all()
    return [
        {
            "id": person.code,
            "period": p.code,
            "level": result.level,
            "score": result.score,
            "unexplained_undone": int(result.breakdown.get("unexplained_undone", 0)),
        }
        for result, p, person in rows
    ]
