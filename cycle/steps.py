"""The monthly cycle, carried out by `tick(engine, now)`.

Each step of an organization's month (open, reminders, close, review reminders, the end
of the heads' review, the classification run, publication) is due at a time of its
calendar (cycle/calendar.py).
A tick carries out every due step not yet in the ledger (`cycle_step`), each in its own
transaction together with its ledger row and its outbox messages: a step that runs twice
finds its row and does nothing; a restart after a missed time catches up on the next tick;
two processes racing on a step collide on the ledger's unique key and one backs off.
Messages are only written to the outbox here; the sender delivers them (delivery/sender.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core.texts import Term
from cycle.calendar import CalendarSettings, CycleDates, period_dates, release_time
from cycle.digests import DigestRow, UnitDigest, digest_replies, quota_lines
from cycle.year import run_year, years_to_watch
from handlers import notices
from handlers.events import Reply
from locales import N_, SUPPORTED_LOCALES, name_sort_key, text_sort_key
from papers.exports import only_unit, ratings_workbook
from storage.audit import audit, change, record
from storage.db import transaction
from storage.exports import RatingsExport, period_ratings
from storage.ledger import (
    StepRefused,
    StepTaken,
    outbox_count,
    record_step,
    step_done,
    steps_done,
)
from storage.models import (
    AssessmentStatus,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Result,
    Role,
    Unit,
)
from storage.people import (
    active_people,
    organization_ids,
    people_of,
    registered_person_ids,
    units_of,
)
from storage.periods import (
    has_period,
    not_submitted,
    period_by_code,
    results_of_period,
    returned_assessments,
    save_results,
    submitted_person_ids,
)
from storage.queries import (
    classification_request,
    decisions_awaited,
    period_code,
    reviewers_of,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    name: str
    at: datetime


def steps_of(dates: CycleDates) -> list[Step]:
    """The steps of a month in the order they happen."""
    steps = [Step("open", dates.opens_at)]
    steps += [Step(name, at) for name, at in dates.reminders]
    steps += [
        Step("close", dates.deadline),
        Step("remind:head_review", dates.head_review_by - timedelta(hours=9)),
        Step("close:head_review", dates.head_review_by),
        Step("remind:director_review", dates.director_review_by - timedelta(hours=9)),
        Step("classify", dates.director_review_by),
        Step("publish", dates.publish_at),
    ]
    return sorted(steps, key=lambda s: s.at)


def tick(engine: Engine, now: datetime) -> list[str]:
    """Carry out every due step of every organization; the steps done, for the log."""
    done: list[str] = []
    with Session(engine) as session:
        organizations = organization_ids(session)
    for organization_id in organizations:
        for code in _periods_to_watch(engine, organization_id, now):
            done += _run_period(engine, organization_id, code, now)
        with Session(engine) as session:
            years = years_to_watch(session, session.get(Organization, organization_id), now)
        for year in years:
            done += run_year(engine, organization_id, year, now)
    return done


def _periods_to_watch(engine: Engine, organization_id: int, now: datetime) -> list[str]:
    """The current period (month or quarter), and the previous one while it is still under
    way (its reviews and publication fall in this one) — only if the organization had it."""
    with Session(engine) as session:
        organization = session.get(Organization, organization_id)
        settings = CalendarSettings.from_overrides(organization.calendar or {})
        today = now.astimezone(settings.timezone).date()
        current = period_code(today, settings.tracking)
        first = date(today.year, today.month, 1)
        if settings.tracking == "quarter":
            first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        previous = period_code(first - timedelta(days=1), settings.tracking)
        had_it = has_period(session, organization_id, previous)
    return ([previous] if had_it else []) + [current]


def _run_period(engine: Engine, organization_id: int, code: str, now: datetime) -> list[str]:
    with transaction(engine) as session:
        organization = session.get(Organization, organization_id)
        settings = CalendarSettings.from_overrides(organization.calendar or {})
        dates = period_dates(code, settings)
        period = ensure_period(session, organization, code, dates)
        period_id = period.id
        done_steps = steps_done(session, organization_id, period.code)
    carried: list[str] = []
    for step in steps_of(dates):
        if step.at > now or step.name in done_steps:
            continue
        try:
            with transaction(engine) as session:
                record_step(session, organization_id, code, step.name, now)
                organization = session.get(Organization, organization_id)
                period = session.get(Period, period_id)
                Cycle(session, organization, period, settings, now).run(step.name)
            carried.append(f"{organization.code} {period.code} {step.name}")
            log.info("cycle: %s %s %s", organization.code, period.code, step.name)
        except StepTaken:
            log.info("cycle: %s already done by another process", step.name)
    return carried


# The steps an administrator may run at once (`python -m bot admin cycle STEP`), with the
# statuses of the month they need: the order of the month is kept.
MANUAL_STEPS = {
    "open": (PeriodStatus.PLANNING,),
    "remind": (PeriodStatus.OPEN,),
    "close": (PeriodStatus.OPEN,),
    "close-returns": (PeriodStatus.CLOSED,),
    "classify": (PeriodStatus.CLOSED,),
    "publish": (PeriodStatus.CLOSED,),
}


PERIOD_STATUS = {
    PeriodStatus.PLANNING: N_("at its plan"),
    PeriodStatus.OPEN: N_("open for self-assessment"),
    PeriodStatus.CLOSED: N_("in review"),
    PeriodStatus.PUBLISHED: N_("published"),
}


def run_step(engine: Engine, organization_id: int, code: str, step: str, now: datetime) -> int:
    """Run one step of an organization's month now, as its time had come: recorded in the
    ledger (the scheduler will not run it again), its messages in the outbox. Returns the
    number of messages written. `step` is a key of MANUAL_STEPS; a reminder may be sent
    again (each is its own step), the others once."""
    name = {"remind": f"remind:admin:{now:%Y%m%d%H%M}", "close-returns": "close:head_review"}.get(
        step, step
    )
    with transaction(engine) as session:
        organization = session.get(Organization, organization_id)
        settings = CalendarSettings.from_overrides(organization.calendar or {})
        period = ensure_period(session, organization, code, period_dates(code, settings))
        done = step_done(session, organization_id, code, name)
        if done is not None:
            raise StepRefused(N_("This step was already done at {time}."), time=done.done_at)
        if period.status not in MANUAL_STEPS[step]:
            raise StepRefused(
                N_("The month is {status}: this step cannot run now."),
                status=Term(PERIOD_STATUS[period.status]),
            )
        before = outbox_count(session)
        try:
            record_step(session, organization_id, code, name, now)
        except StepTaken:
            raise StepRefused(N_("Another process is doing this step now.")) from None
        Cycle(session, organization, period, settings, now).run(name)
        session.flush()
        return outbox_count(session) - before


def ensure_period(
    session: Session, organization: Organization, code: str, dates: CycleDates
) -> Period:
    """The period with its calendar dates (fixed once, so a later change of the calendar
    does not move a month already under way)."""
    period = period_by_code(session, organization.id, code)
    if period is None:
        period = Period(organization_id=organization.id, code=code)
        session.add(period)
    for name in (
        "plan_until",
        "opens_at",
        "deadline",
        "head_review_by",
        "director_review_by",
        "publish_at",
    ):
        if getattr(period, name) is None:
            setattr(period, name, getattr(dates, name))
    session.flush()
    return period


class Cycle:
    """The work of one step for one organization's month."""

    def __init__(
        self,
        session: Session,
        organization: Organization,
        period: Period,
        settings: CalendarSettings,
        now: datetime,
    ) -> None:
        self.session = session
        self.organization = organization
        self.period = period
        self.settings = settings
        self.now = now
        self.outgoing: list[tuple[Person, str, Reply | list[Reply]]] = []
        self._active: list[Person] | None = None

    def run(self, step: str) -> None:
        if step == "open":
            if self.period.status is PeriodStatus.PLANNING:
                self.period.status = PeriodStatus.OPEN
        elif step.startswith(("remind:d-", "remind:admin:")) or step == "remind:open":
            self.remind(step)
        elif step == "close":
            self.close()
        elif step in ("remind:head_review", "remind:director_review"):
            self.remind_reviewers("head" if step == "remind:head_review" else "director", step)
        elif step == "close:head_review":
            self.close_head_review()
        elif step == "classify":
            self.classify()
        elif step == "publish":
            self.publish()
        self.session.add(self.period)
        notices.deliver_all(self.session, self.outgoing, release_time(self.now, self.settings))
        self.outgoing = []

    # -- the steps ---------------------------------------------------------------------------

    def remind(self, step: str) -> None:
        if self.period.status is PeriodStatus.PLANNING:
            self.period.status = PeriodStatus.OPEN
        if self.now > self.period.deadline:  # caught up after the deadline: too late
            return
        submitted = self._submitted_ids()
        for person in self._people():
            if person.id in submitted:
                continue
            if step == "remind:open":
                message = notices.opened(
                    person.language, self.period.code, self.period.deadline, self.settings.timezone
                )
            else:
                message = notices.reminder(
                    person.language,
                    self.period.code,
                    self.period.deadline,
                    self.settings.timezone,
                    last_day=step == "remind:d-0",
                )
            self.send(person, step, message)

    def close(self) -> None:
        self.period.status = PeriodStatus.CLOSED
        people = self._people(registered_only=False)
        units = {u.id: u for u in units_of(self.session, self.organization.id)}
        late: dict[int, list[str]] = {}  # unit id: the names of those who did not submit
        for unit_id, name in not_submitted(self.session, self.organization.id, self.period):
            late.setdefault(unit_id, []).append(name)
        for head in [p for p in people if p.role is Role.HEAD]:
            if head.unit_id in late:
                self.send(
                    head,
                    "late_list",
                    notices.late_list(
                        head.language,
                        self.period.code,
                        units[head.unit_id].name,
                        late[head.unit_id],
                    ),
                )
        self.remind_reviewers("head", "review_request")
        self.remind_reviewers("director", "review_request")

    def remind_reviewers(self, stage: str, step: str) -> None:
        """Each reviewer of `stage` with submissions awaiting a decision is told how many
        and by when; a reminder whose deadline passed (the bot was down) is dropped."""
        role = Role.HEAD if stage == "head" else Role.DIRECTOR
        deadline = self.period.head_review_by if stage == "head" else self.period.director_review_by
        if deadline is not None and self.now > deadline:
            return
        awaited = decisions_awaited(self.session, self.period, self._people(registered_only=False))
        for reviewer in [p for p in self._people() if p.role is role]:
            pending = awaited[reviewer.id]
            if pending:
                self.send(
                    reviewer,
                    step,
                    notices.review_reminder(
                        reviewer.language,
                        self.period.code,
                        pending,
                        deadline,
                        self.settings.timezone,
                    ),
                )

    def close_head_review(self) -> None:
        """The heads' deadline: a submission returned for correction and not submitted
        again counts as it stood; its reviewer and the person are told."""
        returned = returned_assessments(self.session, self.period.id)
        everyone = {p.id: p for p in people_of(self.session, self.organization.id)}
        reviewers = reviewers_of(list(everyone.values()))
        by_reviewer: dict[int, tuple[Person, list[str]]] = {}
        for assessment in returned:
            person = everyone[assessment.person_id]
            assessment.status = AssessmentStatus.SUBMITTED
            self.session.add(assessment)
            audit(
                self.session,
                None,
                "self_assessment",
                assessment.id,
                "status",
                "returned",
                "submitted",
                reason="not corrected by the heads' review deadline",
                at=self.now,
            )
            self.send(
                person,
                "not_corrected",
                notices.not_corrected_to_person(person.language, self.period.code),
            )
            reviewer = reviewers[person.id]
            if reviewer is not None:
                by_reviewer.setdefault(reviewer.id, (reviewer, []))[1].append(person.full_name)
        for reviewer, names in by_reviewer.values():
            self.send(
                reviewer,
                "not_corrected",
                notices.not_corrected(
                    reviewer.language, self.period.code, sorted(names, key=name_sort_key)
                ),
            )

    def classify(self) -> None:
        """The classification run; reviewers of people tied for the last A place are asked
        to rank them before publication."""
        output = run_classification(self.session, self.organization, self.period, self.now)
        active = self._people(registered_only=False)
        people = {p.code: p for p in active}
        reviewer_ids = reviewers_of(active)
        director = next((p for p in active if p.role is Role.DIRECTOR), None)
        ties: dict[int, tuple[Person, int]] = {}
        for warning in output["warnings"]:
            if warning["code"] != "QUOTA_TIE":
                continue
            found = {}  # the reviewers of the people tied, by id
            for code in warning["people"]:
                reviewer = reviewer_ids[people[code].id]
                found[getattr(reviewer, "id", None)] = reviewer
            reviewer = next(iter(found.values())) if len(found) == 1 else director
            if reviewer is not None:
                count = ties.get(reviewer.id, (reviewer, 0))[1]
                ties[reviewer.id] = (reviewer, count + 1)
        for reviewer, count in ties.values():
            self.send(
                reviewer,
                "ties",
                notices.ties(
                    reviewer.language,
                    self.period.code,
                    count,
                    self.period.publish_at or self.now,
                    self.settings.timezone,
                ),
            )

    def publish(self) -> None:
        """Results to everyone (each with the warnings about them), digests to leaders.
        The classification runs again first: decisions made since the run count."""
        run_classification(self.session, self.organization, self.period, self.now)
        self.period.status = PeriodStatus.PUBLISHED
        people = {p.code: p for p in self._people(registered_only=False)}
        by_id = {p.id: p for p in people.values()}
        warnings = self.period.run.get("warnings", {})
        about: dict[str, list[int]] = {}  # person code: indexes of the warnings about them
        for index, warning in enumerate(warnings.get("vi", [])):
            if warning["code"] in PERSONAL_WARNINGS:
                for code in warning.get("people", []):
                    about.setdefault(code, []).append(index)
        for result in results_of_period(self.session, self.period.id):
            result.published_at = self.now
            person = by_id.get(result.person_id)
            if person is None:
                continue
            reasons = result.reasons.get(person.language) or result.reasons.get("vi", [])
            texts = warnings.get(person.language) or warnings.get("vi", [])
            self.send(
                person,
                "result",
                notices.result(
                    person.language,
                    self.period.code,
                    result.level,
                    result.score,
                    reasons,
                    result.reward_vnd,
                    [texts[i]["detail"] for i in about.get(person.code, [])],
                    basis=result.ruleset,
                ),
            )
        leaders = [p for p in people.values() if p.role in (Role.HEAD, Role.DIRECTOR)]
        self.digests(leaders)

    def digests(self, leaders: list[Person]) -> None:
        """Each head gets the digest of the unit, the director of all units: the counts,
        who did not submit, the quota, the warnings; with a chart and an Excel file."""
        month = _Month.load(self.session, self.organization, self.period)
        exports: dict[str, RatingsExport] = {}  # the organization's, read once a language
        for leader in leaders:
            unit = month.units[leader.unit_id]
            whole = leader.role is Role.DIRECTOR
            language = leader.language
            digest = month.digest(None if whole else unit, language)
            name = f"{self.organization.code if whole else unit.code}-{self.period.code}"
            if language not in exports:
                exports[language] = period_ratings(
                    self.session, self.organization, self.period, locale=language
                )
            export = exports[language] if whole else only_unit(exports[language], unit.code)
            workbook = ratings_workbook(export, language)
            self.send(leader, "digest", digest_replies(digest, language, name, workbook))

    # -- helpers -----------------------------------------------------------------------------

    def send(self, person: Person, step: str, message: Reply | list[Reply]) -> None:
        """The message(s) for the person's chat, once per step: written to the outbox at
        the end of the step, all at once (`notices.deliver_all`)."""
        key = f"{step}:{self.organization.code}:{self.period.code}:{person.code}"
        self.outgoing.append((person, key, message))

    def _people(self, registered_only: bool = True) -> list[Person]:
        if self._active is None:
            self._active = active_people(self.session, self.organization.id, by_code=True)
        if not registered_only:
            return self._active
        registered = registered_person_ids(self.session)
        return [p for p in self._active if p.id in registered]

    def _submitted_ids(self) -> set[int]:
        return submitted_person_ids(self.session, self.period.id)


# Warnings about one person, which go to that person with the result; the others (about a
# unit or the quota) are for the leaders, in their digests.
PERSONAL_WARNINGS = frozenset({"SELF_OVERRATED", "UNEXPLAINED_2_MONTHS", "LEVEL_D", "NO_TASKS"})


def run_classification(
    session: Session, organization: Organization, period: Period, now: datetime
) -> dict[str, Any]:
    """The core on the month's reviewed data and the history: results (not yet published)
    with their reasons in every language, and the run's warnings kept on the period. A
    score or level that differs from the stored one is audited (by the system). The rules
    run once, rendered in every language; the results and their audit are written in a
    few statements, whatever the number of people."""
    found = classification_request(session, organization, period)
    runs = found.classify_in(SUPPORTED_LOCALES)
    values: dict[int, dict[str, Any]] = {}
    for index, entry in enumerate(runs["vi"]["people"]):
        person = found.people[entry["id"]]
        values[person.id] = {
            "score": entry["score"],
            "breakdown": {**entry["breakdown"], "unexplained_undone": found.undone[person.code]},
            "computed_level": entry["rules_level"],
            "level": entry["level"],
            "reasons": {locale: run["people"][index]["reasons"] for locale, run in runs.items()},
            "reward_vnd": entry["reward_vnd"],
            "ruleset": entry["ruleset"],
        }
    for person in found.people.values():  # not submitted: not rated this month
        values.setdefault(
            person.id,
            {
                "score": None,
                "breakdown": {},
                "computed_level": None,
                "level": None,
                "reasons": {locale: [] for locale in SUPPORTED_LOCALES},
                "reward_vnd": 0,
                "ruleset": None,
            },
        )
    before = save_results(session, period.id, values)
    changes: list[dict[str, Any] | None] = []
    for person_id, (result_id, score, level) in before.items():
        after = values[person_id]
        changes += [
            change(None, "result", result_id, "score", score, after["score"], at=now),
            change(None, "result", result_id, "level", level, after["level"], at=now),
        ]
    record(session, changes)  # every change of a score or a level, by the system
    period.run = {
        "warnings": {locale: run["warnings"] for locale, run in runs.items()},
        "units": runs["vi"]["units"],
        "unit_names": found.request["unit_names"],
        "group_names": found.request["group_names"],
        "at": now.isoformat(),
    }
    session.add(period)
    session.flush()
    return runs["vi"]


@dataclass(frozen=True)
class _Month:
    """What the digests of a month are made of, read once for every leader's: the active
    people, by unit's then person's name, their results and the units."""

    organization: Organization
    period: Period
    people: list[Person]
    results: dict[int, Result]
    units: dict[int, Unit]

    @classmethod
    def load(cls, session: Session, organization: Organization, period: Period) -> _Month:
        units = {u.id: u for u in units_of(session, organization.id)}
        people = sorted(
            active_people(session, organization.id),
            key=lambda p: (text_sort_key(units[p.unit_id].name), name_sort_key(p.full_name)),
        )
        return cls(
            organization,
            period,
            people,
            {r.person_id: r for r in results_of_period(session, period.id)},
            units,
        )

    def digest(self, unit: Unit | None, language: str) -> UnitDigest:
        """The digest of one unit (a head's) or of the whole organization (the
        director's)."""
        organization, period, units = self.organization, self.period, self.units
        rows, missing = [], []
        for person in self.people:
            if unit is not None and person.unit_id != unit.id:
                continue
            result = self.results.get(person.id)
            if result is None or result.level is None:
                missing.append(person.full_name)
            rows.append(
                DigestRow(
                    code=person.code,
                    full_name=person.full_name,
                    level=result.level if result else None,
                )
            )
        unit_codes = {u.code for u in units.values()} if unit is None else {unit.code}
        warnings = (
            period.run.get("warnings", {}).get(language)
            or period.run.get("warnings", {}).get("vi")
            or []
        )
        return UnitDigest(
            title=organization.name if unit is None else unit.name,
            period_code=period.code,
            rows=tuple(rows),
            not_submitted=tuple(missing),
            warnings=tuple(w["detail"] for w in warnings if w.get("unit") in unit_codes),
            quota_lines=quota_lines(period.run, unit_codes, unit is None, organization.name),
        )
