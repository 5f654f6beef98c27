"""Benchmark of the month's classification run on a province: --people staff (default
5,000; try 50,000) with --tasks tasks each (default 10), every one submitted, in a
migrated SQLite database (or DATABASE_URL).

It times `cycle.steps.run_classification` (what the cycle's "run" step does: read the
month, classify once and render every language, write the results and their audit) and
counts its SQL statements, then the run again (as publication does: every result there,
rewritten), then times the core alone on the same input (`Classification.classify`, one
language), and prints them and the ratio of the first run to the core (target: under 3x
the core's own time).

    python benchmarks/run_bench.py
    python benchmarks/run_bench.py --people 50000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402

from cycle.steps import run_classification  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.models import (  # noqa: E402
    AssessmentStatus,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Role,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskOutcome,
    Unit,
)
from storage.queries import classification_request  # noqa: E402

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
# the 10 general items of Mẫu 01 (core/rulesets/nd335.toml): 29 of 30 points
GENERAL = {
    "politics_ethics_culture": 5,
    "discipline": 5,
    "competence": 2.5,
    "meets_tasks": 2.5,
    "responsibility": 2.5,
    "service_coordination": 2.5,
    "breakthrough": 2,
    "hard_tasks": 2.5,
    "accountability": 2.5,
    "initiative": 2,
}
OUTCOMES = ("exceeded", "on_time", "on_time", "on_time", "late", "on_time", "not_done")


def populate(url: str, people: int, tasks: int, units: int) -> None:
    engine = make_engine(url)
    with transaction(engine) as s:
        org = Organization(code="so-bench", name="Sở Thử nghiệm", ruleset="agency-monthly")
        s.add(org)
        s.flush()
        group = RoleGroup(organization_id=org.id, code="cv", name="Chuyên viên")
        period = Period(organization_id=org.id, code="2026-11", status=PeriodStatus.CLOSED)
        s.add(group)
        s.add(period)
        s.flush()
        s.execute(
            insert(Unit),
            [
                {"organization_id": org.id, "code": f"u{n:04d}", "name": f"Phòng số {n}"}
                for n in range(units)
            ],
        )
        unit_ids = [row[0] for row in s.execute(select(Unit.id))]
        s.execute(
            insert(Person),
            [
                {
                    "organization_id": org.id,
                    "code": f"p{n:06d}",
                    "full_name": f"Nguyễn Văn Người {n}",
                    "unit_id": unit_ids[n % units],
                    "group_id": group.id,
                    "role": Role.DIRECTOR if n == 0 else Role.STAFF,
                    "category": "CIVIL_SERVANT",
                    "language": "vi",
                    "active": True,
                    "created_at": NOW,
                }
                for n in range(people)
            ],
        )
        ids = [row[0] for row in s.execute(select(Person.id))]
        s.execute(
            insert(Task),
            [
                {
                    "person_id": pid,
                    "period_id": period.id,
                    "title": f"Nhiệm vụ {t + 1}",
                    "position": t + 1,
                    "kind": "PLANNED",
                    "weight": 1.0,
                    "created_at": NOW,
                }
                for pid in ids
                for t in range(tasks)
            ],
        )
        s.execute(
            insert(SelfAssessment),
            [
                {
                    "person_id": pid,
                    "period_id": period.id,
                    "status": AssessmentStatus.SUBMITTED,
                    "general": GENERAL,
                    "submitted_at": NOW,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for pid in ids
            ],
        )
        assessment_of = dict(s.execute(select(SelfAssessment.person_id, SelfAssessment.id)).all())
        s.execute(
            insert(TaskOutcome),
            [
                {
                    "assessment_id": assessment_of[person_id],
                    "task_id": task_id,
                    "status": OUTCOMES[task_id % len(OUTCOMES)],
                    "explanation_status": "approved",
                    "explanation": "Chờ ý kiến của cơ quan cấp trên",
                }
                for task_id, person_id in s.execute(select(Task.id, Task.person_id))
            ],
        )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--units", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="run-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        started = time.perf_counter()
        migrate(url)
        populate(url, args.people, args.tasks, args.units)
        print(
            f"populated: {args.people:,} people x {args.tasks} tasks "
            f"({time.perf_counter() - started:.1f} s)"
        )
        engine = make_engine(url)
        statements = [0]

        @event.listens_for(engine, "before_cursor_execute")
        def count(*_):
            statements[0] += 1

        times = []
        for name in ("classification run:", "run again:"):
            statements[0] = 0
            with transaction(engine) as s:
                organization = s.get(Organization, 1)
                period = s.get(Period, 1)
                started = time.perf_counter()
                run_classification(s, organization, period, NOW)
                s.flush()
            times.append(time.perf_counter() - started)
            print(f"{name:20} {times[-1]:7.2f} s, {statements[0]:,} SQL statements")
        run = times[0]
        with transaction(engine) as s:
            found = classification_request(s, s.get(Organization, 1), s.get(Period, 1))
        started = time.perf_counter()
        found.classify("vi")
        core = time.perf_counter() - started
        print(f"the core alone (vi): {core:7.2f} s")
        print(f"ratio:               {run / core:7.2f}  (target < 3)")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
