"""Discipline decisions and conclusions reach the classification core: every decision
(the core decides in which period each counts) and the conclusions dated within the month,
in the core's vocabulary (`storage.conclusions.core_entries`)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from core import classify
from storage.conclusions import core_entries, record, remove
from storage.db import transaction
from storage.models import Conclusion, DisciplineDecision, Organization, Period, Role
from storage.queries import classification_request
from tests.test_month import FULL, GOOD, Month, at


@pytest.fixture
def month(tmp_path) -> Month:
    return Month(tmp_path)


def test_core_entries_name_the_forms_and_flags_as_the_core_does():
    decisions = [
        DisciplineDecision(
            id=1, person_id=1, form="salary_downgrade", dated=date(2026, 11, 3), number="1"
        ),
        DisciplineDecision(
            id=2,
            person_id=1,
            form="expulsion",
            source="party",
            dated=date(2026, 10, 3),
            number="2",
            violation="v1",
            public_duty=False,
        ),
    ]
    conclusions = [
        Conclusion(person_id=1, kind=kind, dated=date(2026, 11, 5), number="3")
        for kind in ("degeneration", "party_prohibition", "unit_corruption")
    ]
    staff = core_entries(decisions, conclusions, Role.STAFF)
    assert staff["discipline"] == [
        {
            "form": "dismissal",
            "date": "2026-10-03",
            "source": "party",
            "public_duty": False,
            "violation": "v1",
        },
        {"form": "salary_downgrade", "date": "2026-11-03", "source": "admin", "public_duty": True},
    ]
    assert staff["flags"] == {"degeneration": True, "party_prohibition": True}  # not leaders'
    assert core_entries([], conclusions, Role.HEAD)["flags"] == {
        "degeneration": True,
        "party_prohibition": True,
        "unit_corruption": True,
    }
    assert core_entries([], [], Role.STAFF) == {}


def test_the_run_gets_every_decision_and_the_conclusions_dated_in_the_month(month):
    m = month
    m.tick(at(26, 8))
    m.assess("a1", scores=FULL)
    m.assess("tp01", scores=GOOD, propose="(B)")
    a1, head = m.person("a1"), m.person("tp01")
    with transaction(m.engine) as s:
        for entry in (
            DisciplineDecision(
                person_id=a1.id, form="warning", dated=date(2026, 9, 1), number="7/QĐ"
            ),
            DisciplineDecision(
                person_id=a1.id, form="reprimand", dated=date(2026, 12, 1), number="9/QĐ"
            ),
            Conclusion(
                person_id=a1.id, kind="example_violation", dated=date(2026, 10, 31), number="K1"
            ),
            Conclusion(
                person_id=head.id, kind="unit_corruption", dated=date(2026, 11, 30), number="K2"
            ),
            Conclusion(
                person_id=head.id, kind="example_violation", dated=date(2026, 11, 1), number="K3"
            ),
        ):
            record(s, entry, None, at(20, 9))
        removed = record(
            s,
            Conclusion(person_id=a1.id, kind="degeneration", dated=date(2026, 11, 2), number="K4"),
            None,
            at(20, 9),
        )
        remove(s, removed, None, at(20, 9))
    with Session(m.engine) as s:
        organization = s.exec(select(Organization)).one()
        period = s.exec(select(Period)).one()
        request = classification_request(s, organization, period).request
    people = {p["id"]: p for p in request["people"]}
    assert [d["date"] for d in people["a1"]["discipline"]] == ["2026-09-01"]  # not after
    assert "flags" not in people["a1"]  # October's conclusion; the removed one
    assert people["tp01"]["flags"] == {"unit_corruption": True, "example_violation": True}
    out = {p["id"]: p for p in classify(request, locale="vi")["people"]}
    assert out["tp01"]["level"] == "D"
    assert out["a1"]["rules_level"] == "A"  # a warning of September counts in September
