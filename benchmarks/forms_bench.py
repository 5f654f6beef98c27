"""Benchmark of the official forms (papers/forms.py): the ZIP of Mẫu số 01 of a published
month and the ZIP of the annual forms for an organization of --people people (default
500) in --units units, on synthetic data in a migrated SQLite file. Prints the time of
each ZIP, forms a second, the ZIP's size and the peak of Python's memory (tracemalloc),
and the summary table's time.

    python benchmarks/forms_bench.py
    python benchmarks/forms_bench.py --people 2000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from papers import forms  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.forms import scope_of  # noqa: E402
from storage.models import (  # noqa: E402
    AssessmentStatus,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Result,
    Role,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskOutcome,
    Unit,
    YearRating,
    YearRound,
)

ITEMS = (
    ("politics_ethics_culture", 5),
    ("discipline", 5),
    ("competence", 2.5),
    ("meets_tasks", 2.5),
    ("responsibility", 2.5),
    ("service_coordination", 2.5),
    ("breakthrough", 2.5),
    ("hard_tasks", 2.5),
    ("accountability", 2.5),
    ("initiative", 2.5),
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Minh", "Quang", "Thu", "Đức", "Ngọc")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Đào", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Yến")
NOW = datetime(2026, 12, 14, 2, 0, tzinfo=UTC)


def populate(url: str, people: int, units: int, rng: random.Random) -> None:
    """An organization of `people` in `units` units: November 2026 published (4 planned
    tasks and an ad-hoc one each, a result), the year 2026 published (11 months each)."""
    engine = make_engine(url)
    with transaction(engine) as s:
        org = Organization(code="bench", name="Sở Nội vụ tỉnh Thử nghiệm")
        s.add(org)
        s.flush()
        group = RoleGroup(organization_id=org.id, code="cv", name="Chuyên viên")
        made_units = [
            Unit(organization_id=org.id, code=f"u{n}", name=f"Phòng Nghiệp vụ {n + 1}")
            for n in range(units)
        ]
        s.add(group)
        s.add_all(made_units)
        s.flush()
        period = Period(organization_id=org.id, code="2026-11", status=PeriodStatus.PUBLISHED)
        year = YearRound(
            organization_id=org.id,
            year=2026,
            status="published",
            opens_at=NOW,
            confirm_by=NOW,
            head_review_by=NOW,
            director_review_by=NOW,
            publish_at=NOW,
        )
        s.add(period)
        s.add(year)
        s.flush()
        staff = []
        for n in range(people):
            role = Role.HEAD if n < units else Role.STAFF
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            staff.append(
                Person(
                    organization_id=org.id,
                    code=f"p{n:05d}",
                    full_name=name,
                    unit_id=made_units[n % units].id,
                    group_id=group.id,
                    role=role,
                )
            )
        s.add_all(staff)
        s.flush()
        for person in staff:
            tasks = [
                Task(
                    person_id=person.id,
                    period_id=period.id,
                    title=f"Nhiệm vụ số {k} của tháng: tham mưu, tổng hợp, báo cáo",
                    position=k,
                    kind="planned" if k < 5 else "ad_hoc",
                )
                for k in range(1, 6)
            ]
            s.add_all(tasks)
            general = {key: top - rng.choice((0, 0, 0.5)) for key, top in ITEMS}
            assessment = SelfAssessment(
                person_id=person.id,
                period_id=period.id,
                status=AssessmentStatus.SUBMITTED,
                general=general,
            )
            s.add(assessment)
            s.flush()
            for task in tasks:
                late = rng.random() < 0.1
                s.add(
                    TaskOutcome(
                        assessment_id=assessment.id,
                        task_id=task.id,
                        status="late" if late else "on_time",
                        delays=1 if late else 0,
                    )
                )
            score = round(sum(general.values()) + 70 - rng.choice((0, 0, 5.83)), 2)
            level = "A" if score >= 90 else "B"
            s.add(
                Result(
                    person_id=person.id,
                    period_id=period.id,
                    score=score,
                    level=level,
                    computed_level=level,
                    breakdown={
                        "general": sum(general.values()),
                        "a": 1,
                        "b": 1,
                        "c": 0.75,
                        "tasks": 64.17,
                    },
                    reasons={"vi": [{"rule": "score.total", "text": f"Tổng điểm {score}/100."}]},
                    published_at=NOW,
                )
            )
            months = [
                {
                    "period": f"2026-{m:02d}",
                    "score": round(85 + 15 * rng.random(), 2),
                    "source": "ours",
                }
                for m in range(1, 12)
            ]
            mean = round(sum(p["score"] for p in months) / len(months), 2)
            s.add(
                YearRating(
                    round_id=year.id,
                    person_id=person.id,
                    periods=months,
                    score=mean,
                    computed_level="A" if mean >= 90 else "B",
                    level="B",
                    self_level="A" if mean >= 90 else "B",
                    head_decision="agree",
                    reasons={"vi": [{"rule": "year.mean", "text": f"Điểm trung bình {mean}."}]},
                    published_at=NOW,
                )
            )
    engine.dispose()


def measure(label: str, work) -> bytes:
    """The time of a run, then the peak memory of a second one (tracemalloc slows what it
    traces several times over: the time is taken without it)."""
    started = time.perf_counter()
    count, content = work()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label}: {count} forms in {elapsed:.1f} s ({count / elapsed:.1f} forms/s), "
        f"ZIP {len(content) / 1e6:.1f} MB, peak memory {peak / 1e6:.0f} MB"
    )
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--units", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate(url)
        populate(url, args.people, args.units, random.Random(11))
        engine = make_engine(url)
        with Session(engine) as session:
            org = session.get(Organization, 1)
            scope = scope_of(session, org)
            period = session.get(Period, 1)
            year = session.get(YearRound, 1)

            def month():
                files = forms.period_files(session, scope, period)
                return len(files), forms.forms_zip(files)

            def annual():
                files = forms.year_files(session, scope, year)
                return len(files), forms.forms_zip(files)

            print(f"{args.people} people in {args.units} units")
            measure("Mẫu số 01, 2026-11", month)
            measure("annual forms, 2026", annual)
            started = time.perf_counter()
            table = forms.year_summary(session, scope, year)
            print(
                f"summary table: {time.perf_counter() - started:.2f} s, {len(table) / 1e3:.0f} kB"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
