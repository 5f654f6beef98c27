"""What the official forms need (issue 11, papers/forms.py), read in a bounded number of
queries whatever the number of people: for a period (Mẫu số 01), each person's
self-assessment with the 10 general items, the reviewer's scores, the tasks (planned
first, then taken over, then ad hoc) with their outcomes, the result the core gave and the
reviewers' comments; for a year, each person's annual rating. The people come sorted as
the forms are handed in: by unit, then by name as Vietnamese lists sort them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from locales import name_sort_key, text_sort_key
from storage.models import (
    AssessmentStatus,
    Organization,
    Period,
    Person,
    Result,
    Review,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskKind,
    TaskOutcome,
    Unit,
    YearRating,
    YearRound,
)
from storage.queries import _KIND_ORDER, reviewers_of
from storage.year import PUBLISHED


@dataclass(frozen=True)
class FormTask:
    """A task of the period as the scoring sheet lists it, with its outcome (None: not
    reported in the self-assessment)."""

    title: str
    kind: TaskKind
    weight: float
    status: str | None = None  # exceeded, on_time, late, not_done
    quality_failures: int = 0
    delays: int = 0
    objective_reason: bool = False
    explanation: str | None = None  # why a task was not done
    report: str | None = None  # reported as beyond the person's ability


@dataclass
class PeriodSheet:
    """One person's Mẫu số 01 for a month or a quarter."""

    organization: str
    period: str
    person: Person
    unit: str
    title: str  # the group of similar duties: the job title the form prints
    reviewer: Person | None
    general: dict[str, float] = field(default_factory=dict)  # the person's own scores
    reviewed: dict[str, float] = field(default_factory=dict)  # the reviewer's, item by item
    tasks: list[FormTask] = field(default_factory=list)
    proposed_level: str | None = None
    proposal_reason: str | None = None
    result: Result | None = None
    comments: dict[str, str] = field(default_factory=dict)  # head, director


@dataclass
class YearSheet:
    """One person's annual form."""

    organization: str
    year: int
    person: Person
    unit: str
    title: str
    reviewer: Person | None
    rating: YearRating
    published: bool


@dataclass
class Scope:
    """The people of a paper: the organization's (or a unit's, or one person), with the
    units' and groups' names."""

    organization: Organization
    people: list[Person]  # sorted by unit, then by name
    units: dict[int, Unit]
    groups: dict[int, RoleGroup]
    reviewers: dict[int, Person | None]


def scope_of(
    session: Session,
    organization: Organization,
    unit_id: int | None = None,
    person_code: str | None = None,
) -> Scope:
    """The active people of the organization, of one unit, or the one person of that
    code (active or not), sorted by the unit's name, then by name; three queries."""
    everyone = list(session.exec(select(Person).where(Person.organization_id == organization.id)))
    units = {
        u.id: u for u in session.exec(select(Unit).where(Unit.organization_id == organization.id))
    }
    groups = {
        g.id: g
        for g in session.exec(select(RoleGroup).where(RoleGroup.organization_id == organization.id))
    }
    if person_code is not None:
        chosen = [p for p in everyone if p.code == person_code]
    else:
        chosen = [p for p in everyone if p.active and unit_id in (None, p.unit_id)]
    chosen.sort(key=lambda p: (text_sort_key(units[p.unit_id].name), name_sort_key(p.full_name)))
    return Scope(organization, chosen, units, groups, reviewers_of(everyone))


def period_sheets(session: Session, scope: Scope, period: Period) -> list[PeriodSheet]:
    """The Mẫu số 01 of each person of `scope` who has a self-assessment or a result in
    the period, in the scope's order; five queries whatever the number of people."""
    ids = [p.id for p in scope.people]
    assessments = {
        a.person_id: a
        for a in session.exec(
            select(SelfAssessment).where(  # a draft never submitted is not on a form
                SelfAssessment.period_id == period.id,
                col(SelfAssessment.person_id).in_(ids),
                SelfAssessment.status == AssessmentStatus.SUBMITTED,
            )
        )
    }
    results = {
        r.person_id: r
        for r in session.exec(
            select(Result).where(Result.period_id == period.id, col(Result.person_id).in_(ids))
        )
    }
    outcomes: dict[int, TaskOutcome] = {
        o.task_id: o
        for o in session.exec(
            select(TaskOutcome).where(
                col(TaskOutcome.assessment_id).in_([a.id for a in assessments.values()])
            )
        )
    }
    tasks: dict[int, list[FormTask]] = defaultdict(list)
    for task in session.exec(
        select(Task)
        .where(Task.period_id == period.id, col(Task.person_id).in_(ids))
        .order_by(_KIND_ORDER, Task.position, Task.id)
    ):
        outcome = outcomes.get(task.id)
        tasks[task.person_id].append(
            FormTask(
                title=task.title,
                kind=task.kind,
                weight=task.weight,
                status=outcome.status if outcome else None,
                quality_failures=outcome.quality_failures if outcome else 0,
                delays=outcome.delays if outcome else 0,
                objective_reason=bool(outcome and outcome.objective_reason),
                explanation=outcome.explanation if outcome else None,
                report=task.report,
            )
        )
    reviews: dict[int, dict[str, Review]] = defaultdict(dict)
    by_assessment = {a.id: a.person_id for a in assessments.values()}
    for review in session.exec(
        select(Review).where(col(Review.assessment_id).in_(list(by_assessment)))
    ):
        reviews[by_assessment[review.assessment_id]][review.stage] = review
    sheets = []
    for person in scope.people:
        assessment = assessments.get(person.id)
        result = results.get(person.id)
        if assessment is None and result is None:
            continue
        staged = reviews.get(person.id, {})
        reviewed: dict[str, float] = {}
        for stage in ("head", "director"):  # the director's score of an item wins
            if stage in staged and staged[stage].general:
                reviewed |= staged[stage].general
        sheets.append(
            PeriodSheet(
                organization=scope.organization.name,
                period=period.code,
                person=person,
                unit=scope.units[person.unit_id].name,
                title=scope.groups[person.group_id].name,
                reviewer=scope.reviewers.get(person.id),
                general=dict(assessment.general) if assessment else {},
                reviewed=reviewed,
                tasks=tasks.get(person.id, []),
                proposed_level=assessment.proposed_level if assessment else None,
                proposal_reason=assessment.proposal_reason if assessment else None,
                result=result,
                comments={s: r.comment for s, r in staged.items() if r.comment},
            )
        )
    return sheets


def year_sheets(session: Session, scope: Scope, year_round: YearRound) -> list[YearSheet]:
    """The annual form of each person of `scope` with a rating in the round, in the
    scope's order; one query."""
    ratings = {
        r.person_id: r
        for r in session.exec(
            select(YearRating).where(
                YearRating.round_id == year_round.id,
                col(YearRating.person_id).in_([p.id for p in scope.people]),
            )
        )
    }
    return [
        YearSheet(
            organization=scope.organization.name,
            year=year_round.year,
            person=person,
            unit=scope.units[person.unit_id].name,
            title=scope.groups[person.group_id].name,
            reviewer=scope.reviewers.get(person.id),
            rating=ratings[person.id],
            published=year_round.status == PUBLISHED,
        )
        for person in scope.people
        if person.id in ratings
    ]
