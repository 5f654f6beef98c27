"""Queries that scale: each step of the month (reminders, the close with its late lists and
review reminders, the end of the heads' review, the classification run, publication with
its digests) reads what it needs in a number of queries that does not grow with the number
of people and units. Counted with SQLAlchemy's `before_cursor_execute` on an organization
of N units and on one of 2N, the steps run through `run_step` as an administrator does."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from cycle.steps import run_step
from storage.db import transaction
from storage.models import (
    AssessmentStatus,
    Identity,
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
from tests.chat import database
from tests.conftest import general_total

# Hà Nội times of the steps, in UTC: a reminder, after the deadline (30/11 17:00), after
# the heads' review (2/12 17:00), after the director's (4/12 17:00), the publication
STEPS = (
    ("remind", datetime(2026, 11, 27, 1, tzinfo=UTC)),
    ("close", datetime(2026, 11, 30, 11, tzinfo=UTC)),
    ("close-returns", datetime(2026, 12, 2, 11, tzinfo=UTC)),
    ("classify", datetime(2026, 12, 4, 11, tzinfo=UTC)),
    ("publish", datetime(2026, 12, 7, 3, tzinfo=UTC)),
)


def organization(engine, units: int) -> int:
    """A director in the board, and `units` units of a head and four staff, everyone
    registered: in each unit the head and two staff submitted (equal scores: ties at the
    quota's cut), one returned for correction, one not submitted."""
    now = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with transaction(engine) as s:
        org = Organization(code="so-scale", name="Sở Thử nghiệm", ruleset="agency-monthly")
        s.add(org)
        s.flush()
        group = RoleGroup(organization_id=org.id, code="cv", name="Chuyên viên")
        period = Period(organization_id=org.id, code="2026-11", status=PeriodStatus.OPEN)
        board = Unit(organization_id=org.id, code="bgd", name="Ban Giám đốc")
        s.add_all([group, period, board])
        s.flush()
        people = [(board, Role.DIRECTOR, None)]
        for n in range(units):
            unit = Unit(organization_id=org.id, code=f"u{n}", name=f"Phòng {n}")
            s.add(unit)
            s.flush()
            people += [
                (unit, Role.HEAD, AssessmentStatus.SUBMITTED),
                (unit, Role.STAFF, AssessmentStatus.SUBMITTED),
                (unit, Role.STAFF, AssessmentStatus.SUBMITTED),
                (unit, Role.STAFF, AssessmentStatus.RETURNED),
                (unit, Role.STAFF, None),
            ]
        for number, (unit, role, status) in enumerate(people):
            person = Person(
                organization_id=org.id,
                code=f"p{number:03d}",
                full_name=f"Nguyễn Văn {number}",
                unit_id=unit.id,
                group_id=group.id,
                role=role,
            )
            s.add(person)
            s.flush()
            s.add(
                Identity(
                    person_id=person.id, platform="test", user_id=str(number), chat_id=str(number)
                )
            )
            if status is None:
                continue
            task = Task(person_id=person.id, period_id=period.id, title="Báo cáo", position=1)
            assessment = SelfAssessment(
                person_id=person.id,
                period_id=period.id,
                status=status,
                general=general_total(29),
                submitted_at=now,
            )
            s.add_all([task, assessment])
            s.flush()
            s.add(TaskOutcome(assessment_id=assessment.id, task_id=task.id, status="on_time"))
        return org.id


def reads_per_step(tmp_path, units: int) -> dict[str, int]:
    """The SELECT statements of each step of the month, for an organization of `units`."""
    folder = tmp_path / str(units)
    folder.mkdir()
    engine = database(folder)
    organization_id = organization(engine, units)
    reads = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(connection, cursor, statement, *_):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            reads[0] += 1

    counts, messages = {}, {}
    for step, now in STEPS:
        reads[0] = 0
        messages[step] = run_step(engine, organization_id, "2026-11", step, now)
        counts[step] = reads[0]
    engine.dispose()
    assert all(messages.values()), messages  # every step had work to do
    return counts


def test_each_step_of_the_month_reads_the_same_number_of_times_for_twice_the_people(tmp_path):
    small = reads_per_step(tmp_path, 3)
    assert reads_per_step(tmp_path, 6) == small
