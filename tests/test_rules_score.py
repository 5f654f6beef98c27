"""Rules 1-5 of RULES.md: the monthly score on 100 points (ruleset `default`)."""

import pytest

from tests.conftest import FULL_GENERAL, person, result_of, rules_of, run, task


def score_of(**fields) -> float:
    return result_of(run([person(**fields)]))["score"]


def breakdown_of(**fields) -> dict:
    return result_of(run([person(**fields)]))["breakdown"]


# Rule 1: general criteria, 30 points -----------------------------------------------------


def test_rule1_general_criteria_sum_to_thirty_points():
    general = FULL_GENERAL | {"responsibility": 5, "innovation": 2}
    assert breakdown_of(general=general)["general"] == 28


def test_rule1_reviewer_score_replaces_self_score():
    general = dict(FULL_GENERAL)
    assert breakdown_of(general=general, general_review={"politics": 2})["general"] == 26


def test_rule1_each_item_is_clamped_to_its_maximum():
    result = result_of(run([person(general=FULL_GENERAL | {"service": 9})]))
    assert result["breakdown"]["general"] == 30
    assert "score.general" in rules_of(result)


# Rule 2: task results, 70 points ---------------------------------------------------------


def test_rule2_quantity_is_weight_of_done_tasks_over_total_weight():
    tasks = [task("t1", weight=3), task("t2", "not_done", weight=1)]
    assert breakdown_of(tasks=tasks)["quantity"] == 0.75


def test_rule2_each_quality_failure_costs_a_quarter_of_the_task_quality():
    tasks = [task("t1", quality_failures=1), task("t2")]
    assert breakdown_of(tasks=tasks)["quality"] == pytest.approx((0.75 + 1) / 2, abs=1e-4)


def test_rule2_quality_points_never_go_below_zero():
    tasks = [task("t1", quality_failures=9), task("t2")]
    assert breakdown_of(tasks=tasks)["quality"] == 0.5


def test_rule2_each_delay_costs_a_quarter_of_the_task_progress():
    tasks = [task("t1", "late", delays=2), task("t2")]
    assert breakdown_of(tasks=tasks)["progress"] == 0.75


def test_rule2_a_late_task_has_at_least_one_delay():
    tasks = [task("t1", "late", delays=0)]
    assert breakdown_of(tasks=tasks)["progress"] == 0.75


def test_rule2_objective_reason_excuses_failures_and_delays():
    tasks = [task("t1", "late", delays=3, quality_failures=2, objective_reason=True)]
    b = breakdown_of(tasks=tasks)
    assert (b["quality"], b["progress"], b["tasks"]) == (1.0, 1.0, 70)


def test_rule2_task_not_done_with_approved_explanation_is_not_counted():
    tasks = [task("t1"), task("t2", "not_done", explanation="approved")]
    result = result_of(run([person(tasks=tasks)]))
    assert result["breakdown"]["quantity"] == 1.0
    assert result["score"] == 100
    assert "score.tasks" in rules_of(result)


def test_rule2_submitted_explanation_is_not_enough_to_drop_the_task():
    tasks = [task("t1"), task("t2", "not_done", explanation="submitted")]
    assert breakdown_of(tasks=tasks)["quantity"] == 0.5


def test_rule2_task_points_are_seventy_times_the_mean_of_the_three_shares():
    # quantity 2/3, quality 2/3, progress (1 + 0.5)/3 = 0.5 -> 70 * (2/3 + 2/3 + 1/2) / 3
    tasks = [task("t1"), task("t2", "late", delays=2), task("t3", "not_done")]
    assert breakdown_of(tasks=tasks)["tasks"] == 42.78


def test_rule2_month_without_counted_task_scores_tasks_in_proportion_to_general():
    general = FULL_GENERAL | {"politics": 3}  # 27 of 30
    result = result_of(run([person(general=general, tasks=[])]))
    assert result["breakdown"]["tasks"] == 63  # 70 * 27 / 30
    assert "score.no_tasks" in rules_of(result)


# Rule 3: bonus ---------------------------------------------------------------------------


def test_rule3_two_points_per_approved_initiative():
    initiatives = [{"id": "i1", "approved": True}, {"id": "i2", "approved": False}]
    assert breakdown_of(initiatives=initiatives)["bonus"] == 2


def test_rule3_bonus_is_at_most_ten_points_a_month():
    initiatives = [{"id": f"i{i}", "approved": True} for i in range(8)]
    assert breakdown_of(initiatives=initiatives)["bonus"] == 10


# Rule 4: deductions ----------------------------------------------------------------------


def test_rule4_named_deduction_takes_its_points_from_the_ruleset():
    # default.toml: late_report = 1 point
    assert breakdown_of(deductions=[{"code": "late_report", "count": 3}])["deductions"] == 3


def test_rule4_free_deduction_with_its_own_points():
    general = FULL_GENERAL | {"politics": 4}
    assert score_of(general=general, deductions=[{"reason": "x", "points": 1.5}]) == 96.5


# Rule 5: the total -----------------------------------------------------------------------


def test_rule5_score_is_clamped_to_one_hundred():
    initiatives = [{"id": f"i{i}", "approved": True} for i in range(5)]
    assert score_of(initiatives=initiatives) == 100


def test_rule5_score_is_clamped_to_zero():
    zero = dict.fromkeys(FULL_GENERAL, 0)
    tasks = [task("t1", "not_done")]
    assert score_of(general=zero, tasks=tasks, deductions=[{"reason": "x", "points": 5}]) == 0


def test_rule5_breakdown_adds_up_to_the_score():
    tasks = [task("t1", "late", delays=1), task("t2", quality_failures=1), task("t3")]
    result = result_of(
        run(
            [
                person(
                    tasks=tasks,
                    initiatives=[{"id": "i", "approved": True}],
                    deductions=[{"reason": "x", "points": 1}],
                )
            ]
        )
    )
    b = result["breakdown"]
    assert result["score"] == round(b["general"] + b["tasks"] + b["bonus"] - b["deductions"], 2)


def test_rule5_score_is_rounded_half_up_to_two_decimals():
    # 94.125 is exact in binary: banker's rounding gives 94.12, officials write 94.13
    general = FULL_GENERAL | {"innovation": 0.125, "service": 0}
    assert score_of(general=general) == 94.13


def test_reason_texts_cite_the_rule_and_its_legal_source():
    result = run([person()])
    first = result_of(result)["reasons"][0]
    assert first["rule"] == "score.total"
    assert "335/2025" in result["sources"]["score.total"]
