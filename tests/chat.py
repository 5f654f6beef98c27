"""Drive the conversations through their public entry point, `handlers.dispatcher.handle`,
as a messenger adapter would: text in, button presses by label, replies out."""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from handlers.dispatcher import ChatSettings, handle
from handlers.events import Incoming, Reply
from storage import invites
from storage.db import make_engine, migrate, transaction
from storage.models import (
    Organization,
    Period,
    PeriodStatus,
    Person,
    Role,
    RoleGroup,
    Task,
    Unit,
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, 20/11/2026
_update_ids = itertools.count(1)


# TEST_POSTGRESQL: a server URL (postgresql+psycopg://user@127.0.0.1:5432/postgres) on
# which `database` gives each test a fresh database instead of a SQLite file; `.ci/run`
# runs the suite so a second time.
POSTGRESQL = os.environ.get("TEST_POSTGRESQL")


def database(tmp_path: Path) -> Engine:
    """A migrated database of the test's own: a SQLite file, or with TEST_POSTGRESQL a
    PostgreSQL database copied from a migrated template (fast: no migration per test)."""
    if POSTGRESQL:
        return _postgresql_database()
    url = f"sqlite:///{tmp_path / 'test.db'}"
    migrate(url)
    return make_engine(url)


def copy_of(engine: Engine, folder: Path) -> Engine:
    """A new database holding what `engine`'s holds (a copy of its SQLite file into
    `folder`, or of its PostgreSQL database): a prepared state used many times."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        with engine.connect() as connection:  # the write-ahead log into the file first
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(url.database, folder / "copy.db")
        return make_engine(f"sqlite:///{folder / 'copy.db'}")
    name = f"danhgia_test_{uuid.uuid4().hex[:16]}"
    engine.dispose()  # a template database must have no session open
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    finally:
        admin.dispose()
    return _server_engine(url.set(database=name))


def _server_engine(url) -> Engine:
    """An engine on a test database of the PostgreSQL server, disposed of after the test
    (`dispose_engines`, tests/conftest.py): the suite makes thousands."""
    engine = create_engine(url, pool_size=2, max_overflow=3)
    ENGINES.append(engine)
    return engine


ENGINES: list[Engine] = []


def dispose_engines() -> None:
    while ENGINES:
        ENGINES.pop().dispose()


def _postgresql_database() -> Engine:
    server = make_url(POSTGRESQL)
    template = f"danhgia_test_template_{_head()}"
    name = f"danhgia_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            # one template per migration head, made by the first test worker that needs it
            connection.execute(text("SELECT pg_advisory_lock(20261201)"))
            try:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": template}
                ).first()
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{template}"'))
                    migrate(server.set(database=template).render_as_string(hide_password=False))
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(20261201)"))
    finally:
        admin.dispose()
    return _server_engine(server.set(database=name))


def _head() -> str:
    """The newest migration's revision: a new migration makes a new template."""
    versions = Path(__file__).resolve().parent.parent / "storage" / "migrations" / "versions"
    return max(p.name.split("_", 1)[0] for p in versions.glob("[0-9]*_*.py"))


# The 10 general items of NĐ 335 (Mẫu 01), in their order: 30 points at most.
TOP = (5, 5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5)
# 18 general points: with every task done, 18 + 70 = 88, "Hoàn thành tốt nhiệm vụ (B)"
GOOD = (5, 5, 2.5, 2.5, 2.5, 0.5, 0, 0, 0, 0)


def add_people(
    session,
    organization_id: int,
    people: list[tuple[str, str, int, int, Role]],
    period_id: int,
    *,
    invited_at: datetime,
    title: str = "Nhiệm vụ {n} của {name}",
) -> dict[str, tuple[Person, str]]:
    """People of an organization, `people` as (code, name, unit id, group id, role), each
    with two planned tasks of the period due 25/11/2026 (titled `title`) and an invite
    issued at `invited_at`: {code: (the person, the invite code)}."""
    made = {}
    for code, name, unit_id, group_id, role in people:
        person = Person(
            organization_id=organization_id,
            code=code,
            full_name=name,
            unit_id=unit_id,
            group_id=group_id,
            role=role,
        )
        session.add(person)
        session.flush()
        for n in (1, 2):
            session.add(
                Task(
                    person_id=person.id,
                    period_id=period_id,
                    title=title.format(n=n, name=name),
                    deadline=date(2026, 11, 25),
                    position=n,
                )
            )
        made[code] = (person, invites.issue(session, person, now=invited_at)[0])
    return made


def small_organization(
    engine: Engine,
    *,
    status: PeriodStatus = PeriodStatus.OPEN,
    language: str = "vi",
    tasks: int = 2,
    ruleset: str | None = "agency-monthly",
) -> dict[str, str]:
    """One unit, a head and two staff; nv01 has `tasks` planned tasks. Returns codes.
    The ruleset: the seeds' monthly practice by default (a monthly quota, the exemplary
    reward); None for the law's (`nd335` from 2026)."""
    with transaction(engine) as s:
        org = Organization(code="so-test", name="Sở Thử nghiệm", ruleset=ruleset)
        s.add(org)
        s.flush()
        unit = Unit(organization_id=org.id, code="to-chuc", name="Phòng Tổ chức")
        group = RoleGroup(organization_id=org.id, code="chuyen-vien", name="Chuyên viên")
        s.add(unit)
        s.add(group)
        s.flush()
        people = {}
        for code, name, role in [
            ("tp01", "Nguyễn Văn Hùng", Role.HEAD),
            ("nv01", "Trần Thị Mai", Role.STAFF),
            ("nv02", "Lê Minh Tuấn", Role.STAFF),
        ]:
            person = Person(
                organization_id=org.id,
                code=code,
                full_name=name,
                unit_id=unit.id,
                group_id=group.id,
                role=role,
                language=language,
            )
            s.add(person)
            s.flush()
            people[code] = person
        period = Period(
            organization_id=org.id,
            code="2026-11",
            status=status,
            deadline=datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
        )
        s.add(period)
        s.flush()
        for i in range(tasks):
            s.add(
                Task(
                    person_id=people["nv01"].id,
                    period_id=period.id,
                    title=f"Nhiệm vụ số {i + 1}",
                    deadline=date(2026, 11, 25),
                    position=i + 1,
                )
            )
        codes = {code: invites.issue(s, person, now=NOW)[0] for code, person in people.items()}
    return codes


class Chat:
    def __init__(
        self,
        engine: Engine,
        chat_id: str = "100",
        platform: str = "test",
        now: datetime = NOW,
        language: str | None = None,
    ) -> None:
        self.engine = engine
        self.chat_id = chat_id
        self.platform = platform
        self.now = now
        self.language = language
        self.replies: list[Reply] = []

    def _handle(self, **fields) -> list[Reply]:
        incoming = Incoming(
            platform=self.platform,
            chat_id=self.chat_id,
            user_id=self.chat_id,
            update_id=str(next(_update_ids)),
            language=self.language,
            **fields,
        )
        self.replies = handle(self.engine, incoming, ChatSettings(), now=self.now)
        return self.replies

    def send(self, text: str) -> list[Reply]:
        return self._handle(text=text)

    def press(self, label: str) -> list[Reply]:
        """Press the button whose label contains `label` in the last replies."""
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    if label in button.label:
                        return self._handle(payload=button.payload, message_id=1)
        raise AssertionError(f"no button {label!r} in: {self.labels()}")

    def score(self, value: float) -> list[Reply]:
        """Press the score button worth `value` (a general criterion, self or reviewer)."""
        wanted = f":{value:g}"
        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    scoring = button.payload.startswith(("as:c:", "rv:gs:"))
                    if scoring and button.payload.endswith(wanted):
                        return self._handle(payload=button.payload, message_id=1)
        raise AssertionError(f"no score {value} in: {self.labels()}")

    def score_all(self, values=TOP) -> list[Reply]:
        """Answer the general criteria one by one with `values` (the highest by default)."""
        for value in values:
            self.score(value)
        return self.replies

    def labels(self) -> list[str]:
        return [b.label for r in self.replies for row in r.buttons for b in row]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    def later(self, **delta: float) -> Chat:
        self.now = self.now + timedelta(**delta)
        return self
