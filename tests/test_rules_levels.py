"""Rules 6-9 of RULES.md: the level, the D overrides with the NĐ 48 exceptions, the caps."""

import pytest

from core import InputError
from tests.conftest import FULL_GENERAL, person, result_of, rules_of, run, task


def general_total(points: float) -> dict:
    """General criteria adding up to `points` of 30."""
    general = dict(FULL_GENERAL)
    missing = round(30 - points, 2)
    for key in general:
        taken = min(general[key], missing)
        general[key] = round(general[key] - taken, 2)
        missing = round(missing - taken, 2)
    return general


def one(period: str = "2026-10", **fields) -> dict:
    return result_of(run([person(**fields)], period))


ALL_DONE = [task("t1")]  # 70 task points
NO_QUALITY = [task("t1", quality_failures=4)]  # 70 * (1 + 0 + 1) / 3 = 46.67
NO_QUALITY_LATE = [task("t1", "late", delays=4, quality_failures=4)]  # 70 / 3 = 23.33
TEN_WITH_ONE_NOT_DONE = [task(f"t{i}") for i in range(9)] + [task("t9", "not_done")]


# Rule 6: A from 90, B from 70, C from 50, D below ----------------------------------------


@pytest.mark.parametrize(
    ("tasks", "general", "score", "level"),
    [
        (ALL_DONE, 20, 90.0, "A"),
        (ALL_DONE, 19.99, 89.99, "B"),
        (NO_QUALITY, 23.33, 70.0, "B"),
        (NO_QUALITY, 23.32, 69.99, "C"),
        (NO_QUALITY_LATE, 26.67, 50.0, "C"),
        (NO_QUALITY_LATE, 26.66, 49.99, "D"),
    ],
)
def test_rule6_level_follows_the_score_thresholds(tasks, general, score, level):
    result = one(tasks=tasks, general=general_total(general))
    assert (result["score"], result["computed_level"]) == (score, level)
    assert "level.threshold" in rules_of(result)


# Rule 7: D regardless of score -----------------------------------------------------------


def reprimand(date: str, **fields) -> dict:
    return {"form": "reprimand", "date": date, "source": "admin", **fields}


def test_rule7_discipline_in_the_month_makes_the_month_not_completed():
    result = one(discipline=[reprimand("2026-10-05")])
    assert result["score"] == 100
    assert result["level"] == "D"
    assert "override.discipline" in rules_of(result)


def test_rule7_discipline_counts_only_in_the_month_of_its_date():
    assert one(discipline=[reprimand("2026-09-30")])["level"] == "A"
    assert one(discipline=[reprimand("2026-11-01")])["level"] == "A"


@pytest.mark.parametrize(
    "form", ["warning", "demotion", "dismissal_from_post", "dismissal", "expulsion"]
)
def test_rule7_every_form_heavier_than_reprimand_counts(form):
    assert one(discipline=[{"form": form, "date": "2026-10-05", "source": "party"}])["level"] == "D"


def test_rule7_conduct_outside_public_duty_does_not_count():
    assert one(discipline=[reprimand("2026-10-05", public_duty=False)])["level"] == "A"


def test_rule7_political_or_ethical_degeneration_is_not_completed():
    result = one(flags={"degeneration": True})
    assert result["level"] == "D"
    assert "override.degeneration" in rules_of(result)


def test_rule7_violating_the_duty_to_set_an_example_is_not_completed():
    assert one(flags={"example_violation": True})["level"] == "D"


def test_rule7_corruption_in_the_unit_a_leader_heads_is_not_completed():
    result = one(role="head", flags={"unit_corruption": True})
    assert result["level"] == "D"
    assert "override.unit_corruption" in rules_of(result)


def test_rule7_unit_corruption_is_refused_for_staff():
    with pytest.raises(InputError) as error:
        run([person(role="staff", flags={"unit_corruption": True})])
    assert error.value.field == "flags.unit_corruption"


def test_rule7_nd48_violation_already_counted_in_an_earlier_period_is_not_counted_again():
    result = one(discipline=[reprimand("2026-10-05", violation="v1", counted_in="2026-08")])
    assert result["level"] == "A"
    assert "discipline.exception" in rules_of(result)


def test_rule7_nd48_counted_in_the_same_period_still_counts():
    assert one(discipline=[reprimand("2026-10-05", counted_in="2026-10")])["level"] == "D"


def test_rule7_nd48_party_and_admin_decisions_for_one_violation_count_once_at_earlier_date():
    decisions = [
        {"form": "reprimand", "date": "2026-09-20", "source": "party", "violation": "v1"},
        {"form": "reprimand", "date": "2026-10-10", "source": "admin", "violation": "v1"},
    ]
    september = one(period="2026-09", discipline=decisions)
    october = one(period="2026-10", discipline=decisions)
    assert september["level"] == "D"
    assert october["level"] == "A"
    assert "discipline.exception" in rules_of(october)


def test_rule7_two_different_violations_each_count():
    decisions = [reprimand("2026-09-20", violation="v1"), reprimand("2026-10-10", violation="v2")]
    assert one(period="2026-10", discipline=decisions)["level"] == "D"


# Rule 8: an unexplained undone task caps at C --------------------------------------------


def test_rule8_task_not_done_without_approved_explanation_caps_at_completed():
    result = one(tasks=TEN_WITH_ONE_NOT_DONE)
    assert result["score"] == 93  # would be A by the score
    assert result["computed_level"] == "C"
    assert "cap.unexplained_undone" in rules_of(result)


def test_rule8_submitted_explanation_not_yet_approved_still_caps():
    tasks = TEN_WITH_ONE_NOT_DONE[:-1] + [task("t9", "not_done", explanation="submitted")]
    assert one(tasks=tasks)["computed_level"] == "C"


def test_rule8_explanation_approved_after_the_deadline_still_caps():
    tasks = TEN_WITH_ONE_NOT_DONE[:-1] + [
        task("t9", "not_done", explanation="approved", explanation_late=True)
    ]
    result = one(tasks=tasks)
    assert result["score"] == 100  # not counted in the score (rule 2) ...
    assert result["computed_level"] == "C"  # ... but not explained before the deadline


def test_rule8_explanation_approved_before_the_deadline_does_not_cap():
    tasks = TEN_WITH_ONE_NOT_DONE[:-1] + [task("t9", "not_done", explanation="approved")]
    assert one(tasks=tasks)["computed_level"] == "A"


# Rule 9: A needs every task done on time ---------------------------------------------------


def test_rule9_excellent_needs_every_counted_task_on_time():
    tasks = [task(f"t{i}") for i in range(9)] + [task("t9", "late", delays=1)]
    result = one(tasks=tasks)
    assert result["score"] >= 90
    assert result["computed_level"] == "B"
    assert "cap.all_on_time" in rules_of(result)


def test_rule9_delay_with_a_confirmed_objective_reason_does_not_block_excellent():
    tasks = [task(f"t{i}") for i in range(9)] + [
        task("t9", "late", delays=1, objective_reason=True)
    ]
    assert one(tasks=tasks)["computed_level"] == "A"


def test_rule9_does_not_lower_a_level_already_below_excellent():
    tasks = [task("t1", "late", delays=1)]
    result = one(tasks=tasks, general=general_total(10))
    assert result["computed_level"] == "B"
    assert "cap.all_on_time" not in rules_of(result)
