"""Fault benchmark: a worker killed with SIGKILL at random points while --people staff
(default 1,000) answer the self-assessment at once, through Telegram (the fake Bot API
server) and `python -m bot` (long polling), restarted at once after each kill as systemd
or Docker would.

Each person sends /assess, then types the 10 general scores of Mẫu 01, one at a time,
each after the bot's question for it: a score the bot confirmed (by asking the next
question) must be in the database at the end. The figures: kills, updates, time, answers
lost (must be 0), people not finished (must be 0), messages sent twice (the outbox's
documented at-least-once: a kill between the messenger's acceptance and the mark).
The time is mostly Telegram's pace, which the outbox sender keeps (30 messages a second
for the bot): 1,000 people get about 12,000 messages.

    python benchmarks/crash_bench.py
    python benchmarks/crash_bench.py --people 200 --kill-every 2
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54329/crash \\
        python benchmarks/crash_bench.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from storage.db import make_engine, migrate, transaction  # noqa: E402
from storage.models import (  # noqa: E402
    Identity,
    Organization,
    OutboxMessage,
    OutboxStatus,
    Period,
    PeriodStatus,
    Person,
    Role,
    RoleGroup,
    SelfAssessment,
    Task,
    Unit,
)
from tests.fake_telegram import FakeTelegram  # noqa: E402

FIRST_CHAT = 10_000
# What each person types for the 10 general items of Mẫu 01, in the form's order.
ANSWERS = {
    "politics_ethics_culture": "5",
    "discipline": "4,5",
    "competence": "2,5",
    "meets_tasks": "2",
    "responsibility": "2,5",
    "service_coordination": "1,5",
    "breakthrough": "2,5",
    "hard_tasks": "2",
    "accountability": "2,5",
    "initiative": "1",
}


def populate(url: str, people: int) -> None:
    """One organization, 10 units, `people` staff with two tasks each, this month open."""
    today = datetime.now(UTC).date()
    engine = make_engine(url)
    with transaction(engine) as s:
        org = Organization(code="so-crash", name="Sở Thử nghiệm", ruleset="agency-monthly")
        s.add(org)
        s.flush()
        group = RoleGroup(organization_id=org.id, code="cv", name="Chuyên viên")
        s.add(group)
        period = Period(
            organization_id=org.id,
            code=f"{today:%Y-%m}",  # this month, so that the cycle leaves it open
            status=PeriodStatus.OPEN,
            deadline=datetime.now(UTC) + timedelta(days=2),
        )
        s.add(period)
        s.flush()
        s.execute(
            insert(Unit),
            [{"organization_id": org.id, "code": f"u{n}", "name": f"Phòng {n}"} for n in range(10)],
        )
        units = [u.id for u in s.execute(Unit.__table__.select())]
        s.execute(
            insert(Person),
            [
                {
                    "organization_id": org.id,
                    "code": f"p{n:05d}",
                    "full_name": f"Nguyễn Văn Người {n}",
                    "unit_id": units[n % 10],
                    "group_id": group.id,
                    "role": Role.STAFF,
                    "category": "CIVIL_SERVANT",
                    "language": "vi",
                    "active": True,
                    "created_at": datetime.now(UTC),
                }
                for n in range(people)
            ],
        )
        ids = list(s.execute(select(Person.id).order_by(Person.id)).scalars())
        s.execute(
            insert(Task),
            [
                {
                    "person_id": pid,
                    "period_id": period.id,
                    "title": f"Nhiệm vụ số {k + 1}",
                    "deadline": today + timedelta(days=1),
                    "position": k + 1,
                    "created_at": datetime.now(UTC),
                }
                for pid in ids
                for k in range(2)
            ],
        )
        s.execute(
            insert(Identity),
            [
                {
                    "person_id": pid,
                    "platform": "telegram",
                    "user_id": str(FIRST_CHAT + n),
                    "chat_id": str(FIRST_CHAT + n),
                    "created_at": datetime.now(UTC),
                }
                for n, pid in enumerate(ids)
            ],
        )
    engine.dispose()


class Worker:
    """`python -m bot`, killed and started again."""

    def __init__(self, server: FakeTelegram, url: str, folder: str) -> None:
        self.environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": server.token,
            "TELEGRAM_API_URL": server.base_url,
            "DATABASE_URL": url,
            "LEASE_SECONDS": "3",
        }
        self.folder = folder
        self.log = open(Path(folder) / "worker.log", "ab")  # noqa: SIM115 (closed by stop)
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=self.folder,
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    def kill_and_restart(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)
        self.log.close()


async def person(server: FakeTelegram, chat: int, deadline: float, confirmed: Counter) -> bool:
    """/assess and the 10 scores, each after its question; whether all were confirmed."""

    async def asked(n: int, since: int) -> bool:
        marker = f"Tiêu chí chung {n}/10" if n <= 10 else "Nhiệm vụ 1/2"
        while time.monotonic() < deadline:
            if any(marker in m.get("text", "") for m in server.sent(chat)[since:]):
                return True
            await asyncio.sleep(0.2)
        return False

    since = len(server.sent(chat))
    server.send_text(chat, "/assess")
    if not await asked(1, since):
        return False
    for n, value in enumerate(ANSWERS.values(), start=1):
        since = len(server.sent(chat))
        server.send_text(chat, value)
        if not await asked(n + 1, since):
            return False
        confirmed["answers"] += 1
    return True


async def run(url: str, people: int, kill_every: float, seed: int) -> dict[str, float]:
    shuffle = random.Random(seed)
    async with FakeTelegram(max_poll_wait=0.5) as server:
        with tempfile.TemporaryDirectory() as folder:
            worker = Worker(server, url, folder)
            worker.start()
            await server.wait_for_call("getUpdates", timeout=120)
            started = time.monotonic()
            deadline = started + 3600
            confirmed: Counter[str] = Counter()
            people_done = asyncio.gather(
                *(person(server, FIRST_CHAT + n, deadline, confirmed) for n in range(people))
            )
            while not people_done.done():
                since = len(server.calls)  # up again: it polls before it may be killed
                await server.wait_for_call("getUpdates", timeout=120, since=since)
                try:
                    await asyncio.wait_for(
                        asyncio.shield(people_done), shuffle.uniform(0.1, 2) * kill_every
                    )
                except TimeoutError:
                    worker.kill_and_restart()
                    print(
                        f"  kill {worker.kills} at {time.monotonic() - started:.0f} s: "
                        f"{confirmed['answers']:,} answers confirmed so far"
                    )
            finished = sum(await people_done)
            elapsed = time.monotonic() - started
            await asyncio.sleep(2)  # the last marks
            worker.stop()
        # every message of a person's chat differs (an introduction, then each question):
        # the same text twice in a chat is a message sent twice
        texts = Counter(
            (c.params["chat_id"], c.params["text"]) for c in server.calls_to("sendMessage")
        )
    engine = make_engine(url)
    with transaction(engine) as s:
        assessments = {a.person_id: a.general for a in s.execute(select(SelfAssessment)).scalars()}
        sent_rows = s.execute(
            select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.SENT)
        ).all()
    engine.dispose()
    expected = {key: float(typed.replace(",", ".")) for key, typed in ANSWERS.items()}
    lost = sum(
        sum(1 for key, value in expected.items() if general.get(key) != value)
        for general in assessments.values()
    ) + len(ANSWERS) * (people - len(assessments))
    return {
        "kills": worker.kills,
        "updates": people * 11,
        "seconds": elapsed,
        "finished": finished,
        "lost": lost,
        "messages": sum(texts.values()),
        "twice": sum(n - 1 for n in texts.values()),
        "rows": len(sent_rows),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument(
        "--kill-every", type=float, default=5.0, help="seconds up, on average, between kills"
    )
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crash-bench-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/crash.db"
        print(f"database: {url.split('@')[-1]}, {args.people:,} people")
        migrate(url)
        populate(url, args.people)
        figures = asyncio.run(run(url, args.people, args.kill_every, args.seed))
    print(
        f"{figures['kills']} kills in {figures['seconds']:.0f} s; {figures['updates']:,} updates "
        f"({figures['updates'] / figures['seconds']:.0f}/s)"
    )
    print(f"people who finished: {figures['finished']:,} of {args.people:,}")
    print(f"confirmed answers lost: {figures['lost']}")
    print(
        f"messages sent: {figures['messages']:,} for {figures['rows']:,} outbox rows; "
        f"sent twice: {figures['twice']} (at least once by design: a kill within ~50 ms "
        "of the messenger's acceptance)"
    )
    return 0 if figures["lost"] == 0 and figures["finished"] == args.people else 1


if __name__ == "__main__":
    sys.exit(main())
