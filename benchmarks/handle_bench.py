"""Benchmark of the conversations' database work per update: the demo Sở (40 people in
5 units, this month open, the staff's planned tasks) grown to --people registered people
(default 1,000), in a migrated SQLite database (or DATABASE_URL).

It drives typical updates through the conversations' entry point
(`handlers.dispatcher.handle`, with the outbox, as `delivery.inbound.receive` calls it):
for each of --repeat staff members (default 50) /menu, /assess, a score button of the
assessment pressed and the next score typed; /status for as many unit heads. It prints,
per update kind, the mean time and the number of SQL statements (counted by an
SQLAlchemy `before_cursor_execute` listener); --show prints the statements of the last
update of each kind.

    python benchmarks/handle_bench.py
    python benchmarks/handle_bench.py --people 5000 --repeat 100 --show
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select  # noqa: E402

from handlers.dispatcher import handle  # noqa: E402
from handlers.events import Incoming, Reply, payload_to_replies  # noqa: E402
from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.demo import load_demo  # noqa: E402
from storage.models import Identity, OutboxMessage, Person, Role  # noqa: E402

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, the month open
PLATFORM = "bench"


def populate(url: str, people: int) -> tuple[list[str], list[str]]:
    """The demo grown to `people`, everyone registered; the chats of staff and of heads."""
    engine = make_engine(url)
    organization = load_demo(engine, NOW.date())
    with transaction(engine) as s:
        demo = s.execute(select(Person).where(Person.organization_id == organization.id))
        demo = [row[0] for row in demo]
        staff = [p for p in demo if p.role is Role.STAFF]
        extra = [
            {
                "organization_id": organization.id,
                "code": f"bench-{n:06d}",
                "full_name": f"Nguyễn Văn Người {n}",
                "unit_id": staff[n % len(staff)].unit_id,
                "group_id": staff[n % len(staff)].group_id,
                "role": Role.STAFF,
                "category": "CIVIL_SERVANT",
                "language": "vi",
                "active": True,
                "created_at": NOW,
            }
            for n in range(max(0, people - len(demo)))
        ]
        if extra:
            s.execute(insert(Person), extra)
        everyone = s.execute(
            select(Person.id, Person.role).where(Person.organization_id == organization.id)
        ).all()
        s.execute(
            insert(Identity),
            [
                {
                    "person_id": pid,
                    "platform": PLATFORM,
                    "user_id": f"u{pid}",
                    "chat_id": f"u{pid}",
                    "created_at": NOW,
                }
                for pid, _ in everyone
            ],
        )
    engine.dispose()
    demo_staff = {p.id for p in staff}  # with planned tasks: first in line
    ordered = sorted(everyone, key=lambda row: (row[0] not in demo_staff, row[0]))
    return (
        [f"u{pid}" for pid, role in ordered if role is Role.STAFF],
        [f"u{pid}" for pid, role in ordered if role is Role.HEAD],
    )


class Counter:
    """The SQL statements the engine runs (texts kept for --show)."""

    def __init__(self, engine) -> None:
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn, _cursor, statement, _parameters, _context, _many) -> None:
        self.statements.append(statement)


def send(
    engine, counter: Counter, chat: str, now: datetime, **fields
) -> tuple[float, list[str], list[Reply]]:
    """One update through `handle`: seconds, its statements, the replies it wrote."""
    incoming = Incoming(
        platform=PLATFORM, chat_id=chat, user_id=chat, update_id=uuid.uuid4().hex, **fields
    )
    counter.statements.clear()
    start = time.perf_counter()
    handle(engine, incoming, now=now, outbox=True)
    seconds = time.perf_counter() - start
    statements = list(counter.statements)
    with transaction(engine) as s:  # the replies, as the sender reads them (not counted)
        row = s.execute(
            select(OutboxMessage.payload)
            .where(OutboxMessage.chat_id == chat)
            .order_by(OutboxMessage.id.desc())
        ).first()
    replies = payload_to_replies(row[0]) if row else []
    return seconds, statements, replies


def score_button(replies: list[Reply]) -> str:
    """The payload of the highest score offered for the question asked."""
    payloads = [
        b.payload
        for r in replies
        for row in r.buttons
        for b in row
        if b.payload.startswith("as:c:")
    ]
    if not payloads:
        raise SystemExit(f"no score button in: {[r.text for r in replies]}")
    return max(payloads, key=lambda p: float(p.rsplit(":", 1)[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--show", action="store_true", help="print the statements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="handle-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        print(f"database: {url.split('@')[-1]}")
        started = time.perf_counter()
        migrate(url)
        staff, heads = populate(url, args.people)
        print(
            f"populated: {len(staff) + len(heads):,} people ({time.perf_counter() - started:.1f} s)"
        )
        engine = make_engine(url)
        counter = Counter(engine)
        figures: dict[str, list[tuple[float, int]]] = defaultdict(list)
        shown: dict[str, list[str]] = {}

        clock = (NOW + timedelta(seconds=n) for n in itertools.count())  # a second apart

        def measure(kind: str, chat: str, **fields) -> list[Reply]:
            seconds, statements, replies = send(engine, counter, chat, next(clock), **fields)
            figures[kind].append((seconds, len(statements)))
            shown[kind] = statements
            return replies

        send(engine, counter, staff[0], NOW, text="/menu")  # warm-up: caches, connections
        for chat in staff[: args.repeat]:
            measure("/menu", chat, text="/menu")
            replies = measure("/assess", chat, text="/assess")
            replies = measure("score pressed", chat, payload=score_button(replies), message_id=1)
            typed = score_button(replies).rsplit(":", 1)[1]
            measure("score typed", chat, text=typed)
        for chat in (heads * args.repeat)[: args.repeat]:
            measure("/status (head)", chat, text="/status")
        engine.dispose()
    print(f"{'update':16} {'mean ms':>8} {'statements':>11}  (mean of {args.repeat})")
    for kind, rows in figures.items():
        mean = sum(s for s, _ in rows) / len(rows) * 1000
        statements = sum(c for _, c in rows) / len(rows)
        print(f"{kind:16} {mean:8.2f} {statements:11.1f}")
        if args.show:
            for statement in shown.get(kind, []):
                print("      " + " ".join(statement.split())[:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())
