"""Rules 5-7 of RULES.md (version 2): the period level (informative), the D overrides
with the NĐ 48 exceptions, no quota on a period; the agency's rule 8 and the option gates."""

import pytest

from core import InputError
from tests.conftest import (
    FULL_GENERAL,
    general_total,
    person,
    result_of,
    rules_of,
    run,
    task,
)


def one(period: str = "2026-10", ruleset=None, locale="en", **fields) -> dict:
    return result_of(run([person(**fields)], period, ruleset=ruleset, locale=locale))


ALL_DONE = [task("t1")]  # 70 task points
NO_QUALITY = [task("t1", quality_failures=4)]  # 70 x (1 + 0 + 1) / 3 = 46.67
NO_QUALITY_LATE = [task("t1", "late", delays=4, quality_failures=4)]  # 70 / 3 = 23.33
TEN_WITH_ONE_NOT_DONE = [task(f"t{i}") for i in range(9)] + [task("t9", "not_done", title="Hồ sơ")]


# Rule 5: A from 90, B from 70, C from 50, D below ------------------------------------------


@pytest.mark.parametrize(
    ("tasks", "general", "score", "level"),
    [
        (ALL_DONE, 20, 90.0, "A"),
        (ALL_DONE, 19.5, 89.5, "B"),
        (NO_QUALITY, 23.5, 70.17, "B"),
        (NO_QUALITY, 23, 69.67, "C"),
        (NO_QUALITY_LATE, 27, 50.33, "C"),
        (NO_QUALITY_LATE, 26.5, 49.83, "D"),
    ],
)
def test_rule5_the_period_level_follows_the_thresholds(tasks, general, score, level):
    result = one(tasks=tasks, general=general_total(general))
    assert (result["score"], result["computed_level"], result["level"]) == (score, level, level)
    assert "level.period" in rules_of(result)


# Rule 6: D regardless of the score ---------------------------------------------------------


def reprimand(date: str, **fields) -> dict:
    return {"form": "reprimand", "date": date, "source": "admin", **fields}


def test_rule6_discipline_in_the_period_makes_it_d():
    result = one(discipline=[reprimand("2026-10-05")], locale="vi")
    assert (result["score"], result["level"]) == (100, "D")
    text = next(r["text"] for r in result["reasons"] if r["rule"] == "override.discipline")
    assert "khiển trách" in text and "05/10/2026" in text


def test_rule6_a_decision_counts_only_in_the_period_that_contains_its_date():
    assert one(discipline=[reprimand("2026-09-30")])["level"] == "A"
    assert one(discipline=[reprimand("2026-11-01")])["level"] == "A"
    assert one("2026-Q4", discipline=[reprimand("2026-11-01")])["level"] == "D"
    assert one("2026-Q3", discipline=[reprimand("2026-10-01")])["level"] == "A"


@pytest.mark.parametrize(
    "form", ["warning", "salary_downgrade", "demotion", "dismissal_from_post", "dismissal"]
)
def test_rule6_every_form_heavier_than_reprimand_counts(form):
    assert one(discipline=[reprimand("2026-10-05", form=form)])["level"] == "D"


def test_rule6_the_partys_expulsion_counts():
    decision = {"form": "expulsion", "date": "2026-10-05", "source": "party"}
    assert one(discipline=[decision])["level"] == "D"


def test_rule6_conduct_outside_public_duty_does_not_count():
    assert one(discipline=[reprimand("2026-10-05", public_duty=False)])["level"] == "A"


@pytest.mark.parametrize(
    ("flag", "rule"),
    [
        ("degeneration", "override.degeneration"),
        ("party_prohibition", "override.party_prohibition"),
        ("example_violation", "override.example_violation"),
    ],
)
def test_rule6_flags_make_the_period_d(flag, rule):
    result = one(flags={flag: True})
    assert result["level"] == "D"
    assert rule in rules_of(result)


def test_rule6_corruption_in_the_unit_a_leader_heads_is_d():
    result = result_of(run([person("tp", role="head", flags={"unit_corruption": True})]), "tp")
    assert result["level"] == "D"
    assert "override.unit_corruption" in rules_of(result)


def test_rule6_unit_corruption_on_staff_is_an_input_error():
    with pytest.raises(InputError) as error:
        run([person(flags={"unit_corruption": True})])
    assert error.value.field == "flags.unit_corruption"


def test_rule6_nd48_a_violation_already_counted_earlier_does_not_count_again():
    result = one(discipline=[reprimand("2026-10-05", violation="v1", counted_in="2026-08")])
    assert result["level"] == "A"
    assert "discipline.exception" in rules_of(result)


def test_rule6_nd48_counted_in_the_same_period_still_counts():
    assert one(discipline=[reprimand("2026-10-05", counted_in="2026-10")])["level"] == "D"


def test_rule6_nd48_party_and_admin_decisions_for_one_violation_count_once_at_the_earlier():
    decisions = [
        {"form": "reprimand", "date": "2026-09-20", "source": "party", "violation": "v1"},
        {"form": "reprimand", "date": "2026-10-10", "source": "admin", "violation": "v1"},
    ]
    assert one("2026-09", discipline=decisions)["level"] == "D"
    october = one("2026-10", discipline=decisions)
    assert october["level"] == "A"
    assert "discipline.exception" in rules_of(october)


def test_rule6_option_discipline_exceptions_none_counts_every_decision(tmp_path):
    path = tmp_path / "no48.toml"
    path.write_text('extends = "nd335"\nname = "no48"\n[options]\ndiscipline_exceptions = "none"\n')
    decisions = [
        {"form": "reprimand", "date": "2026-09-20", "source": "party", "violation": "v1"},
        {"form": "reprimand", "date": "2026-10-10", "source": "admin", "violation": "v1"},
    ]
    assert one("2026-10", ruleset=str(path), discipline=decisions)["level"] == "D"


def test_rule6_two_different_violations_each_count():
    decisions = [reprimand("2026-09-20", violation="v1"), reprimand("2026-10-10", violation="v2")]
    assert one(discipline=decisions)["level"] == "D"


# Rule 7: no quota on a period level in nd335 -----------------------------------------------


def test_rule7_no_quota_on_a_period_level():
    result = run([person(f"a{i}") for i in range(5)] + [person("b", general=general_total(10))])
    assert [p["level"] for p in result["people"]] == ["A"] * 5 + ["B"]
    entry = result["units"][0]
    assert (entry["cap"], entry["counts"]["A"], entry["demoted"]) == (None, 5, [])
    assert not [w for w in result["warnings"] if w["code"].startswith("QUOTA")]


# Agency rule 8: an unexplained undone task caps the period at C ----------------------------


def test_rule8_agency_a_task_not_done_without_an_approved_explanation_caps_at_c():
    result = one(tasks=TEN_WITH_ONE_NOT_DONE, ruleset="agency-monthly", locale="vi")
    assert result["score"] == 93  # 30 + 70 x 0.9 = A by the score
    assert (result["rules_level"], result["level"]) == ("C", "C")
    cap = next(r for r in result["reasons"] if r["rule"] == "cap.unexplained_undone")
    assert "“Hồ sơ”" in cap["text"]


def test_rule8_agency_an_explanation_approved_after_the_deadline_still_caps():
    tasks = TEN_WITH_ONE_NOT_DONE[:-1] + [
        task("t9", "not_done", explanation="approved", explanation_late=True)
    ]
    assert one(tasks=tasks, ruleset="agency-monthly")["computed_level"] == "C"


def test_rule8_agency_an_explanation_approved_before_the_deadline_does_not_cap():
    tasks = TEN_WITH_ONE_NOT_DONE[:-1] + [task("t9", "not_done", explanation="approved")]
    result = one(tasks=tasks, ruleset="agency-monthly")
    assert (result["score"], result["computed_level"]) == (100, "A")  # and it left W


def test_rule8_is_not_a_rule_of_nd335():
    result = one(tasks=TEN_WITH_ONE_NOT_DONE)
    assert (result["score"], result["computed_level"]) == (93, "A")


# Option gates = "qd366" ----------------------------------------------------------------------


@pytest.fixture
def qd366(tmp_path) -> str:
    path = tmp_path / "qd366.toml"
    path.write_text('extends = "nd335"\nname = "qd366"\n[options]\ngates = "qd366"\n')
    return str(path)


def test_gates_a_needs_every_task_on_time_with_thirty_percent_exceeded(qd366):
    seven = [task(f"o{i}") for i in range(7)]
    thirty = seven + [task(f"e{i}", "exceeded") for i in range(3)]
    assert one(ruleset=qd366, tasks=thirty)["computed_level"] == "A"
    two = [task(f"p{i}") for i in range(2)]
    result = one(ruleset=qd366, tasks=[*seven, task("e0", "exceeded"), *two])  # 10% exceeded
    assert result["computed_level"] == "B"
    assert "gate.qd366" in rules_of(result)


def test_gates_b_needs_every_task_on_time(qd366):
    tasks = [task(f"e{i}", "exceeded") for i in range(9)] + [task("l", "late", delays=1)]
    result = one(ruleset=qd366, tasks=tasks)
    assert result["score"] >= 90
    assert result["computed_level"] == "C"  # not on time: neither A nor B; 10% late is C


def test_gates_c_needs_every_task_done_with_at_most_twenty_percent_late(qd366):
    late = [task(f"l{i}", "late", objective_reason=False) for i in range(3)]
    tasks = [task(f"o{i}") for i in range(7)] + late
    result = one(ruleset=qd366, tasks=tasks, general=general_total(30))
    assert result["computed_level"] == "D"  # 30% late
    undone = [task(f"o{i}") for i in range(9)] + [task("n", "not_done")]
    assert one(ruleset=qd366, tasks=undone)["computed_level"] == "D"


def test_gates_more_than_half_not_done_is_d(qd366):
    tasks = [task("o1"), task("n1", "not_done"), task("n2", "not_done")]
    result = one(ruleset=qd366, tasks=tasks, general=FULL_GENERAL)
    assert result["computed_level"] == "D"
    assert "gate.qd366" in rules_of(result)


def test_gates_are_off_in_nd335():
    tasks = [task(f"e{i}", "exceeded") for i in range(9)] + [task("l", "late", delays=1)]
    assert one(tasks=tasks)["computed_level"] == "A"
