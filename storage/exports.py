"""What the exports read (papers/exports.py writes them): the ratings of a period or a year,
for one unit or the whole organization, and the audit trail of a period or a year.

Plain rows in a bounded number of queries, whatever the number of people; the texts the
core rendered (reasons, warnings) are taken in the reader's locale, Vietnamese standing in
for a missing one. Codes (levels, decisions, statuses, audit fields) stay codes: the
writer translates them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from core.validate import parse_period
from locales import name_sort_key, text_sort_key
from storage.models import (
    AuditLog,
    Conclusion,
    DisciplineDecision,
    ExternalScore,
    Initiative,
    Organization,
    Period,
    Person,
    Result,
    Review,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskOutcome,
    Unit,
    YearRating,
    YearRound,
)
from storage.people import groups_of, names_by_id, people_of, units_of
from storage.queries import STAGES


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision: agree, change (a lower level, with the reason) or return
    (for correction, with what to correct)."""

    decision: str
    level: str | None = None
    comment: str | None = None
    reviewer: str | None = None  # the reviewer's full name


@dataclass(frozen=True)
class RatingRow:
    """One person's rating of the period or the year, as stored."""

    code: str
    full_name: str
    role: str  # staff, deputy, head, director
    unit_code: str
    unit_name: str
    group_name: str
    score: float | None
    breakdown: dict[str, Any]
    computed_level: str | None  # the level of the rules (before the reviewers and the quota)
    level: str | None  # final; None: not rated
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    # a period: the self-assessment's status (draft, submitted, returned; None: not begun);
    # a year: confirmed, commented (None: not confirmed)
    status: str | None
    self_level: str | None  # proposed (a period) or confirmed (a year) by the person
    comment: str | None  # the person's comment on the year's proposal
    head: Decision | None
    director: Decision | None
    published: bool
    periods: tuple[dict[str, Any], ...] = ()  # a year: {"period", "score", "source"}
    reward_vnd: int = 0


@dataclass(frozen=True)
class RatingsExport:
    """The ratings of a period ("2026-11", "2026-Q4") or a year ("2026") of an
    organization, or of one unit: the rows by unit's then person's name as Vietnamese lists
    sort them, and the quota of the last classification run (the core's `units`)."""

    organization: str  # the organization's name
    organization_code: str
    period_code: str
    units: tuple[tuple[str, str], ...]  # (code, name) of the units exported, in order
    rows: tuple[RatingRow, ...]
    quota: tuple[dict[str, Any], ...]
    unit_names: dict[str, str]
    group_names: dict[str, str]

    @property
    def is_year(self) -> bool:
        return "-" not in self.period_code


def _units_and_groups(
    session: Session, organization_id: int
) -> tuple[dict[int, Unit], dict[int, RoleGroup]]:
    units = {u.id: u for u in units_of(session, organization_id)}
    groups = {g.id: g for g in groups_of(session, organization_id)}
    return units, groups


def _people(everyone: list[Person], unit: Unit | None, rated: set[int]) -> list[Person]:
    """The active people (of the unit), and the inactive ones who have a rating."""
    return [
        p
        for p in everyone
        if (unit is None or p.unit_id == unit.id) and (p.active or p.id in rated)
    ]


def _localized(texts: dict[str, Any], locale: str) -> list[Any]:
    return texts.get(locale) or texts.get("vi") or []


def _warnings_by_code(run: dict[str, Any], locale: str) -> dict[str, list[str]]:
    """The run's warnings about each person (by roster code), in the locale."""
    found: dict[str, list[str]] = defaultdict(list)
    for warning in _localized(run.get("warnings", {}), locale):
        for code in warning.get("people") or ():
            found[code].append(warning["detail"])
    return found


def _ordered(people: list[Person], units: dict[int, Unit]) -> list[Person]:
    return sorted(
        people, key=lambda p: (text_sort_key(units[p.unit_id].name), name_sort_key(p.full_name))
    )


def unit_quota(
    lines: Iterable[dict[str, Any]], unit_code: str | None
) -> tuple[dict[str, Any], ...]:
    """The quota lines (the run's `units`) that concern an export: all (`unit_code` None),
    or the unit's and the whole organization's."""
    return tuple(g for g in lines if unit_code is None or g.get("unit") in (None, unit_code))


def period_ratings(
    session: Session,
    organization: Organization,
    period: Period,
    unit: Unit | None = None,
    locale: str = "vi",
) -> RatingsExport:
    """Every person's result of the period (of the unit, or of the organization) with the
    self-assessment's status and the reviewers' decisions; in six queries."""
    units, groups = _units_and_groups(session, organization.id)
    results = {
        r.person_id: r for r in session.exec(select(Result).where(Result.period_id == period.id))
    }
    assessments = {
        a.person_id: a
        for a in session.exec(select(SelfAssessment).where(SelfAssessment.period_id == period.id))
    }
    reviews: dict[tuple[int, str], Review] = {}
    for review in session.exec(
        select(Review)
        .join(SelfAssessment, col(SelfAssessment.id) == col(Review.assessment_id))
        .where(SelfAssessment.period_id == period.id)
    ):
        reviews[(review.assessment_id, review.stage)] = review
    everyone = people_of(session, organization.id)
    names = {p.id: p.full_name for p in everyone}
    people = _people(everyone, unit, set(results))
    warnings = _warnings_by_code(period.run or {}, locale)
    rows = []
    for person in _ordered(people, units):
        result = results.get(person.id)
        assessment = assessments.get(person.id)
        decisions = {}
        for stage in STAGES.values():
            review = reviews.get((assessment.id, stage)) if assessment else None
            if review is not None and review.decision:
                decisions[stage] = Decision(
                    review.decision, review.level, review.comment, names.get(review.reviewer_id)
                )
        rows.append(
            RatingRow(
                code=person.code,
                full_name=person.full_name,
                role=person.role.value,
                unit_code=units[person.unit_id].code,
                unit_name=units[person.unit_id].name,
                group_name=groups[person.group_id].name,
                score=result.score if result else None,
                breakdown=dict(result.breakdown) if result else {},
                computed_level=result.computed_level if result else None,
                level=result.level if result else None,
                reasons=tuple(r["text"] for r in _localized(result.reasons, locale))
                if result
                else (),
                warnings=tuple(warnings.get(person.code, ())),
                status=assessment.status.value if assessment else None,
                self_level=assessment.proposed_level if assessment else None,
                comment=None,
                head=decisions.get("head"),
                director=decisions.get("director"),
                published=bool(result and result.published_at),
                reward_vnd=result.reward_vnd if result else 0,
            )
        )
    return _export(organization, period.code, units, groups, unit, rows, period.run or {})


def year_ratings(
    session: Session,
    organization: Organization,
    year_round: YearRound,
    unit: Unit | None = None,
    locale: str = "vi",
) -> RatingsExport:
    """Every person's annual rating (of the unit, or of the organization): the period
    scores, the mean, the level, the proposal and its confirmation, the reviewers'
    decisions and whether it is published; in four queries."""
    units, groups = _units_and_groups(session, organization.id)
    ratings = {
        r.person_id: r
        for r in session.exec(select(YearRating).where(YearRating.round_id == year_round.id))
    }
    everyone = people_of(session, organization.id)
    names = {p.id: p.full_name for p in everyone}
    people = _people(everyone, unit, set(ratings))
    warnings = _warnings_by_code(year_round.run or {}, locale)
    rows = []
    for person in _ordered(people, units):
        rating = ratings.get(person.id)
        decisions = {}
        for stage in STAGES.values():
            decision = getattr(rating, f"{stage}_decision") if rating else None
            if decision:
                decisions[stage] = Decision(
                    decision,
                    getattr(rating, f"{stage}_level"),
                    getattr(rating, f"{stage}_comment"),
                    names.get(getattr(rating, f"{stage}_id")),
                )
        status = None
        if rating is not None and rating.confirmed_at is not None:
            status = "commented" if rating.comment else "confirmed"
        rows.append(
            RatingRow(
                code=person.code,
                full_name=person.full_name,
                role=person.role.value,
                unit_code=units[person.unit_id].code,
                unit_name=units[person.unit_id].name,
                group_name=groups[person.group_id].name,
                score=rating.score if rating else None,
                breakdown=dict(rating.breakdown) if rating else {},
                computed_level=rating.computed_level if rating else None,
                level=rating.level if rating else None,
                reasons=tuple(r["text"] for r in _localized(rating.reasons, locale))
                if rating
                else (),
                warnings=tuple(warnings.get(person.code, ())),
                status=status,
                self_level=rating.self_level if rating else None,
                comment=rating.comment if rating else None,
                head=decisions.get("head"),
                director=decisions.get("director"),
                published=bool(rating and rating.published_at),
                periods=tuple(rating.periods) if rating else (),
            )
        )
    run = year_round.run or {}
    return _export(organization, str(year_round.year), units, groups, unit, rows, run)


def _export(organization, code, units, groups, unit, rows, run) -> RatingsExport:
    shown = (
        [unit] if unit is not None else sorted(units.values(), key=lambda u: text_sort_key(u.name))
    )
    present = {r.unit_code for r in rows}
    return RatingsExport(
        organization=organization.name,
        organization_code=organization.code,
        period_code=code,
        units=tuple((u.code, u.name) for u in shown if unit is not None or u.code in present),
        rows=tuple(rows),
        quota=unit_quota(run.get("units", []), unit.code if unit is not None else None),
        unit_names=run.get("unit_names") or {u.code: u.name for u in units.values()},
        group_names=run.get("group_names") or {g.code: g.name for g in groups.values()},
    )


# -- the audit trail ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    """One change of the audit log, with who made it and whom it is about."""

    at: datetime
    actor: str | None  # the full name of who made it; None: the system
    person_code: str | None  # whom the changed row is about
    person: str | None
    unit: str | None
    entity: str  # self_assessment, task_outcome, review, result, year_rating, ...
    field: str
    before: Any
    after: Any
    reason: str | None


def period_audit(session: Session, organization: Organization, period: Period) -> list[AuditRow]:
    """The audit trail of a period: every change of its self-assessments, task outcomes,
    initiatives, tasks, reviews and results, and the discipline decisions and conclusions
    dated in it, oldest first (a row deleted since, such as an initiative removed, leaves
    its audit entry out)."""
    bounds = parse_period(period.code)
    assessments = select(SelfAssessment.id, SelfAssessment.person_id).where(
        SelfAssessment.period_id == period.id
    )
    sources = {
        "self_assessment": assessments,
        "review": assessments,
        "task_outcome": select(TaskOutcome.id, SelfAssessment.person_id)
        .join(SelfAssessment, col(SelfAssessment.id) == col(TaskOutcome.assessment_id))
        .where(SelfAssessment.period_id == period.id),
        "initiative": select(Initiative.id, SelfAssessment.person_id)
        .join(SelfAssessment, col(SelfAssessment.id) == col(Initiative.assessment_id))
        .where(SelfAssessment.period_id == period.id),
        "task": select(Task.id, Task.person_id).where(Task.period_id == period.id),
        "result": select(Result.id, Result.person_id).where(Result.period_id == period.id),
    }
    return _audit(session, organization, sources, bounds.start, bounds.end)


def year_audit(
    session: Session, organization: Organization, year_round: YearRound
) -> list[AuditRow]:
    """The audit trail of the annual rating of a year: every change of its ratings
    (proposals, confirmations, the reviewers' decisions, the runs), the scores a previous
    agency sent for its periods, and the discipline decisions and conclusions dated in it,
    oldest first."""
    year = year_round.year
    sources = {
        "year_rating": select(YearRating.id, YearRating.person_id).where(
            YearRating.round_id == year_round.id
        ),
        "external_score": select(ExternalScore.id, ExternalScore.person_id)
        .join(Person, col(Person.id) == col(ExternalScore.person_id))
        .where(
            Person.organization_id == organization.id,
            col(ExternalScore.period_code).startswith(f"{year}-"),
        ),
    }
    return _audit(session, organization, sources, date(year, 1, 1), date(year, 12, 31))


def _audit(
    session: Session,
    organization: Organization,
    sources: dict[str, Any],
    start: date,
    end: date,
) -> list[AuditRow]:
    """The audit rows of the entities `sources` selects ((id, person id) each), and of the
    organization's discipline decisions and conclusions dated from `start` to `end`."""
    for table, entity in ((DisciplineDecision, "discipline_decision"), (Conclusion, "conclusion")):
        sources[entity] = (
            select(table.id, table.person_id)
            .join(Person, col(Person.id) == col(table.person_id))
            .where(Person.organization_id == organization.id, col(table.dated).between(start, end))
        )
    owner: dict[tuple[str, int], int] = {}
    for entity, query in sources.items():
        for entity_id, person_id in session.exec(query):
            owner[(entity, entity_id)] = person_id
    conditions = [
        (col(AuditLog.entity) == entity)
        & col(AuditLog.entity_id).in_(query.with_only_columns(query.selected_columns[0]))
        for entity, query in sources.items()
    ]
    people = {p.id: p for p in people_of(session, organization.id)}
    units = names_by_id(session, Unit, organization.id)
    rows = []
    for entry in session.exec(
        select(AuditLog).where(or_(*conditions)).order_by(col(AuditLog.at), col(AuditLog.id))
    ):
        person = people.get(owner.get((entry.entity, entry.entity_id)))
        actor = people.get(entry.actor_id) if entry.actor_id is not None else None
        before, after = entry.before, entry.after
        if entry.field in ("person", "assigned"):  # a task handed over or assigned: by name
            before, after = (
                people[v].full_name if isinstance(v, int) and v in people else v
                for v in (before, after)
            )
        rows.append(
            AuditRow(
                at=entry.at,
                actor=actor.full_name if actor else None,
                person_code=person.code if person else None,
                person=person.full_name if person else None,
                unit=units.get(person.unit_id) if person else None,
                entity=entry.entity,
                field=entry.field,
                before=before,
                after=after,
                reason=entry.reason,
            )
        )
    return rows
