"""Builders of core inputs, so that each test states only what its rule is about."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import classify

ROOT = Path(__file__).resolve().parent.parent

# Full marks on the 10 general items of nd335 (Mẫu 01, 30 points).
FULL_GENERAL = {
    "politics_ethics_culture": 5,
    "discipline": 5,
    "competence": 2.5,
    "meets_tasks": 2.5,
    "responsibility": 2.5,
    "service_coordination": 2.5,
    "breakthrough": 2.5,
    "hard_tasks": 2.5,
    "accountability": 2.5,
    "initiative": 2.5,
}
# The six general keys of version 1, refused by version 2.
V1_GENERAL = {
    "politics": 6,
    "culture": 6,
    "discipline": 6,
    "responsibility": 6,
    "service": 3,
    "innovation": 3,
}
# Full marks on the nd90 ruleset's general criteria.
FULL_GENERAL_ND90 = {"politics": 10, "ethics": 10, "style": 10, "discipline": 10}


def task(id: str = "t1", status: str = "on_time", **fields) -> dict:
    return {"id": id, "status": status, **fields}


def person(
    id: str = "nv01",
    *,
    unit: str = "u1",
    group: str = "g1",
    role: str = "staff",
    general: dict | None = None,
    tasks: list | None = None,
    **fields,
) -> dict:
    return {
        "id": id,
        "unit": unit,
        "group": group,
        "role": role,
        "general": dict(FULL_GENERAL if general is None else general),
        "tasks": [task()] if tasks is None else tasks,
        **fields,
    }


def nd90_person(id: str = "nv01", **fields) -> dict:
    fields.setdefault("general", FULL_GENERAL_ND90)
    return person(id, **fields)


def general_total(points: float) -> dict:
    """The 10 general items adding up to `points` of 30 (in half points)."""
    general = dict(FULL_GENERAL)
    missing = round(30 - points, 2)
    for key in general:
        taken = min(general[key], missing)
        general[key] = general[key] - taken
        missing = round(missing - taken, 2)
    return general


def year_person(id: str = "nv01", *, scores=None, statuses=None, **fields) -> dict:
    """A person of a year roll-up: twelve months scored `scores` (one or twelve);
    `statuses` (worked, maternity, away) as nd90 reads them."""
    if scores is None or isinstance(scores, int | float):
        scores = [85.0 if scores is None else scores] * 12
    statuses = statuses or ["worked"] * 12
    periods = []
    for m, (score, status) in enumerate(zip(scores, statuses, strict=True), start=1):
        entry = {"period": f"{fields.get('year', 2026)}-{m:02d}"}
        if status != "worked":
            entry["status"] = status
        elif score is not None:
            entry["score"] = score
        periods.append(entry)
    fields.pop("year", None)
    base = {
        "id": id,
        "unit": fields.pop("unit", "u1"),
        "group": fields.pop("group", "g1"),
        "role": fields.pop("role", "staff"),
        "periods": periods,
    }
    return base | fields


def run(
    people: list[dict], period: str = "2026-10", *, locale: str = "en", ruleset=None, **top
) -> dict:
    return classify({"period": period, "people": people, **top}, ruleset=ruleset, locale=locale)


def result_of(result: dict, pid: str = "nv01") -> dict:
    return next(p for p in result["people"] if p["id"] == pid)


def rules_of(person_result: dict) -> list[str]:
    return [r["rule"] for r in person_result["reasons"]]


def warning_codes(result: dict, pid: str | None = None) -> list[str]:
    return [w["code"] for w in result["warnings"] if pid is None or w["person"] == pid]


def levels(result: dict) -> dict[str, str]:
    return {p["id"]: p["level"] for p in result["people"]}


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`python -m core ...` as another front end would call it."""
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session", autouse=True)
def _no_default_database(tmp_path_factory):
    """Tests never write to the real home: the user data directory (where the default
    database is) is a temporary folder for the whole run, commands started by the tests
    included, and it must still be empty at the end: every test names its database."""
    data_home = tmp_path_factory.mktemp("data-home")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_DATA_HOME", str(data_home))
    yield
    patch.undo()
    used = sorted(str(p.relative_to(data_home)) for p in data_home.rglob("*"))
    assert not used, f"a test used the default database instead of its own: {used}"


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture(autouse=True)
def _dispose_engines():
    """The test databases' connections closed after each test (PostgreSQL: a server has
    a hundred)."""
    from tests.chat import dispose_engines

    yield
    dispose_engines()
