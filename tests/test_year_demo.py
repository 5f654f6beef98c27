"""A whole year on the demo organization (issue 11): eleven months assessed, classified and
published through the office's commands, then the annual rating of 2026 by the same
commands; the annual levels are the core's on the published scores.

The staff's answers are written as submitted self-assessments (the chat that writes them
is tested elsewhere); from there on everything runs through the product's entry points:
`admin demo`, `admin cycle close|classify|publish --period`, `admin year ...`.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from statistics import mean

import pytest
from sqlmodel import Session, select

from bot.admin import main
from core import classify
from storage.db import transaction
from storage.demo import DEMO_RULESET, load_demo
from storage.models import (
    AssessmentStatus,
    Organization,
    Period,
    Person,
    Result,
    SelfAssessment,
    Task,
    TaskOutcome,
    YearRating,
)
from tests.chat import copy_of, database

ORG = "so-noi-vu-demo"
MONTHS = range(1, 12)  # January to November; December's month is published in January
ITEMS = (
    "politics_ethics_culture",
    "discipline",
    "competence",
    "meets_tasks",
    "responsibility",
    "service_coordination",
    "breakthrough",
    "hard_tasks",
    "accountability",
    "initiative",
)
MAXIMA = (5, 5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5)


def local(year: int, month: int, day: int, hour: int) -> datetime:
    """A Hà Nội wall-clock time (hour 7 or later), in UTC."""
    return datetime(year, month, day, hour - 7, tzinfo=UTC)


def submit_month(engine, month: int, rng: random.Random) -> None:
    """Every staff member with tasks submits the month: general items and outcomes drawn
    from `rng` (most tasks on time, some exceeded, a few late)."""
    with transaction(engine) as s:
        org = s.exec(select(Organization).where(Organization.code == ORG)).one()
        period = s.exec(
            select(Period).where(
                Period.organization_id == org.id, Period.code == f"2026-{month:02d}"
            )
        ).one()
        tasks: dict[int, list[Task]] = {}
        for task in s.exec(select(Task).where(Task.period_id == period.id)):
            tasks.setdefault(task.person_id, []).append(task)
        for person_id, mine in tasks.items():
            general = {
                item: top - rng.choice((0, 0, 0, 0.5, 1))
                for item, top in zip(ITEMS, MAXIMA, strict=True)
            }
            assessment = SelfAssessment(
                person_id=person_id,
                period_id=period.id,
                status=AssessmentStatus.SUBMITTED,
                general=general,
                submitted_at=local(2026, month, 20, 9),
            )
            s.add(assessment)
            s.flush()
            for task in mine:
                status = rng.choices(("on_time", "exceeded", "late"), (6, 2, 1))[0]
                s.add(
                    TaskOutcome(
                        assessment_id=assessment.id,
                        task_id=task.id,
                        status=status,
                        delays=1 if status == "late" else 0,
                    )
                )


@pytest.fixture(scope="module")
def _published_year(tmp_path_factory):
    """The demo organization with January to November 2026 published, then the year 2026
    opened, closed and published on 1 December: built once for the module's tests."""
    folder = tmp_path_factory.mktemp("year")
    engine = database(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        rng = random.Random(2026)
        for month in MONTHS:
            load_demo(engine, date(2026, month, 3))  # the month with the staff's planned tasks
            submit_month(engine, month, rng)
            after = local(2026, month + 1, 10, 9)  # past every step of the month
            for step in ("close", "classify", "publish"):
                code = main(
                    ["cycle", step, "--org", ORG, "--period", f"2026-{month:02d}"],
                    clock=lambda at=after: at,
                )
                assert code == 0, (month, step)
        december = local(2026, 12, 1, 10)
        for step in ("open", "close", "publish"):
            assert main(["year", step, "--org", ORG], clock=lambda: december) == 0
    return engine


@pytest.fixture
def demo_year(_published_year, tmp_path, monkeypatch):
    """A copy of the published year of the demo organization, for one test to change;
    DATABASE_URL points the office's commands at it."""
    engine = copy_of(_published_year, tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_a_year_on_the_demo_gives_the_cores_annual_levels(demo_year):
    engine = demo_year
    with Session(engine) as s:
        people = {p.id: p for p in s.exec(select(Person))}
        ratings = {r.person_id: r for r in s.exec(select(YearRating))}
        scores: dict[int, dict[str, float]] = {}
        for result, period in s.exec(select(Result, Period).join(Period)):
            if result.score is not None and result.published_at is not None:
                scores.setdefault(result.person_id, {})[period.code] = result.score
    staff = [pid for pid in scores]
    assert len(staff) == 27 and len(ratings) == 40
    for pid in staff:
        rating = ratings[pid]
        assert [p["period"] for p in rating.periods] == [f"2026-{m:02d}" for m in MONTHS]
        assert rating.score == pytest.approx(round(mean(scores[pid].values()) + 1e-9, 2))
        assert rating.published_at is not None
    # the core on the same scores, by its public entry point, gives the same levels
    request = {
        "period": "2026",
        "ruleset": DEMO_RULESET,
        "people": [
            {
                "id": people[pid].code,
                "unit": str(people[pid].unit_id),
                "group": str(people[pid].group_id),
                "role": people[pid].role.value,
                "category": "cong_chuc",
                "periods": [{"period": c, "score": v} for c, v in sorted(scores[pid].items())],
            }
            for pid in staff
        ],
    }
    core = {p["id"]: p for p in classify(request, locale="vi")["people"]}
    for pid in staff:
        assert ratings[pid].score == core[people[pid].code]["score"]
        assert ratings[pid].level == core[people[pid].code]["level"], people[pid].code
    levels = {r.level for r in ratings.values() if r.level}
    assert "A" in levels and "B" in levels  # the quota kept some A and demoted others
    leaders = [r for pid, r in ratings.items() if pid not in scores]
    assert all(r.level is None for r in leaders)  # no rated month: not rated this year
