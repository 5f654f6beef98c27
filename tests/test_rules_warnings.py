"""The warnings of RULES.md and the monthly exemplary reward."""

from tests.conftest import (
    FULL_GENERAL,
    nd90_person,
    person,
    result_of,
    run,
    task,
    warning_codes,
)

UNDONE = [task("t1"), task("t2", "not_done")]


def history(pid: str, period: str, **fields) -> dict:
    return {"id": pid, "period": period, **fields}


# UNEXPLAINED_2_MONTHS --------------------------------------------------------------------


def test_unexplained_undone_tasks_in_two_months_of_a_year_require_accountability_review():
    result = run([person(tasks=UNDONE)], history=[history("nv01", "2026-07", unexplained_undone=1)])
    assert "UNEXPLAINED_2_MONTHS" in warning_codes(result, "nv01")


def test_unexplained_undone_in_one_month_only_is_not_yet_warned():
    result = run([person(tasks=UNDONE)], history=[history("nv01", "2026-09", unexplained_undone=0)])
    assert "UNEXPLAINED_2_MONTHS" not in warning_codes(result)


def test_unexplained_months_of_another_year_do_not_count():
    result = run(
        [person(tasks=UNDONE)],
        period="2026-02",
        history=[history("nv01", "2025-12", unexplained_undone=2)],
    )
    assert "UNEXPLAINED_2_MONTHS" not in warning_codes(result)


def test_approved_explanation_is_not_an_unexplained_undone_task():
    tasks = [task("t1"), task("t2", "not_done", explanation="approved")]
    result = run([person(tasks=tasks)], history=[history("nv01", "2026-07", unexplained_undone=1)])
    assert "UNEXPLAINED_2_MONTHS" not in warning_codes(result)
    assert "HEAD_ACCOUNTABLE" not in warning_codes(result)


# HEAD_ACCOUNTABLE ------------------------------------------------------------------------


def test_head_is_accountable_for_a_member_with_an_unexplained_undone_task():
    result = run(
        [
            person("head", role="head"),
            person("nv02", tasks=UNDONE),
            person("other", unit="u2", tasks=UNDONE),
        ]
    )
    warnings = [w for w in result["warnings"] if w["code"] == "HEAD_ACCOUNTABLE"]
    assert [(w["unit"], w["person"]) for w in warnings] == [("u1", "head"), ("u2", None)]
    assert "nv02" in warnings[0]["detail"]


# SELF_OVERRATED --------------------------------------------------------------------------


def test_self_proposed_level_above_the_computed_level_is_warned():
    result = run([person(tasks=UNDONE, self_level="A")])  # computed C (rule 8)
    assert "SELF_OVERRATED" in warning_codes(result, "nv01")


def test_honest_self_assessment_is_not_warned():
    result = run([person(tasks=UNDONE, self_level="C"), person("nv02", self_level="A")])
    assert "SELF_OVERRATED" not in warning_codes(result)


def test_self_overrating_is_judged_against_the_level_before_the_quota():
    # both computed A; one demoted by the quota to B: proposing A was still honest
    result = run(
        [person("a1", self_level="A"), person("a2", self_level="A")]
        + [
            person(f"b{i}", general=FULL_GENERAL | {"politics": 0, "culture": 0}, self_level="B")
            for i in range(3)
        ]
    )
    assert "SELF_OVERRATED" not in warning_codes(result)


# LEVEL_D ---------------------------------------------------------------------------------


def test_a_month_at_not_completed_is_warned():
    result = run([person(flags={"degeneration": True})])
    warning = next(w for w in result["warnings"] if w["code"] == "LEVEL_D")
    assert "months running" not in warning["detail"]


def test_two_months_running_at_not_completed_propose_an_accountability_review():
    result = run(
        [person(flags={"degeneration": True})], history=[history("nv01", "2026-09", level="D")]
    )
    warning = next(w for w in result["warnings"] if w["code"] == "LEVEL_D")
    assert "2 months running" in warning["detail"]


def test_months_at_not_completed_must_be_consecutive():
    result = run(
        [person(flags={"degeneration": True})],
        history=[history("nv01", "2026-08", level="D"), history("nv01", "2026-09", level="B")],
    )
    warning = next(w for w in result["warnings"] if w["code"] == "LEVEL_D")
    assert "months running" not in warning["detail"]


def test_january_follows_december_for_months_running():
    result = run(
        [person(flags={"degeneration": True})],
        period="2026-01",
        history=[history("nv01", "2025-12", level="D")],
    )
    assert "2 months running" in next(
        w["detail"] for w in result["warnings"] if w["code"] == "LEVEL_D"
    )


# NO_TASKS --------------------------------------------------------------------------------


def test_month_without_counted_task_is_warned():
    tasks = [task("t1", "not_done", explanation="approved")]
    assert "NO_TASKS" in warning_codes(run([person(tasks=tasks)]), "nv01")
    assert "NO_TASKS" not in warning_codes(run([person()]))


# Warnings carry their rule and source ------------------------------------------------------


def test_every_warning_names_its_rule_and_source():
    result = run(
        [person(tasks=UNDONE, self_level="A", flags={"degeneration": True})],
        history=[history("nv01", "2026-03", unexplained_undone=1)],
    )
    assert result["warnings"]
    for warning in result["warnings"]:
        assert warning["rule"] and warning["detail"]
        assert result["sources"][warning["rule"]]


# Exemplary reward ------------------------------------------------------------------------


def test_exemplary_of_the_month_earns_point_three_of_the_base_salary():
    result = result_of(run([person(exemplary=True)]))
    assert result["level"] == "A"
    assert result["reward_vnd"] == 702_000  # 0.3 x 2,340,000
    assert result["reasons"][-1]["rule"] == "reward.exemplary"


def test_reward_uses_the_base_salary_in_force_in_the_period():
    # nd90 (2024): A needs half the tasks exceeded; five at B leave room for one A
    people = [nd90_person(exemplary=True, tasks=[task("t1", "exceeded")])] + [
        nd90_person(f"b{i}") for i in range(5)
    ]
    result = result_of(run(people, period="2024-03"))
    assert result["level"] == "A"
    assert result["reward_vnd"] == 540_000  # 0.3 x 1,800,000 before 01/07/2024


def test_exemplary_mark_on_a_person_not_at_excellent_earns_nothing():
    result = result_of(run([person(tasks=UNDONE, exemplary=True)]))
    assert result["reward_vnd"] == 0
    assert result["reasons"][-1]["rule"] == "reward.exemplary"
