"""Benchmark of the exports' writers (papers/exports.py): the ratings of a month of --people
people (default 2,000) in --units units (default 20), as Excel and as CSV, and their audit
trail (--changes per person, default 10), each best of --repeat (default 3).

It prints, for each, the time, the rows per second, the file's size and the peak of the
memory Python allocated while writing (tracemalloc, measured in a separate run: tracing
slows the writing down). The rows are made up with the shape the database gives
(`storage.exports`): the score's breakdown, two reasons, a warning for one person in ten,
the reviewers' decisions. Then the whole command, `admin export --period` in Excel and in
CSV, on a database of as many people with their results (as status_bench.py fills it, a
SQLite file, or DATABASE_URL): the queries, the writing and the file.

    python benchmarks/exports_bench.py
    python benchmarks/exports_bench.py --people 20000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from benchmarks.status_bench import populate  # noqa: E402
from bot.admin import main as admin  # noqa: E402
from papers.exports import audit_csv, audit_workbook, ratings_csv, ratings_workbook  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.exports import AuditRow, Decision, RatingRow, RatingsExport  # noqa: E402
from storage.models import Period, Person, Result  # noqa: E402

GIVEN = ["An", "Bình", "Chi", "Dũng", "Đức", "Hà", "Hùng", "Lan", "Mai", "Nam", "Thảo", "Tuấn"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]


def ratings(people: int, units: int, rng: random.Random) -> RatingsExport:
    rows = []
    for n in range(people):
        unit = n % units
        level = rng.choice("AABBBBBBCD")
        a, b, c = (rng.choice((1.0, 1.0, 0.875, 0.75)) for _ in range(3))
        general = 30 - rng.choice((0, 0, 0.5, 1, 2))
        tasks = round(70 * (a + b + c) / 3, 2)
        rows.append(
            RatingRow(
                code=f"u{unit:03d}-{n:05d}",
                full_name=f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}",
                role="staff",
                unit_code=f"u{unit:03d}",
                unit_name=f"Phòng chuyên môn số {unit + 1}",
                group_name="Chuyên viên",
                score=general + tasks,
                breakdown={"general": general, "a": a, "b": b, "c": c, "tasks": tasks},
                computed_level=level,
                level=level,
                reasons=(
                    f"Tổng điểm {general + tasks:.2f} (tiêu chí chung {general}, kết quả "
                    f"thực hiện nhiệm vụ {tasks}): mức xếp loại theo điểm.",
                    "Căn cứ đánh giá: Nghị định 335/2025/NĐ-CP.",
                ),
                warnings=("Có nhiệm vụ không hoàn thành hai tháng liền.",) if n % 10 == 0 else (),
                status="submitted",
                self_level=level,
                comment=None,
                head=Decision("agree", reviewer="Trần Văn Trưởng"),
                director=Decision("change", "C", "Chưa đạt yêu cầu", "Ngô Thị Giám Đốc")
                if n % 50 == 0
                else None,
                published=True,
            )
        )
    return RatingsExport(
        organization="Sở Nội vụ tỉnh Thử nghiệm",
        organization_code="so-thu",
        period_code="2026-11",
        units=tuple((f"u{u:03d}", f"Phòng chuyên môn số {u + 1}") for u in range(units)),
        rows=tuple(rows),
        quota=(),
        unit_names={},
        group_names={},
    )


def audit(data: RatingsExport, per_person: int) -> list[AuditRow]:
    start = datetime(2026, 11, 20, 2, tzinfo=UTC)
    rows = []
    for n, person in enumerate(data.rows):
        for k in range(per_person):
            rows.append(
                AuditRow(
                    at=start + timedelta(minutes=n + k),
                    actor=person.full_name if k % 2 else None,
                    person_code=person.code,
                    person=person.full_name,
                    unit=person.unit_name,
                    entity="self_assessment" if k % 2 else "result",
                    field="general.discipline" if k % 2 else "level",
                    before=4.5 if k % 2 else None,
                    after=5 if k % 2 else "B",
                    reason=None,
                )
            )
    return rows


def measure(label: str, rows: int, repeat: int, write: Callable[[], bytes]) -> None:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(write())
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    write()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    best = min(times)
    print(
        f"{label:<24} {rows:>7,} rows  {best:7.3f} s  {rows / best:>9,.0f} rows/s  "
        f"{size / 1e6:6.2f} MB  peak {peak / 1e6:6.1f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = ratings(args.people, args.units, random.Random(11))
    trail = audit(data, args.changes)
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    print(f"{args.people:,} people in {args.units} units, {len(trail):,} audit rows")
    measure("ratings .xlsx", len(data.rows), args.repeat, lambda: ratings_workbook(data))
    measure("ratings .csv", len(data.rows), args.repeat, lambda: ratings_csv(data))
    measure(
        "audit trail .xlsx",
        len(trail),
        args.repeat,
        lambda: audit_workbook(trail, data.organization, "2026-11", zone),
    )
    measure("audit trail .csv", len(trail), args.repeat, lambda: audit_csv(trail, zone))
    with tempfile.TemporaryDirectory(prefix="exports-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        migrate(url)
        populate(url, args.people, args.units)
        with_results(url, data)
        os.environ["DATABASE_URL"] = url
        for fmt in ("xlsx", "csv"):
            out = Path(folder) / f"export.{fmt}"
            command = ["export", "--org", "so-bench", "--period", "2026-11", "--out", str(out)]
            measure(
                f"admin export .{fmt}",
                args.people,
                args.repeat,
                lambda c=command, o=out: _run(c, o),
            )
    return 0


def with_results(url: str, data: RatingsExport) -> None:
    """A published result for everyone of the database, with the made-up rows' numbers."""
    engine = make_engine(url)
    with transaction(engine) as s:
        period = s.exec(select(Period)).first()
        ids = [p.id for p in s.exec(select(Person).order_by(Person.id))]
        now = datetime(2026, 12, 7, 2, tzinfo=UTC)
        rows = []
        for person_id, row in zip(ids, data.rows, strict=False):
            reasons = [{"rule": "score", "text": text} for text in row.reasons]
            rows.append(
                {
                    "person_id": person_id,
                    "period_id": period.id,
                    "score": row.score,
                    "breakdown": row.breakdown,
                    "computed_level": row.computed_level,
                    "level": row.level,
                    "reasons": {"vi": reasons},
                    "reward_vnd": 0,
                    "published_at": now,
                }
            )
        s.execute(insert(Result), rows)
    engine.dispose()


def _run(command: list[str], out: Path) -> bytes:
    with open(os.devnull, "w") as quiet:
        stderr, sys.stderr = sys.stderr, quiet
        try:
            assert admin(command) == 0
        finally:
            sys.stderr = stderr
    return out.read_bytes()


if __name__ == "__main__":
    sys.exit(main())
