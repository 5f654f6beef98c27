"""Benchmark of /status on a province: --people staff (default 50,000) in --units units
(default 500), 60% of them submitted, in a migrated SQLite database (or DATABASE_URL).

It times /status through the conversations' entry point (`handlers.dispatcher.handle`,
as a messenger adapter calls it) for the director (every unit) and for a head (one unit),
and the "not submitted" list (`storage.periods.not_submitted`: the late list a head gets
at the deadline, and every unit's for the director), best of --repeat
(default 5), and prints the figures (target: under 100 ms each).

    python benchmarks/status_bench.py
    python benchmarks/status_bench.py --people 50000 --units 500
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from handlers.dispatcher import handle  # noqa: E402
from handlers.events import Incoming  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.models import (  # noqa: E402
    AssessmentStatus,
    Identity,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Role,
    RoleGroup,
    SelfAssessment,
    Unit,
)
from storage.periods import not_submitted, period_by_code  # noqa: E402
from storage.queries import person_of  # noqa: E402

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, before the deadline


def populate(url: str, people: int, units: int) -> tuple[str, str]:
    """The organization; the chat ids of its director and of one head."""
    engine = make_engine(url)
    with transaction(engine) as s:
        org = Organization(code="so-bench", name="Sở Thử nghiệm", ruleset="agency-monthly")
        s.add(org)
        s.flush()
        group = RoleGroup(organization_id=org.id, code="cv", name="Chuyên viên")
        s.add(group)
        period = Period(
            organization_id=org.id,
            code="2026-11",
            status=PeriodStatus.OPEN,
            deadline=datetime(2026, 11, 30, 10, tzinfo=UTC),
        )
        s.add(period)
        s.flush()
        s.execute(
            insert(Unit),
            [
                {"organization_id": org.id, "code": f"u{n:04d}", "name": f"Phòng số {n}"}
                for n in range(units)
            ],
        )
        unit_ids = [u.id for u in s.execute(Unit.__table__.select())]
        rows = []
        for n in range(people):
            role = Role.STAFF
            if n == 0:
                role = Role.DIRECTOR
            elif units <= n < 2 * units:  # one head in every unit
                role = Role.HEAD
            rows.append(
                {
                    "organization_id": org.id,
                    "code": f"p{n:06d}",
                    "full_name": f"Nguyễn Văn Người {n}",
                    "unit_id": unit_ids[n % units],
                    "group_id": group.id,
                    "role": role,
                    "category": "CIVIL_SERVANT",
                    "language": "vi",
                    "active": True,
                    "created_at": NOW,
                }
            )
        s.execute(insert(Person), rows)
        # by id: 60% of every unit submitted, not the first units whole
        ids = sorted(
            row[0] for row in s.execute(Person.__table__.select().with_only_columns(Person.id))
        )
        s.execute(
            insert(SelfAssessment),
            [
                {
                    "person_id": pid,
                    "period_id": period.id,
                    "status": AssessmentStatus.SUBMITTED,
                    "general": {},
                    "submitted_at": NOW,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for pid in ids[: people * 6 // 10]
            ],
        )
        director = s.execute(Person.__table__.select().where(Person.role == Role.DIRECTOR)).first()
        head = s.execute(Person.__table__.select().where(Person.role == Role.HEAD)).first()
        for person_id, chat in ((director.id, "director"), (head.id, "head")):
            s.add(Identity(person_id=person_id, platform="bench", user_id=chat, chat_id=chat))
    engine.dispose()
    return "director", "head"


def status(engine, chat: str) -> tuple[float, str]:
    """/status from the leader's chat: the seconds it takes and the length of the answer."""
    incoming = Incoming(
        platform="bench", chat_id=chat, user_id=chat, update_id=uuid.uuid4().hex, text="/status"
    )
    start = time.perf_counter()
    replies = handle(engine, incoming, now=NOW)
    return time.perf_counter() - start, f"{replies[0].text.count(chr(10)) + 1} lines"


def late_list(engine, chat: str) -> tuple[float, str]:
    """The "not submitted" list of the head's unit, or of every unit for the director: the
    seconds it takes (in a session of its own, as a step of the cycle) and its length."""
    with Session(engine) as session:
        leader = person_of(session, "bench", chat)
        period = period_by_code(session, leader.organization_id, "2026-11")
        unit = None if leader.role is Role.DIRECTOR else leader.unit_id
        start = time.perf_counter()
        names = not_submitted(session, leader.organization_id, period, unit)
        return time.perf_counter() - start, f"{len(names):,} names"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="status-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        print(f"database: {url.split('@')[-1]}")
        started = time.perf_counter()
        migrate(url)
        populate(url, args.people, args.units)
        print(
            f"populated: {args.people:,} people in {args.units} units "
            f"({time.perf_counter() - started:.1f} s)"
        )
        engine = make_engine(url)
        worst = 0.0
        for name, measure in (("/status", status), ("not submitted", late_list)):
            for who in ("director", "head"):
                runs = [measure(engine, who) for _ in range(args.repeat)]
                best, shown = min(runs)
                worst = max(worst, best)
                print(
                    f"{name}, {who:8}: {best * 1000:7.1f} ms best of {args.repeat} "
                    f"({shown}; target < 100 ms)"
                )
        engine.dispose()
    return 0 if worst < 0.1 else 1


if __name__ == "__main__":
    sys.exit(main())
