"""Rules 1-4 of RULES.md (version 2): the score of a period on 100 points (nd335), with
the options that change it and the agency profile's bonus and deductions."""

import pytest

from core import InputError
from tests.conftest import (
    FULL_GENERAL,
    V1_GENERAL,
    general_total,
    person,
    result_of,
    rules_of,
    run,
    task,
    warning_codes,
)


def one(**fields) -> dict:
    return result_of(run([person(**fields)], **fields.pop("_top", {})))


def breakdown_of(**fields) -> dict:
    return one(**fields)["breakdown"]


# Rule 1: the 10 items of Mẫu 01, 30 points, in half points ----------------------------------


def test_rule1_the_ten_items_of_form_01_sum_to_thirty_points():
    assert sum(FULL_GENERAL.values()) == 30
    general = FULL_GENERAL | {"breakthrough": 1.5, "initiative": 2}
    assert breakdown_of(general=general)["general"] == 28.5  # 30 - 1 - 0.5


@pytest.mark.parametrize("value", [2.25, 0.1, -0.5, 3, 5.5])
def test_rule1_an_item_is_half_points_from_zero_to_its_maximum_else_an_input_error(value):
    with pytest.raises(InputError) as error:
        run([person(general=FULL_GENERAL | {"competence": value})])
    assert error.value.field == "general.competence"


def test_rule1_version_1_keys_are_refused_naming_the_new_ones():
    with pytest.raises(InputError) as error:
        run([person(general=V1_GENERAL)])
    text = error.value.render("en")
    assert "version 1" in text
    for key in ("politics_ethics_culture", "service_coordination", "breakthrough"):
        assert key in text


def test_rule1_the_reviewers_score_replaces_the_self_score_item_by_item():
    b = breakdown_of(general_review={"breakthrough": 1, "discipline": 4.5})
    assert b["general"] == 30 - 1.5 - 0.5


def test_rule1_the_reviewers_score_is_checked_like_the_self_score():
    with pytest.raises(InputError) as error:
        run([person(general_review={"breakthrough": 1.25})])
    assert error.value.field == "general_review.breakthrough"


# Rule 2: task results, 70 points -----------------------------------------------------------


def test_rule2_quantity_is_the_weight_of_done_tasks_over_the_base_weight():
    tasks = [task("t1", weight=3), task("t2", "not_done", weight=1)]
    assert breakdown_of(tasks=tasks)["a"] == 0.75  # 3 / (3 + 1)


def test_rule2_each_quality_failure_costs_a_quarter_of_the_task():
    tasks = [task("t1", quality_failures=1), task("t2")]
    assert breakdown_of(tasks=tasks)["b"] == 0.875  # (0.75 + 1) / 2


def test_rule2_quality_never_goes_below_zero():
    tasks = [task("t1", quality_failures=9), task("t2")]
    assert breakdown_of(tasks=tasks)["b"] == 0.5


def test_rule2_each_delay_costs_a_quarter_of_the_task_progress():
    tasks = [task("t1", "late", delays=2), task("t2")]
    assert breakdown_of(tasks=tasks)["c"] == 0.75  # (0.5 + 1) / 2


def test_rule2_a_late_task_has_at_least_one_delay():
    assert breakdown_of(tasks=[task("t1", "late", delays=0)])["c"] == 0.75


def test_rule2_an_objective_reason_waives_failures_and_delays_even_the_minimum_one():
    b = breakdown_of(tasks=[task("t1", "late", quality_failures=2, objective_reason=True)])
    assert (b["b"], b["c"], b["tasks"]) == (1.0, 1.0, 70)


def test_rule2_an_objective_reason_does_not_make_an_undone_task_done():
    tasks = [task("t1"), task("t2", "not_done", objective_reason=True)]
    assert breakdown_of(tasks=tasks)["a"] == 0.5


@pytest.mark.parametrize("explanation", ["none", "submitted", "approved"])
def test_rule2_a_base_task_not_done_stays_in_the_base_explained_or_not(explanation):
    tasks = [task("t1"), task("t2", "not_done", explanation=explanation, title="Báo cáo quý")]
    result = one(tasks=tasks)
    assert result["breakdown"]["a"] == 0.5
    assert result["score"] == 65  # 30 + 70 x (0.5 + 0.5 + 0.5) / 3
    assert "“Báo cáo quý”" in next(
        r["text"] for r in result["reasons"] if r["rule"] == "score.tasks"
    )


def test_rule2_worked_example_extra_tasks_make_up_an_undone_task():
    # base: t1 done, t2 not done, W = 2; extra x1 done adds 1 to the sums, never to W:
    # a = min(1, (1 + 1) / 2) = 1, likewise b and c: task points 70 x 3 / 3 = 70
    base = [task("t1"), task("t2", "not_done")]
    without = one(tasks=base)
    assert without["breakdown"]["tasks"] == 35  # 70 x (0.5 + 0.5 + 0.5) / 3
    made_up = one(tasks=[*base, task("x1", extra=True, title="Tiếp dân thay đồng nghiệp")])
    b = made_up["breakdown"]
    assert (b["a"], b["b"], b["c"], b["tasks"]) == (1.0, 1.0, 1.0, 70)
    assert b["task_weights"]["total"] == 2  # the extra task is not in W
    assert made_up["score"] == 100
    assert "score.extra" in rules_of(made_up)


def test_rule2_an_extra_task_done_late_adds_its_progress_after_at_least_one_delay():
    # W = 2 (t1 done, t2 not done); extra x1 late without delays given: one delay,
    # progress (1 + 0.75) / 2 = 0.875; quality (1 + 1) / 2 = 1; quantity 1
    tasks = [task("t1"), task("t2", "not_done"), task("x1", "late", extra=True)]
    b = breakdown_of(tasks=tasks)
    assert (b["a"], b["b"], b["c"]) == (1.0, 1.0, 0.875)


def test_rule2_the_shares_never_go_above_one():
    tasks = [task("t1"), task("x1", extra=True), task("x2", extra=True)]
    b = breakdown_of(tasks=tasks)
    assert (b["a"], b["b"], b["c"]) == (1.0, 1.0, 1.0)


def test_rule2_an_extra_task_not_done_adds_nothing_and_triggers_no_cap_or_warning():
    tasks = [task("t1"), task("x1", "not_done", extra=True)]
    result = run([person(tasks=tasks)], ruleset="agency-monthly")
    person_result = result_of(result)
    assert person_result["score"] == 100
    assert person_result["level"] == "A"
    assert warning_codes(result) == []


def test_rule2_option_pooled_puts_extra_tasks_in_the_base(tmp_path):
    path = tmp_path / "pooled.toml"
    path.write_text('extends = "nd335"\nname = "pooled"\n[options]\nextra_tasks = "pooled"\n')
    tasks = [task("t1"), task("t2", "not_done"), task("x1", extra=True)]
    result = result_of(run([person(tasks=tasks)], ruleset=str(path)))
    assert result["breakdown"]["a"] == pytest.approx(2 / 3, abs=1e-4)  # W = 3
    assert "score.extra_pooled" in rules_of(result)


def test_rule2_staff_task_points_are_seventy_times_the_mean_of_a_b_c():
    # a = 2/3, b = 2/3, c = (1 + 0.5) / 3 = 0.5: 70 x (2/3 + 2/3 + 1/2) / 3 = 42.78
    tasks = [task("t1"), task("t2", "late", delays=2), task("t3", "not_done")]
    assert breakdown_of(tasks=tasks)["tasks"] == 42.78


def test_rule2_worked_example_a_head_with_one_member_at_d():
    # the member: general 0, one task not done: 0 + 0 = 0 points, level D
    member = person("nv02", general=dict.fromkeys(FULL_GENERAL, 0), tasks=[task("t", "not_done")])
    head = person("tp", role="head", name="Trưởng phòng")
    result = run([head, member])
    assert result_of(result, "nv02")["level"] == "D"
    b = result_of(result, "tp")["breakdown"]
    # d = 0.5 (a member below C), đ = e = 1 (not rated): 70 x (1 + 1 + 1 + 0.5 + 1 + 1) / 6
    assert (b["d"], b["dd"], b["e"]) == (0.5, 1.0, 1.0)
    assert b["tasks"] == 64.17  # 70 x 5.5 / 6 = 64.1666...
    assert result_of(result, "tp")["score"] == 94.17


def test_rule2_leaders_d_is_one_when_everyone_led_reaches_c():
    # the member: 3.5 + 70 x (1 + 0 + 1) / 3 = 3.5 + 46.67 = 50.17, level C
    member = person("nv02", general=general_total(3.5), tasks=[task("t", quality_failures=4)])
    result = run([person("tp", role="head"), member])
    assert result_of(result, "nv02")["level"] == "C"
    assert result_of(result, "tp")["breakdown"]["d"] == 1.0


def test_rule2_leaders_d_and_e_given_by_the_rater():
    head = person("tp", role="head", leader={"organising": 0.5, "cohesion": 0.5})
    result = result_of(run([head]), "tp")
    b = result["breakdown"]
    assert (b["d"], b["dd"], b["e"]) == (1.0, 0.5, 0.5)
    assert b["tasks"] == 58.33  # 70 x 5 / 6
    assert "score.leader_not_rated" not in rules_of(result)


def test_rule2_leaders_missing_organising_and_cohesion_count_as_one_with_a_reason():
    result = result_of(run([person("tp", role="deputy")]), "tp")
    assert rules_of(result).count("score.leader_not_rated") == 2


def test_rule2_the_input_may_override_d():
    head = person("tp", role="head", leader={"unit_result": 0.5})
    assert result_of(run([head]), "tp")["breakdown"]["d"] == 0.5


def test_rule2_a_deputy_leads_the_staff_of_the_unit_and_a_director_everyone():
    low = {"general": dict.fromkeys(FULL_GENERAL, 0), "tasks": [task("t", "not_done")]}
    people = [
        person("gd", role="director", unit="bgd"),
        person("tp", role="head"),
        person("pp", role="deputy"),
        person("pp2", role="deputy", unit="u2"),
        person("nv", **low),
    ]
    result = run(people)
    d = {pid: result_of(result, pid)["breakdown"]["d"] for pid in ("gd", "tp", "pp", "pp2")}
    assert d == {"gd": 0.5, "tp": 0.5, "pp": 0.5, "pp2": 1.0}


@pytest.mark.parametrize(
    "leader", [{"organising": 0.7}, {"cohesion": 0}, {"unit_result": "1"}, {"charisma": 1}]
)
def test_rule2_leader_parts_are_one_or_one_half(leader):
    with pytest.raises(InputError) as error:
        run([person(role="head", leader=leader)])
    assert error.value.field.startswith("leader.")


def test_rule2_a_leader_block_on_staff_is_an_input_error():
    with pytest.raises(InputError) as error:
        run([person(role="staff", leader={"organising": 1})])
    assert error.value.field == "leader"


def test_rule2_no_task_at_all_is_not_rated_with_no_tasks():
    result = run([person(tasks=[])])
    p = result_of(result)
    assert (p["rated"], p["score"], p["computed_level"], p["level"]) == (False, None, None, None)
    assert warning_codes(result, "nv01") == ["NO_TASKS"]
    assert rules_of(p) == ["score.not_rated"]


def test_rule2_only_extra_tasks_form_the_base_done_or_not():
    tasks = [task("x1", extra=True), task("x2", "not_done", extra=True)]
    b = breakdown_of(tasks=tasks)
    assert (b["a"], b["task_weights"]["total"]) == (0.5, 2)


def test_rule2_option_exclude_leaving_the_base_empty_is_not_rated():
    tasks = [task("t1", "not_done", explanation="approved")]
    result = run([person(tasks=tasks)], ruleset="agency-monthly")
    assert result_of(result)["rated"] is False
    assert warning_codes(result) == ["NO_TASKS"]


def test_rule2_option_exclude_drops_tasks_explained_before_their_deadline():
    tasks = [
        task("t1"),
        task("t2", "not_done", explanation="approved"),
        task("t3", "not_done", explanation="approved", explanation_late=True),
    ]
    b = result_of(run([person(tasks=tasks)], ruleset="agency-monthly"))["breakdown"]
    assert b["a"] == 0.5  # W = t1 + t3; t2 left it


# Rule 3: no bonus, no deductions in nd335; the profile's 3a and 3b --------------------------


def test_rule3_nd335_has_no_bonus_and_refuses_deductions():
    initiatives = [{"id": "i1", "approved": True}]
    result = result_of(run([person(general=general_total(20), initiatives=initiatives)]))
    assert result["score"] == 90 and "bonus" not in result["breakdown"]
    with pytest.raises(InputError) as error:
        run([person(deductions=[{"reason": "x", "points": 1}])])
    assert error.value.field == "deductions"


def test_rule3a_agency_bonus_two_points_per_approved_initiative_at_most_ten():
    def bonus(n: int) -> float:
        initiatives = [{"id": f"i{i}", "approved": True} for i in range(n)]
        initiatives.append({"id": "no", "approved": False})
        p = person(general=general_total(10), initiatives=initiatives)
        return result_of(run([p], ruleset="agency-monthly"))["breakdown"]["bonus"]

    assert (bonus(1), bonus(5), bonus(8)) == (2, 10, 10)


def test_rule3b_agency_named_and_free_deductions():
    deductions = [{"code": "late_report", "count": 3}, {"reason": "Vắng họp", "points": 1.5}]
    result = result_of(run([person(deductions=deductions)], ruleset="agency-monthly"))
    assert result["breakdown"]["deductions"] == 4.5  # 3 x 1 + 1.5
    assert result["score"] == 95.5


def test_rule3_agency_total_is_clamped_to_0_100():
    initiatives = [{"id": f"i{i}", "approved": True} for i in range(5)]
    high = result_of(run([person(initiatives=initiatives)], ruleset="agency-monthly"))
    low = person(
        general=dict.fromkeys(FULL_GENERAL, 0),
        tasks=[task("t", "not_done")],
        deductions=[{"reason": "x", "points": 5}],
    )
    assert high["score"] == 100
    assert result_of(run([low], ruleset="agency-monthly"))["score"] == 0


# Rule 4: score = general + task points, rounded half-up ------------------------------------


def test_rule4_score_is_general_plus_task_points_rounded_half_up_to_two_decimals():
    # 70 x (1 + 0.75 + 1) / 3 = 64.1666... -> 64.17; + 29.5 = 93.67
    result = one(general=general_total(29.5), tasks=[task("t1", quality_failures=1)])
    assert result["breakdown"]["tasks"] == 64.17
    assert result["score"] == 93.67
    b = result["breakdown"]
    assert result["score"] == round(b["general"] + b["tasks"], 2)


def test_rule4_the_total_reason_cites_its_legal_source():
    result = run([person()])
    first = result_of(result)["reasons"][0]
    assert first["rule"] == "score.total"
    assert "335/2025" in result["sources"]["score.total"]
