"""The few queries the conversations and the monthly cycle need."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, select

from core import classify_in
from core.ruleset import Ruleset, builtin_for, load
from core.validate import parse_period
from locales import name_sort_key
from storage.conclusions import core_entries_by_person
from storage.db import in_batches
from storage.models import (
    AssessmentStatus,
    Category,
    Identity,
    Initiative,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Result,
    Review,
    Role,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskKind,
    TaskOutcome,
    Unit,
)


def period_code(day: date, tracking: str = "month") -> str:
    """The code of the period holding `day`: "2026-11" tracked by month, "2026-Q4" by
    quarter (NĐ 335: monthly or quarterly tracking, an organization's choice)."""
    if tracking == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}-{day.month:02d}"


def tracking_of(organization: Organization) -> str:
    """Month or quarter, from the organization's calendar settings."""
    return (organization.calendar or {}).get("tracking", "month")


def current_period(session: Session, organization_id: int, local_now: datetime) -> Period:
    """The organization's period (month or quarter) holding `local_now`, created (planning)
    if new."""
    organization = session.get(Organization, organization_id)
    code = period_code(local_now.date(), tracking_of(organization))
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


def chat_for_notices(session: Session, person: Person) -> Identity | None:
    """The chat that receives the person's notices: on the messenger they chose
    (`Person.messenger`) if they linked it, else the one they wrote from last (or linked
    last, before they ever wrote)."""
    return chats_for_notices(session, [person]).get(person.id)


def chats_for_notices(session: Session, people: list[Person]) -> dict[int, Identity]:
    """`chat_for_notices` of each of these people who registered a chat, by person id; in
    one query for every IN_BATCH people."""
    chats: dict[int, list[Identity]] = defaultdict(list)
    for ids in in_batches(p.id for p in people):
        for identity in session.exec(
            select(Identity).where(col(Identity.person_id).in_(ids)).order_by(Identity.id)
        ):
            chats[identity.person_id].append(identity)
    never = datetime.min.replace(tzinfo=UTC)
    found = {}
    for person in people:
        mine = chats.get(person.id)
        if not mine:
            continue
        chosen = [i for i in mine if i.platform == person.messenger]
        found[person.id] = (
            chosen[-1] if chosen else max(mine, key=lambda i: (i.last_seen_at or never, i.id))
        )
    return found


def leader_chats(session: Session, platform: str) -> list[tuple[str, str, Role]]:
    """(chat id, language, role) of every active head and director registered on
    `platform`."""
    return list(
        session.exec(
            select(Identity.chat_id, Person.language, Person.role)
            .join(Person, col(Person.id) == col(Identity.person_id))
            .where(
                Identity.platform == platform,
                Person.active,
                col(Person.role).in_([Role.HEAD, Role.DIRECTOR]),
            )
        ).all()
    )


def ruleset_name(organization: Organization, category: Category) -> str | None:
    """The ruleset the organization chose for a person category (NĐ 335 is for công chức;
    the organization decides for viên chức and người lao động), else its own; None: the
    one the law gives for the period."""
    return (organization.category_rulesets or {}).get(category.value) or organization.ruleset


def ruleset_for(
    organization: Organization, period: Period, person: Person | None = None
) -> Ruleset:
    """The ruleset of the person (by category), else of the organization, else the one
    the law gives for the period."""
    name = ruleset_name(organization, person.category if person else Category.CIVIL_SERVANT)
    return load(name) if name else builtin_for(parse_period(period.code))


def tasks_of(session: Session, person_id: int, period_id: int) -> list[Task]:
    return list(
        session.exec(
            select(Task)
            .where(Task.person_id == person_id, Task.period_id == period_id)
            .order_by(_KIND_ORDER, Task.position, Task.id)
        )
    )


# As the decree's scoring sheet lists them: planned, then taken over, then ad hoc.
_KIND_ORDER = case(
    (col(Task.kind) == TaskKind.PLANNED, 0), (col(Task.kind) == TaskKind.TAKEN_OVER, 1), else_=2
)


def handed_over(session: Session, task_id: int) -> Task | None:
    """The colleague's taken-over task a reported task was handed over as, if any."""
    return session.exec(select(Task).where(Task.source_task_id == task_id)).first()


def colleagues(session: Session, person: Person) -> list[Person]:
    """The other active people of the person's unit, by name as Vietnamese lists sort them."""
    found = session.exec(
        select(Person).where(
            Person.unit_id == person.unit_id, Person.id != person.id, Person.active
        )
    ).all()
    return sorted(found, key=lambda p: name_sort_key(p.full_name))


def assessment_of(session: Session, person_id: int, period_id: int) -> SelfAssessment | None:
    """The person's self-assessment of the period, if begun."""
    return session.exec(
        select(SelfAssessment).where(
            SelfAssessment.person_id == person_id, SelfAssessment.period_id == period_id
        )
    ).first()


def begin_assessment(session: Session, person_id: int, period_id: int) -> SelfAssessment:
    """A new (draft) self-assessment of the period, for a person who has none."""
    assessment = SelfAssessment(person_id=person_id, period_id=period_id)
    session.add(assessment)
    session.flush()
    return assessment


def last_submitted(
    session: Session, person_id: int, before: Period
) -> tuple[Period, SelfAssessment] | None:
    """The person's latest self-assessment submitted in a period before `before`."""
    return session.exec(
        select(Period, SelfAssessment)
        .join(SelfAssessment, col(SelfAssessment.period_id) == col(Period.id))
        .where(
            SelfAssessment.person_id == person_id,
            SelfAssessment.status == AssessmentStatus.SUBMITTED,
            Period.organization_id == before.organization_id,
            Period.code < before.code,
        )
        .order_by(col(Period.code).desc())
    ).first()


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


# -- reviews -----------------------------------------------------------------------------------

STAGES = {Role.HEAD: "head", Role.DIRECTOR: "director"}  # who reviews at which stage
IN_REVIEW = (AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED)
_ROLE_ORDER = {Role.HEAD: 0, Role.DEPUTY: 1, Role.STAFF: 2, Role.DIRECTOR: 3}


def director_of(session: Session, organization_id: int) -> Person | None:
    return session.exec(
        select(Person).where(
            Person.organization_id == organization_id,
            Person.role == Role.DIRECTOR,
            Person.active,
        )
    ).first()


def reviewer_of(session: Session, person: Person) -> Person | None:
    """Who reviews the person's self-assessment: the head of the unit for its deputies and
    staff; the director for the heads, for the director's own unit (the deputy directors)
    and for a unit without a head. Nobody reviews the director within the organization."""
    if person.role is Role.DIRECTOR:
        return None
    director = director_of(session, person.organization_id)
    if person.role is Role.HEAD or (director is not None and director.unit_id == person.unit_id):
        return director
    head = session.exec(
        select(Person).where(
            Person.organization_id == person.organization_id,
            Person.unit_id == person.unit_id,
            Person.role == Role.HEAD,
            Person.active,
        )
    ).first()
    return head or director


def reviewers_of(people: list[Person]) -> dict[int, Person | None]:
    """`reviewer_of` each of `people`, by person id: the same rules on loaded data, no
    query. `people`: the organization's, every active one among them (the reviewers are
    found there: the first director, the first head of a unit by id)."""
    ordered = sorted((p for p in people if p.active), key=lambda p: p.id)
    director = next((p for p in ordered if p.role is Role.DIRECTOR), None)
    heads: dict[int, Person] = {}
    for person in ordered:
        if person.role is Role.HEAD:
            heads.setdefault(person.unit_id, person)
    found: dict[int, Person | None] = {}
    for person in people:
        if person.role is Role.DIRECTOR:
            found[person.id] = None
        elif person.role is Role.HEAD or (
            director is not None and director.unit_id == person.unit_id
        ):
            found[person.id] = director
        else:
            found[person.id] = heads.get(person.unit_id) or director
    return found


def assignees(session: Session, leader: Person) -> list[Person]:
    """The active people whose self-assessments `leader` reviews (`reviewer_of`): those a
    leader assigns tasks to, by name as Vietnamese lists sort them."""
    if leader.role is Role.HEAD:  # the unit's deputies and staff, in one query
        director = director_of(session, leader.organization_id)
        if director is not None and director.unit_id == leader.unit_id:
            return []  # the director's own unit is the director's
        people = list(
            session.exec(
                select(Person).where(
                    Person.organization_id == leader.organization_id,
                    Person.unit_id == leader.unit_id,
                    Person.active,
                    col(Person.role).in_((Role.HEAD, Role.DEPUTY, Role.STAFF)),
                )
            )
        )
    elif leader.role is Role.DIRECTOR:
        people = list(
            session.exec(
                select(Person).where(
                    Person.organization_id == leader.organization_id, Person.active
                )
            )
        )
    else:
        return []
    reviewers = reviewers_of(people)
    found = [p for p in people if (r := reviewers.get(p.id)) is not None and r.id == leader.id]
    return sorted(found, key=lambda p: name_sort_key(p.full_name))


def decisions_awaited(session: Session, period: Period, people: list[Person]) -> Counter[int]:
    """How many submissions of the period each reviewer still has to decide on
    (`awaits_decision`, at the reviewer's stage), by reviewer id; `people`: the
    organization's active people (`reviewers_of`; the others' submissions wait for
    nobody). In two queries."""
    reviewers = reviewers_of(people)
    reviews = {
        (review.assessment_id, review.stage): review
        for review in session.exec(
            select(Review)
            .join(SelfAssessment, col(SelfAssessment.id) == col(Review.assessment_id))
            .where(SelfAssessment.period_id == period.id)
        )
    }
    awaited: Counter[int] = Counter()
    for assessment in session.exec(
        select(SelfAssessment).where(
            SelfAssessment.period_id == period.id, col(SelfAssessment.status).in_(IN_REVIEW)
        )
    ):
        reviewer = reviewers.get(assessment.person_id)
        if reviewer is not None and awaits_decision(
            assessment, reviews.get((assessment.id, STAGES[reviewer.role]))
        ):
            awaited[reviewer.id] += 1
    return awaited


def reviewees(
    session: Session, reviewer: Person, period: Period
) -> list[tuple[SelfAssessment, Person]]:
    """The submissions this reviewer decides on (submitted, or returned for correction),
    heads first, then deputies, then staff, each by name as Vietnamese lists sort them.
    The same rules as `reviewer_of`, in one query."""
    stage = STAGES.get(reviewer.role)
    if stage is None:
        return []
    query = (
        select(SelfAssessment, Person)
        .join(Person, col(Person.id) == col(SelfAssessment.person_id))
        .where(
            SelfAssessment.period_id == period.id,
            col(SelfAssessment.status).in_(IN_REVIEW),
            Person.organization_id == reviewer.organization_id,
            Person.id != reviewer.id,
            Person.role != Role.DIRECTOR,
            Person.active,
        )
    )
    headed = select(Person.unit_id).where(
        Person.organization_id == reviewer.organization_id,
        Person.role == Role.HEAD,
        Person.active,
    )
    if stage == "head":
        director = director_of(session, reviewer.organization_id)
        query = query.where(Person.unit_id == reviewer.unit_id, Person.role != Role.HEAD)
        if director is not None and director.unit_id == reviewer.unit_id:
            return []  # the director's own unit is the director's to review
    else:
        query = query.where(
            (Person.role == Role.HEAD)
            | (Person.unit_id == reviewer.unit_id)
            | col(Person.unit_id).not_in(headed)
        )
    rows = list(session.exec(query).all())
    rows.sort(key=lambda row: (_ROLE_ORDER[row[1].role], name_sort_key(row[1].full_name)))
    return rows


def review_of(session: Session, assessment_id: int, stage: str) -> Review | None:
    """The review of a submission at a stage (head, director), if one was begun."""
    return session.exec(
        select(Review).where(Review.assessment_id == assessment_id, Review.stage == stage)
    ).first()


def awaits_decision(assessment: SelfAssessment, review: Review | None) -> bool:
    """Whether a reviewer still has to decide on the submission: never decided, or
    returned for correction and submitted again since."""
    if review is None or review.decision is None:
        return assessment.status is AssessmentStatus.SUBMITTED
    return (
        review.decision == "return"
        and assessment.status is AssessmentStatus.SUBMITTED
        and assessment.submitted_at is not None
        and review.decided_at is not None
        and assessment.submitted_at > review.decided_at
    )


# -- the core's input ----------------------------------------------------------------------

CATEGORIES = {  # the core's names of the person categories (RULES.md's JSON contract)
    Category.CIVIL_SERVANT: "cong_chuc",
    Category.PUBLIC_EMPLOYEE: "vien_chuc",
    Category.CONTRACT_WORKER: "lao_dong",
}


@dataclass
class Classification:
    """The core's input for an organization's period (`request`), with what the bot needs
    beside it: the people by roster code and the unexplained undone tasks of each."""

    request: dict[str, Any]
    people: dict[str, Person]
    undone: dict[str, int]
    organization: Organization

    def requests(self) -> list[dict[str, Any]]:
        """The input split by ruleset: a person category may follow its own (the
        organization's choice for viên chức and người lao động), and the core applies one
        ruleset, its quotas included, to each request."""
        by_name: dict[str | None, list[dict[str, Any]]] = {}
        for data in self.request["people"]:
            name = ruleset_name(self.organization, self.people[data["id"]].category)
            by_name.setdefault(name, []).append(data)
        requests = []
        for name, people in by_name.items():
            request = {**self.request, "people": people}
            request.pop("ruleset", None)
            if name is not None:
                request["ruleset"] = name
            requests.append(request)
        return requests or [self.request]

    def classify(self, locale: str) -> dict[str, Any]:
        """The core on each request, the outputs merged: `people` (each with `ruleset`, the
        basis it was rated on), `units` and `warnings`."""
        return self.classify_in((locale,))[locale]

    def classify_in(self, locales: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        """`classify` in each of `locales`, the rules run once (`core.classify_in`)."""
        merged: dict[str, dict[str, Any]] = {
            locale: {"people": [], "units": [], "warnings": []} for locale in locales
        }
        for request in self.requests():
            for locale, output in classify_in(request, locales).items():
                into = merged[locale]
                for person in output["people"]:  # the output is the caller's to change
                    person["ruleset"] = output["ruleset"]
                into["people"] += output["people"]
                into["units"] += output["units"]
                into["warnings"] += output["warnings"]
        return merged


def classification_request(
    session: Session,
    organization: Organization,
    period: Period,
    *,
    only: list[Person] | None = None,
    with_reviews: bool = True,
) -> Classification:
    """The core's input (RULES.md) for the month, from what is stored and reviewed, in a
    bounded number of queries. Submitted self-assessments are rated, and so are those
    returned for correction, as they stand. Reviewers' decisions go in as the core's
    `general_review`, `review_level`, `head_rank` and `exemplary`; names, titles and the
    units' names go in so that every text names them. `only`: just these people (a live
    estimate); `with_reviews=False`: the person's own answers alone. The discipline
    decisions and conclusions recorded about each person go in as the core's `discipline`
    and `flags` (`storage.conclusions.core_entries`)."""
    people = (
        list(only)
        if only is not None
        else list(
            session.exec(
                select(Person).where(Person.organization_id == organization.id, Person.active)
            )
        )
    )
    by_id = {p.id: p for p in people}
    # plain rows, not ORM objects (a province has tens of thousands of tasks); the people
    # by a subquery, or by their ids for a few
    members = (
        select(Person.id).where(Person.organization_id == organization.id, Person.active)
        if only is None
        else list(by_id)
    )
    assessment, task, outcome = SelfAssessment.__table__, Task.__table__, TaskOutcome.__table__
    assessments = [
        a
        for a in session.execute(
            select(
                assessment.c.id,
                assessment.c.person_id,
                assessment.c.status,
                assessment.c.general,
                assessment.c.proposed_level,
            ).where(assessment.c.period_id == period.id, assessment.c.person_id.in_(members))
        )
        if a.status in IN_REVIEW or only is not None
    ]
    # the assessments' ids, by a subquery for the whole organization
    ids = (
        select(assessment.c.id).where(
            assessment.c.period_id == period.id, assessment.c.person_id.in_(members)
        )
        if only is None
        else [a.id for a in assessments]
    )
    # each reported task with its outcome, in the order of the scoring sheet
    outcomes: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(
            outcome.c.assessment_id,
            task.c.id,
            task.c.title,
            task.c.weight,
            (task.c.kind != TaskKind.PLANNED).label("extra"),
            outcome.c.status,
            outcome.c.delays,
            outcome.c.quality_failures,
            outcome.c.objective_reason,
            outcome.c.explanation_status,
        )
        .join(assessment, assessment.c.id == outcome.c.assessment_id)
        .join(task, task.c.id == outcome.c.task_id)  # (the person's task of the period)
        .where(assessment.c.period_id == period.id, assessment.c.person_id.in_(members))
        .order_by(_KIND_ORDER, task.c.position, task.c.id)
    ):
        outcomes[row.assessment_id].append(row)
    initiatives: dict[int, list[Initiative]] = defaultdict(list)
    for item in session.exec(select(Initiative).where(col(Initiative.assessment_id).in_(ids))):
        initiatives[item.assessment_id].append(item)
    reviews: dict[tuple[int, str], Review] = {}
    if with_reviews:
        for review in session.exec(select(Review).where(col(Review.assessment_id).in_(ids))):
            reviews[(review.assessment_id, review.stage)] = review
    units = {
        u.id: u for u in session.exec(select(Unit).where(Unit.organization_id == organization.id))
    }
    groups = {
        g.id: g
        for g in session.exec(select(RoleGroup).where(RoleGroup.organization_id == organization.id))
    }
    director = director_of(session, organization.id)
    rated = [by_id[a.person_id] for a in assessments]
    bounds = parse_period(period.code)  # a month or a quarter, with its first and last day
    entries = core_entries_by_person(session, rated, bounds.start, bounds.end)
    headed = {p.unit_id for p in people if p.role is Role.HEAD}
    if only is not None:
        headed |= set(
            session.exec(
                select(Person.unit_id).where(
                    Person.organization_id == organization.id,
                    Person.role == Role.HEAD,
                    Person.active,
                )
            )
        )
    inputs, undone = [], {}
    for assessment in sorted(assessments, key=lambda a: by_id[a.person_id].code):
        person = by_id[assessment.person_id]
        data = _core_person(
            person,
            units[person.unit_id].code,
            groups[person.group_id].code,
            assessment,
            outcomes[assessment.id],
            initiatives[assessment.id],
        )
        stage = _stage_for(person, director, headed)
        review = reviews.get((assessment.id, stage)) if stage else None
        if review is not None:
            if review.general:
                data["general_review"] = dict(review.general)
            if review.decision == "change" and review.level:
                data["review_level"] = review.level
                data["review_reason"] = review.comment or "—"
            if review.rank is not None:
                data["head_rank"] = review.rank
            leader = {
                name: getattr(review, name)
                for name in ("organising", "cohesion")
                if getattr(review, name) is not None
            }
            if leader and person.role is not Role.STAFF:
                data["leader"] = leader
        marked = reviews.get((assessment.id, "director"))
        if marked is not None and marked.exemplary:
            data["exemplary"] = True
        data |= entries.get(person.id, {})  # discipline decisions and conclusions
        undone[person.code] = sum(
            1
            for o in outcomes[assessment.id]
            if o.status == "not_done" and o.explanation_status != "approved"
        )
        inputs.append(data)
    request: dict[str, Any] = {
        "period": period.code,
        "people": inputs,
        "history": history_of(session, organization, period) if only is None else [],
        "unit_names": {u.code: u.name for u in units.values()},
        "group_names": {g.code: g.name for g in groups.values()},
    }
    return Classification(request, {p.code: p for p in people}, undone, organization)


def _stage_for(person: Person, director: Person | None, headed: set[int]) -> str | None:
    """The stage that reviews the person (the rules of `reviewer_of`, on loaded data)."""
    if person.role is Role.DIRECTOR:
        return None
    if person.role is Role.HEAD or (director is not None and director.unit_id == person.unit_id):
        return "director"
    return "head" if person.unit_id in headed else "director"


def _core_person(
    person: Person,
    unit: str,
    group: str,
    assessment: Any,
    outcomes: list[Any],
    initiatives: list[Initiative],
) -> dict[str, Any]:
    """The person's month as the core's input (RULES.md), from what is stored: the
    self-assessment and each reported task with its outcome, as rows (assessment id, task
    id, title, weight, extra, status, delays, quality failures, objective reason,
    explanation status)."""
    tasks = []
    for _, task_id, title, weight, extra, status, delays, failures, objective, why in outcomes:
        item: dict[str, Any] = {
            "id": str(task_id),
            "title": title,
            "weight": weight,
            "extra": bool(extra),  # outside the base (NĐ 335 Điều 18)
            "status": status,
        }
        if status == "late":
            item["delays"] = max(1, delays)
        if failures and status != "not_done":
            item["quality_failures"] = failures
        if objective:
            item["objective_reason"] = True
        if status == "not_done":
            item["explanation"] = why
        tasks.append(item)
    data: dict[str, Any] = {
        "id": person.code,
        "name": person.full_name,
        "unit": unit,
        "group": group,
        "role": person.role.value,
        "category": CATEGORIES[person.category],
        "general": dict(assessment.general),
        "tasks": tasks,
        "initiatives": [{"id": str(i.id), "approved": bool(i.approved)} for i in initiatives],
    }
    if assessment.proposed_level:
        data["self_level"] = assessment.proposed_level
    return data


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
