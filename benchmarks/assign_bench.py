"""Benchmark of a head assigning a task in the chat (`/assign`): the demo Sở grown to
--people registered people (default 1,000; the extra ones spread over the demo's units),
the staff holding the job position "Chuyên viên tổng hợp" of the demo's catalogue
(examples/demo-catalogue.csv), on 03/12/2026 (December's plan open), in a migrated SQLite
database (or DATABASE_URL).

For --repeat assignments (default 50), the heads in turn: /assign (the people the head
leads, as buttons), a person pressed (the catalogue's search question), words sent (the
matching products), a product pressed (the deadline question), "End of month" pressed
(the task saved, the person told). It prints, per update, the mean time and the number of
SQL statements (`handle_bench`'s counter), and the size of the largest list of people.

    python benchmarks/assign_bench.py
    python benchmarks/assign_bench.py --people 5000 --repeat 100
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, update  # noqa: E402

from benchmarks.handle_bench import Counter, populate, send  # noqa: E402
from bot.admin import main as admin  # noqa: E402
from handlers.events import Reply  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.models import Person, Role, Task  # noqa: E402

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội: December's plan is open
POSITION = "Chuyên viên tổng hợp"


def payload(replies: list[Reply], start: str) -> str:
    """The first button whose payload starts with `start`."""
    for reply in replies:
        for row in reply.buttons:
            for button in row:
                if button.payload.startswith(start):
                    return button.payload
    raise SystemExit(f"no {start} button in: {[r.text for r in replies]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assign-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        os.environ["DATABASE_URL"] = url
        print(f"database: {url.split('@')[-1]}")
        started = time.perf_counter()
        migrate(url)
        _, heads = populate(url, args.people)
        engine = make_engine(url)
        with transaction(engine) as s:
            s.execute(update(Person).where(Person.role == Role.STAFF).values(job_position=POSITION))
        catalogue = ROOT / "examples" / "demo-catalogue.csv"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = admin(
                [
                    "import-catalogue",
                    str(catalogue),
                    "--org",
                    "so-noi-vu-demo",
                    "--effective",
                    "2026-01-01",
                ],
                clock=lambda: NOW,
            )
        if code != 0:
            raise SystemExit(f"import-catalogue exited {code}")
        print(f"populated: {args.people:,} people ({time.perf_counter() - started:.1f} s)")
        counter = Counter(engine)
        figures: dict[str, list[tuple[float, int]]] = defaultdict(list)
        clock = (NOW + timedelta(seconds=n) for n in itertools.count())
        largest = 0

        def measure(kind: str, chat: str, **fields) -> list[Reply]:
            seconds, statements, replies = send(engine, counter, chat, next(clock), **fields)
            figures[kind].append((seconds, len(statements)))
            return replies

        send(engine, counter, heads[0], NOW, text="/menu")  # warm-up: caches, connections
        for chat in (heads * args.repeat)[: args.repeat]:
            replies = measure("/assign", chat, text="/assign")
            largest = max(largest, sum(len(row) for r in replies for row in r.buttons) - 1)
            replies = measure("person pressed", chat, payload=payload(replies, "ag:to:"))
            replies = measure("words sent", chat, text="báo cáo")
            replies = measure("product pressed", chat, payload=payload(replies, "ag:pick:"))
            measure("deadline pressed", chat, payload="ag:due:end", message_id=1)
        with transaction(engine) as s:
            saved = s.execute(
                select(func.count()).select_from(Task).where(Task.assigned_by.is_not(None))
            ).scalar_one()
        engine.dispose()
    if saved != args.repeat:
        raise SystemExit(f"{saved} tasks assigned, {args.repeat} expected")
    print(f"{saved} tasks assigned; the largest list of people: {largest}")
    print(f"{'update':17} {'mean ms':>8} {'statements':>11}  (mean of {args.repeat})")
    for kind, rows in figures.items():
        mean = sum(s for s, _ in rows) / len(rows) * 1000
        statements = sum(c for _, c in rows) / len(rows)
        print(f"{kind:17} {mean:8.2f} {statements:11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
