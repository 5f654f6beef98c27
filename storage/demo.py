"""The demo organization: a Sở Nội vụ of 40 people in 5 units, with the current month
open and the staff's planned tasks, to try the bot without a real roster.

The data are files in `examples/` (the roster as an agency would write it, and the tasks
with their deadlines as days of the month); loading them again changes nothing.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.db import ROOT, transaction
from storage.models import Organization, Period, PeriodStatus, Person, Task, TaskKind
from storage.queries import director_of, reviewer_of
from storage.roster import ensure_organization, import_roster, read_roster

DEMO_RULESET = "agency-monthly"  # the seeds' monthly practice (RULES.md)
DEMO_PERSON = "vp-03"  # a chuyên viên of the demo's Văn phòng Sở
DEMO_ROSTER = ROOT / "examples" / "demo-roster.csv"
DEMO_TASKS = ROOT / "examples" / "demo-tasks.json"
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE_TIME = time(17, 0)  # the self-assessment closes at the end of office hours


def demo_data(path: Path = DEMO_TASKS) -> dict:
    """The demo's organization (code, name) and tasks by person id."""
    return json.loads(path.read_text(encoding="utf-8"))


def load_demo(engine: Engine, today: date) -> Organization:
    """Load the demo organization, its month of `today` (open) and the staff's planned
    tasks, in one transaction. Idempotent: what exists already is left as it is.
    The schema must be migrated (storage.db.migrate)."""
    data = demo_data()
    rows = read_roster(DEMO_ROSTER)
    with transaction(engine) as session:
        organization, _ = ensure_organization(
            session, data["organization"]["code"], data["organization"]["name"]
        )
        organization.ruleset = organization.ruleset or DEMO_RULESET
        import_roster(session, organization, rows)
        period = month_period(session, organization, today)
        _add_tasks(session, organization, period, data["tasks"])
    return organization


def month_period(
    session: Session,
    organization: Organization,
    today: date,
    status: PeriodStatus = PeriodStatus.OPEN,
) -> Period:
    """The organization's period of `today`'s month (code "YYYY-MM"), created if missing
    with `status`, opening on the 1st and closing on the last day at 17:00 local time."""
    code = f"{today.year:04d}-{today.month:02d}"
    period = session.exec(
        select(Period).where(Period.organization_id == organization.id, Period.code == code)
    ).first()
    if period is None:
        last = calendar.monthrange(today.year, today.month)[1]
        period = Period(
            organization_id=organization.id,
            code=code,
            status=status,
            opens_at=_utc(date(today.year, today.month, 1), time(0, 0)),
            deadline=_utc(date(today.year, today.month, last), DEADLINE_TIME),
        )
        session.add(period)
        session.flush()
    return period


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TIMEZONE).astimezone(UTC)


def _add_tasks(
    session: Session, organization: Organization, period: Period, tasks: dict[str, list[dict]]
) -> None:
    year, month = (int(x) for x in period.code.split("-"))
    last = calendar.monthrange(year, month)[1]
    people = {
        p.code: p
        for p in session.exec(select(Person).where(Person.organization_id == organization.id))
    }
    for code, items in tasks.items():
        person = people[code]
        existing = {
            t.title
            for t in session.exec(
                select(Task).where(Task.person_id == person.id, Task.period_id == period.id)
            )
        }
        for position, item in enumerate(items):
            if item["title"] in existing:
                continue
            day = min(int(item["deadline_day"]), last)  # the 30th of February is its end
            session.add(
                Task(
                    person_id=person.id,
                    period_id=period.id,
                    kind=TaskKind.PLANNED,
                    title=item["title"],
                    deadline=date(year, month, day),
                    position=position,
                )
            )
    session.flush()


def demo_member(engine: Engine, organization: Organization, role: str) -> str:
    """The roster id to try the demo as: its staff member (`staff`), the head of that
    member's unit (`head`), who reviews the member, or the director (`director`)."""
    with Session(engine) as session:
        member = session.exec(
            select(Person).where(
                Person.organization_id == organization.id, Person.code == DEMO_PERSON
            )
        ).one()
        if role == "staff":
            return member.code
        reviewer = reviewer_of(session, member)
        if role == "head":
            return reviewer.code
        return director_of(session, organization.id).code
