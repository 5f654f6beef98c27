"""The annual rating's steps (NĐ 335 Điều 19-20), carried out by the same tick as the months'
(`cycle.steps.tick`), with the same ledger (`cycle_step`, the period code being the year).

    open ─▶ every active person's rating proposed (the mean of the year's rated periods,
            with those a previous agency sent), each told with the buttons to confirm
    remind:confirm ─▶ those who have not confirmed
    close ─▶ the reviews: each head, then the director, asked to decide
    remind:head_review, close:head_review ─▶ the director asked
    classify ─▶ the core with the reviewers' levels and the 20% quota (rule 10)
    publish ─▶ the core again (decisions since count), each person's result (with KHT_YEAR
               to the person, the head and the director), the leaders' digests

The dates come from `cycle.calendar.year_dates`: done by 15/12, or 15/01 of the next year
for an organization marked special. A round opens only if the organization published a
period of the year, and never after its publication time has passed (a bot installed in
March does not rate last year by itself: `admin year open` does, on purpose).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from core.texts import Term
from cycle.calendar import CalendarSettings, YearDates, release_time, year_dates
from cycle.digests import DigestRow, UnitDigest, digest_replies, quota_lines
from handlers import notices
from handlers import year as texts
from handlers.events import Reply
from locales import N_, SUPPORTED_LOCALES, name_sort_key, text_sort_key
from papers.exports import only_unit, ratings_workbook
from storage.audit import change, record
from storage.db import transaction
from storage.exports import RatingsExport, year_ratings
from storage.ledger import StepRefused, StepTaken, outbox_count, record_step, steps_done
from storage.models import Organization, Person, Role, YearRating, YearRound
from storage.people import active_people, registered_person_ids, units_of
from storage.queries import reviewers_of
from storage.year import (
    CLOSED,
    OPEN,
    PUBLISHED,
    has_rated_period,
    ratings_of,
    round_of,
    year_request,
)

log = logging.getLogger(__name__)

# Warnings about one person of the year, sent with the person's result; KHT_YEAR goes to
# the head and the director too (RULES.md rule 13).
PERSONAL = frozenset({"KHT_YEAR", "SELF_OVERRATED"})
FIRST_YEAR = 2026  # the first year of NĐ 335 (in force from 01/01/2026)


def year_steps(dates: YearDates) -> list[tuple[str, datetime]]:
    """The steps of the round in order, with their times."""
    return [
        ("open", dates.opens_at),
        ("remind:confirm", dates.confirm_by - timedelta(hours=9)),
        ("close", dates.confirm_by),
        ("remind:head_review", dates.head_review_by - timedelta(hours=9)),
        ("close:head_review", dates.head_review_by),
        ("classify", dates.director_review_by),
        ("publish", dates.publish_at),
    ]


def years_to_watch(session: Session, organization: Organization, now: datetime) -> list[int]:
    """The year whose round is under way or due to open now: this year's, or last year's
    for an organization marked special (done by 15 January)."""
    settings = CalendarSettings.from_overrides(organization.calendar or {})
    today = now.astimezone(settings.timezone).date()
    found = []
    if organization.ruleset == "nd90":  # NĐ 90's year is rated on paper, not in the chat
        return found
    for year in (today.year - 1, today.year):
        if year < FIRST_YEAR:
            continue
        dates = year_dates(year, settings)
        if now < dates.opens_at:
            continue
        existing = round_of(session, organization.id, year)
        if existing is not None:
            if existing.status != PUBLISHED:
                found.append(year)
        elif now < dates.publish_at and has_rated_period(session, organization.id, year):
            found.append(year)
    return found


def run_year(engine: Engine, organization_id: int, year: int, now: datetime) -> list[str]:
    """Every due step of the organization's round of `year` not yet in the ledger, each in
    its own transaction with its ledger row and its messages."""
    with transaction(engine) as session:
        organization = session.get(Organization, organization_id)
        settings = CalendarSettings.from_overrides(organization.calendar or {})
        year_round = ensure_round(session, organization, year, year_dates(year, settings))
        times = year_steps(_dates_of(year_round))
        done_steps = steps_done(session, organization_id, str(year))
    carried = []
    for name, at in times:
        if at > now or name in done_steps:
            continue
        try:
            with transaction(engine) as session:
                record_step(session, organization_id, str(year), name, now)
                organization = session.get(Organization, organization_id)
                YearCycle(session, organization, year, now).run(name)
            carried.append(f"{organization.code} {year} {name}")
            log.info("year: %s %s %s", organization.code, year, name)
        except StepTaken:
            log.info("year: %s already done by another process", name)
    return carried


def ensure_round(
    session: Session, organization: Organization, year: int, dates: YearDates
) -> YearRound:
    """The round of the year with its dates (fixed once it exists)."""
    year_round = round_of(session, organization.id, year)
    if year_round is None:
        year_round = YearRound(
            organization_id=organization.id,
            year=year,
            opens_at=dates.opens_at,
            confirm_by=dates.confirm_by,
            head_review_by=dates.head_review_by,
            director_review_by=dates.director_review_by,
            publish_at=dates.publish_at,
        )
        session.add(year_round)
        session.flush()
    return year_round


def _dates_of(year_round: YearRound) -> YearDates:
    return YearDates(
        due=year_round.publish_at.date(),
        opens_at=year_round.opens_at,
        confirm_by=year_round.confirm_by,
        head_review_by=year_round.head_review_by,
        director_review_by=year_round.director_review_by,
        publish_at=year_round.publish_at,
    )


class YearCycle:
    """The work of one step of an organization's round."""

    def __init__(self, session: Session, organization: Organization, year: int, now: datetime):
        self.session = session
        self.organization = organization
        self.settings = CalendarSettings.from_overrides(organization.calendar or {})
        self.round = round_of(session, organization.id, year)
        self.now = now
        self.people = active_people(session, organization.id, by_code=True)
        self.outgoing: list[tuple[Person, str, Reply | list[Reply]]] = []

    def run(self, step: str) -> None:
        if step == "open":
            self.open()
        elif step in ("remind:confirm",) or step.startswith("remind:admin:"):
            self.remind_confirm()
        elif step == "close":
            self.round.status = CLOSED
            self.ask_reviewers("head", self.round.head_review_by, step)
            self.ask_reviewers("director", self.round.publish_at, step)
        elif step == "remind:head_review":
            self.ask_reviewers("head", self.round.head_review_by, step, undecided_only=True)
        elif step == "close:head_review":
            self.ask_reviewers("director", self.round.publish_at, step, undecided_only=True)
        elif step == "classify":
            self.classify()
        elif step == "publish":
            self.publish()
        self.session.add(self.round)
        notices.deliver_all(self.session, self.outgoing, release_time(self.now, self.settings))
        self.outgoing = []

    def send(self, person: Person, step: str, message: Reply | list[Reply]) -> None:
        key = f"year_{step}:{self.organization.code}:{self.round.year}:{person.code}"
        self.outgoing.append((person, key, message))

    # -- the steps ---------------------------------------------------------------------------

    def open(self) -> None:
        """Each active person's proposal (the core without the quota's effect on the
        levels shown: `computed_level`), and the message to confirm it."""
        self.round.status = OPEN
        ratings = self.classify()
        registered = registered_person_ids(self.session)
        for person in self.people:
            rating = ratings.get(person.id)
            if rating is None or person.id not in registered:
                continue
            self.send(
                person,
                "open",
                texts.proposal(
                    person.language,
                    rating,
                    self.round.year,
                    self.round.confirm_by,
                    self.settings.timezone,
                ),
            )

    def remind_confirm(self) -> None:
        if self.now > self.round.confirm_by:
            return
        ratings = ratings_of(self.session, self.round.id)
        for person in self.people:
            rating = ratings.get(person.id)
            if rating is None or rating.confirmed_at is not None or rating.computed_level is None:
                continue
            self.send(
                person,
                "remind",
                texts.confirm_reminder(
                    person.language, self.round.year, self.round.confirm_by, self.settings.timezone
                ),
            )

    def ask_reviewers(
        self, stage: str, by: datetime, step: str, *, undecided_only: bool = False
    ) -> None:
        """Each reviewer of the stage told how many people await their decision."""
        ratings = {
            pid: r for pid, r in ratings_of(self.session, self.round.id).items() if r.computed_level
        }
        reviewers = reviewers_of(self.people)
        waiting: dict[int, tuple[Person, int]] = {}
        for person in self.people:
            rating = ratings.get(person.id)
            if rating is None or person.role is Role.DIRECTOR:
                continue
            if undecided_only and getattr(rating, f"{stage}_decision"):
                continue
            if stage == "head":
                reviewer = reviewers.get(person.id)
                if reviewer is None or reviewer.role is not Role.HEAD:
                    continue
            else:
                reviewer = next((p for p in self.people if p.role is Role.DIRECTOR), None)
                if reviewer is None:
                    continue
            count = waiting.get(reviewer.id, (reviewer, 0))[1]
            waiting[reviewer.id] = (reviewer, count + 1)
        for reviewer, count in waiting.values():
            self.send(
                reviewer,
                f"{step}:{stage}",
                texts.review_request(
                    reviewer.language, self.round.year, count, by, self.settings.timezone
                ),
            )

    def classify(self) -> dict[int, YearRating]:
        """The core on the year (the reviewers' levels in, the quota applied); the ratings
        written, every change of a score or a level audited (by the system)."""
        ratings = ratings_of(self.session, self.round.id)
        found, scores = year_request(
            self.session, self.organization, self.round, self.people, ratings
        )
        runs = found.classify_in(SUPPORTED_LOCALES)
        changes: list[dict[str, Any] | None] = []
        for index, entry in enumerate(runs["vi"]["people"]):
            person = found.people[entry["id"]]
            rating = ratings.get(person.id)
            if rating is None:
                rating = YearRating(round_id=self.round.id, person_id=person.id)
                self.session.add(rating)
                self.session.flush()
                ratings[person.id] = rating
            before = (rating.score, rating.level)
            rating.periods = scores.get(person.id, [])
            rating.score = entry["score"]
            rating.breakdown = dict(entry["breakdown"])
            rating.computed_level = entry["rules_level"]
            rating.level = entry["level"]
            rating.ruleset = entry["ruleset"]
            rating.reasons = {
                locale: run["people"][index]["reasons"] for locale, run in runs.items()
            }
            changes += [
                change(
                    None, "year_rating", rating.id, "score", before[0], rating.score, at=self.now
                ),
                change(
                    None, "year_rating", rating.id, "level", before[1], rating.level, at=self.now
                ),
            ]
        record(self.session, changes)
        self.round.run = {
            "warnings": {locale: run["warnings"] for locale, run in runs.items()},
            "units": runs["vi"]["units"],
            "unit_names": found.request["unit_names"],
            "group_names": found.request["group_names"],
            "at": self.now.isoformat(),
        }
        self.session.flush()
        return ratings

    def publish(self) -> None:
        ratings = self.classify()
        self.round.status = PUBLISHED
        warnings = self.round.run.get("warnings", {})
        about: dict[str, list[int]] = {}
        for index, warning in enumerate(warnings.get("vi", [])):
            if warning["code"] in PERSONAL:
                for code in warning.get("people", []):
                    about.setdefault(code, []).append(index)
        reviewers = reviewers_of(self.people)
        director = next((p for p in self.people if p.role is Role.DIRECTOR), None)
        for person in self.people:
            rating = ratings.get(person.id)
            if rating is None:
                continue
            rating.published_at = self.now
            texts_of = warnings.get(person.language) or warnings.get("vi", [])
            mine = about.get(person.code, [])
            self.send(
                person,
                "result",
                notices.result(
                    person.language,
                    str(self.round.year),
                    rating.level,
                    rating.score,
                    rating.reasons.get(person.language) or rating.reasons.get("vi", []),
                    0,
                    [texts_of[i]["detail"] for i in mine],
                    basis=rating.ruleset,
                ),
            )
            kht = [i for i in mine if warnings["vi"][i]["code"] == "KHT_YEAR"]
            if not kht:
                continue
            leaders = {p.id: p for p in (reviewers.get(person.id), director) if p is not None}
            leaders.pop(person.id, None)
            for leader in leaders.values():
                leader_texts = warnings.get(leader.language) or warnings.get("vi", [])
                self.send(
                    leader,
                    f"kht:{person.code}",
                    Reply("⚠️ " + leader_texts[kht[0]]["detail"]),
                )
        self.digests(ratings)

    def digests(self, ratings: dict[int, YearRating]) -> None:
        """Each head the unit's, the director every unit's: counts, quota, warnings, with a
        chart and an Excel file (as for a month)."""
        units = {u.id: u for u in units_of(self.session, self.organization.id)}
        people = sorted(
            self.people,
            key=lambda p: (text_sort_key(units[p.unit_id].name), name_sort_key(p.full_name)),
        )
        exports: dict[str, RatingsExport] = {}  # the organization's, read once a language
        for leader in [p for p in self.people if p.role in (Role.HEAD, Role.DIRECTOR)]:
            whole = leader.role is Role.DIRECTOR
            unit = None if whole else units[leader.unit_id]
            language = leader.language
            rows = []
            for person in people:
                if unit is not None and person.unit_id != unit.id:
                    continue
                rating = ratings.get(person.id)
                rows.append(
                    DigestRow(
                        code=person.code,
                        full_name=person.full_name,
                        level=rating.level if rating else None,
                    )
                )
            codes = {u.code for u in units.values()} if unit is None else {unit.code}
            run = self.round.run
            warnings = run.get("warnings", {}).get(language) or run.get("warnings", {}).get(
                "vi", []
            )
            members = {r.code for r in rows}
            digest = UnitDigest(
                title=self.organization.name if unit is None else unit.name,
                period_code=str(self.round.year),
                rows=tuple(rows),
                not_submitted=tuple(r.full_name for r in rows if r.level is None),
                warnings=tuple(
                    w["detail"]
                    for w in warnings
                    if w.get("unit") in codes or set(w.get("people") or ()) & members
                ),
                quota_lines=quota_lines(run, codes, whole, self.organization.name),
            )
            name = f"{self.organization.code if whole else unit.code}-{self.round.year}"
            if language not in exports:
                exports[language] = year_ratings(
                    self.session, self.organization, self.round, locale=language
                )
            export = exports[language] if whole else only_unit(exports[language], unit.code)
            workbook = ratings_workbook(export, language)
            self.send(leader, "digest", digest_replies(digest, language, name, workbook))


# The steps an administrator may run at once (`python -m bot admin year STEP`), with the
# statuses of the round they need (None: no round yet): the order of the year is kept.
MANUAL_STEPS = {
    "open": (None,),
    "remind": (OPEN,),
    "close": (OPEN,),
    "classify": (CLOSED,),
    "publish": (CLOSED,),
}


def run_year_step(engine: Engine, organization_id: int, year: int, step: str, now: datetime) -> int:
    """Run one step of the organization's round of `year` now, as if its time had come:
    recorded in the ledger (the scheduler will not run it again), its messages in the
    outbox. Returns the number of messages written. A reminder may be sent again."""
    name = {"remind": f"remind:admin:{now:%Y%m%d%H%M}"}.get(step, step)
    with transaction(engine) as session:
        organization = session.get(Organization, organization_id)
        existing = round_of(session, organization_id, year)
        status = existing.status if existing is not None else None
        if status not in MANUAL_STEPS[step]:
            raise StepRefused(
                N_("The annual rating of {year} is {status}: this step cannot run now."),
                year=str(year),
                status=Term(ROUND_STATUS[status]),
            )
        settings = CalendarSettings.from_overrides(organization.calendar or {})
        ensure_round(session, organization, year, year_dates(year, settings))
        before = outbox_count(session)
        try:
            record_step(session, organization_id, str(year), name, now)
        except StepTaken:
            raise StepRefused(N_("Another process is doing this step now.")) from None
        YearCycle(session, organization, year, now).run(name)
        session.flush()
        return outbox_count(session) - before


ROUND_STATUS = {
    None: N_("not open yet"),
    OPEN: N_("open for confirmation"),
    CLOSED: N_("in review"),
    PUBLISHED: N_("published"),
}
