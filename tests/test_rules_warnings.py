"""The warnings of RULES.md (version 2) and the agency profile's exemplary reward."""

from tests.conftest import (
    general_total,
    nd90_person,
    person,
    result_of,
    run,
    task,
    warning_codes,
)

UNDONE = [task("t1"), task("t2", "not_done", title="Báo cáo tháng")]
AGENCY = "agency-monthly"


def history(pid: str, period: str, **fields) -> dict:
    return {"id": pid, "period": period, **fields}


def detail(result: dict, code: str) -> str:
    return next(w["detail"] for w in result["warnings"] if w["code"] == code)


# UNEXPLAINED_2_MONTHS ------------------------------------------------------------------------


def test_unexplained_undone_tasks_in_two_periods_of_a_year_require_accountability_review():
    result = run([person(tasks=UNDONE)], history=[history("nv01", "2026-07", unexplained_undone=1)])
    assert "UNEXPLAINED_2_MONTHS" in warning_codes(result, "nv01")
    assert "“Báo cáo tháng”" in detail(result, "UNEXPLAINED_2_MONTHS")


def test_unexplained_undone_in_quarters_counts_too():
    result = run(
        [person(tasks=UNDONE)],
        "2026-Q3",
        history=[history("nv01", "2026-Q1", unexplained_undone=1)],
    )
    assert "UNEXPLAINED_2_MONTHS" in warning_codes(result, "nv01")


def test_unexplained_undone_in_one_period_only_is_not_yet_warned():
    result = run([person(tasks=UNDONE)], history=[history("nv01", "2026-09", unexplained_undone=0)])
    assert "UNEXPLAINED_2_MONTHS" not in warning_codes(result)


def test_unexplained_periods_of_another_year_do_not_count():
    result = run(
        [person(tasks=UNDONE)],
        period="2026-02",
        history=[history("nv01", "2025-12", unexplained_undone=2)],
    )
    assert "UNEXPLAINED_2_MONTHS" not in warning_codes(result)


def test_an_approved_explanation_or_an_extra_task_is_not_an_unexplained_undone_task():
    tasks = [
        task("t1"),
        task("t2", "not_done", explanation="approved"),
        task("x", "not_done", extra=True),
    ]
    result = run([person(tasks=tasks)], history=[history("nv01", "2026-07", unexplained_undone=1)])
    assert "UNEXPLAINED_2_MONTHS" not in warning_codes(result)
    assert "HEAD_ACCOUNTABLE" not in warning_codes(result)


# HEAD_ACCOUNTABLE ----------------------------------------------------------------------------


def test_the_head_is_accountable_for_a_member_with_an_unexplained_undone_task():
    result = run(
        [
            person("head", role="head"),
            person("nv02", tasks=UNDONE),
            person("other", unit="u2", tasks=UNDONE),
        ]
    )
    warnings = [w for w in result["warnings"] if w["code"] == "HEAD_ACCOUNTABLE"]
    assert [(w["unit"], w["person"], w["people"]) for w in warnings] == [
        ("u1", None, ["nv02"]),
        ("u2", None, ["other"]),
    ]
    assert "nv02" in warnings[0]["detail"]


# SELF_OVERRATED ------------------------------------------------------------------------------


def test_a_self_proposed_level_above_the_computed_level_is_warned():
    result = run([person(tasks=UNDONE, self_level="A")])  # 65 points: C
    assert "SELF_OVERRATED" in warning_codes(result, "nv01")


def test_an_honest_self_assessment_is_not_warned():
    result = run([person(tasks=UNDONE, self_level="C"), person("nv02", self_level="A")])
    assert "SELF_OVERRATED" not in warning_codes(result)


def test_self_overrating_is_judged_against_the_level_before_the_quota():
    # both at A; the monthly quota demotes one to B: proposing A was still honest
    people = [person("a1", self_level="A"), person("a2", self_level="A")]
    people += [person(f"b{i}", general=general_total(10), self_level="B") for i in range(3)]
    result = run(people, ruleset=AGENCY)
    assert sorted(p["level"] for p in result["people"][:2]) == ["A", "B"]
    assert "SELF_OVERRATED" not in warning_codes(result)


# LEVEL_D -------------------------------------------------------------------------------------


def test_a_period_at_d_is_warned():
    result = run([person(flags={"degeneration": True})])
    assert "running" not in detail(result, "LEVEL_D")


def test_two_periods_running_at_d_propose_an_accountability_review():
    result = run(
        [person(flags={"degeneration": True})], history=[history("nv01", "2026-09", level="D")]
    )
    assert "2 periods running" in detail(result, "LEVEL_D")


def test_periods_at_d_must_be_consecutive():
    result = run(
        [person(flags={"degeneration": True})],
        history=[history("nv01", "2026-08", level="D"), history("nv01", "2026-09", level="B")],
    )
    assert "running" not in detail(result, "LEVEL_D")


def test_january_follows_december_and_q1_follows_q4():
    result = run(
        [person(flags={"degeneration": True})],
        period="2026-01",
        history=[history("nv01", "2025-12", level="D")],
    )
    assert "2 periods running" in detail(result, "LEVEL_D")
    result = run(
        [person(flags={"degeneration": True})],
        period="2026-Q1",
        history=[history("nv01", "2025-Q4", level="D")],
    )
    assert "2 periods running" in detail(result, "LEVEL_D")


# NO_TASKS ------------------------------------------------------------------------------------


def test_a_period_without_tasks_is_warned_to_the_head():
    result = run([person(tasks=[]), person("tp", role="head")])
    warning = next(w for w in result["warnings"] if w["code"] == "NO_TASKS")
    assert (warning["person"], warning["unit"]) == ("nv01", "u1")
    assert "NO_TASKS" not in warning_codes(run([person()]))


# Every warning carries its rule and source ---------------------------------------------------


def test_every_warning_names_its_rule_and_source():
    result = run(
        [person(tasks=UNDONE, self_level="A", flags={"degeneration": True}), person("x", tasks=[])],
        history=[history("nv01", "2026-03", unexplained_undone=1)],
    )
    assert len(result["warnings"]) >= 5
    for warning in result["warnings"]:
        assert warning["rule"] and warning["detail"]
        assert result["sources"][warning["rule"]]


# The agency profile's monthly exemplary reward -----------------------------------------------


def test_exemplary_of_the_month_earns_point_three_of_the_base_salary():
    result = result_of(run([person(exemplary=True)], ruleset=AGENCY))
    assert result["level"] == "A"
    assert result["reward_vnd"] == 702_000  # 0.3 x 2,340,000
    assert result["reasons"][-1]["rule"] == "reward.exemplary"


def test_the_reward_uses_the_base_salary_in_force_in_the_period():
    # nd90 (2024): A needs half the tasks exceeded; five at B leave room for one A
    people = [nd90_person(exemplary=True, tasks=[task("t1", "exceeded")])] + [
        nd90_person(f"b{i}") for i in range(5)
    ]
    result = result_of(run(people, period="2024-03"))
    assert result["level"] == "A"
    assert result["reward_vnd"] == 540_000  # 0.3 x 1,800,000 before 01/07/2024


def test_an_exemplary_mark_on_a_person_not_at_a_earns_nothing():
    result = result_of(run([person(tasks=UNDONE, exemplary=True)], ruleset=AGENCY))
    assert result["reward_vnd"] == 0
    assert result["reasons"][-1]["rule"] == "reward.exemplary"


def test_nd335_has_no_exemplary_reward():
    result = result_of(run([person(exemplary=True)]))
    assert result["reward_vnd"] == 0
    assert "reward.exemplary" not in [r["rule"] for r in result["reasons"]]
