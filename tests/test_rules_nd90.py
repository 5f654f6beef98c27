"""Ruleset `nd90` (periods up to 2025-12): levels from the shares of tasks, no points."""

import pytest

from tests.conftest import (
    FULL_GENERAL_ND90,
    nd90_person,
    result_of,
    rules_of,
    run,
    task,
    warning_codes,
)

PERIOD = "2025-10"


def with_peers(subject: dict) -> list[dict]:
    """The subject among five colleagues at B, so that rule 10 leaves room for one A."""
    return [subject] + [nd90_person(f"peer{i}") for i in range(5)]


def level_of(**fields) -> str:
    return result_of(run(with_peers(nd90_person(**fields)), PERIOD))["level"]


def tasks_with(below: int, total: int = 10, exceeded: int = 0) -> list[dict]:
    """`total` tasks, `below` of them late (below standard), `exceeded` exceeded."""
    tasks = [task(f"l{i}", "late", delays=1) for i in range(below)]
    tasks += [task(f"e{i}", "exceeded") for i in range(exceeded)]
    tasks += [task(f"o{i}") for i in range(total - below - exceeded)]
    return tasks


def test_nd90_is_chosen_for_periods_up_to_december_2025():
    assert run([nd90_person()], "2025-12")["ruleset"] == "nd90"
    assert run([nd90_person()], "2025")["ruleset"] == "nd90"


def test_nd90_has_no_score():
    result = result_of(run([nd90_person()], PERIOD))
    assert result["score"] is None
    assert result["breakdown"]["below_standard"] == 0


def test_nd90_excellent_needs_all_criteria_good_all_on_time_and_half_exceeded():
    assert level_of(tasks=tasks_with(0, exceeded=5)) == "A"
    assert level_of(tasks=tasks_with(0, exceeded=4)) == "B"


def test_nd90_excellent_needs_every_criterion_at_eighty_percent():
    general = FULL_GENERAL_ND90 | {"ethics": 7}
    assert level_of(general=general, tasks=tasks_with(0, exceeded=10)) == "B"


def test_nd90_good_needs_every_criterion_met_and_all_tasks_on_time_with_quality():
    assert level_of(tasks=tasks_with(0)) == "B"
    assert level_of(tasks=tasks_with(0, total=9) + [task("q", quality_failures=1)]) == "C"


def test_nd90_criterion_below_half_is_not_met():
    general = FULL_GENERAL_ND90 | {"style": 4}
    assert level_of(general=general, tasks=tasks_with(0)) == "C"


def test_nd90_completed_with_at_most_twenty_percent_below_standard():
    result = result_of(run([nd90_person(tasks=tasks_with(2))], PERIOD))
    assert result["level"] == "C"
    assert "nd90.completed" in rules_of(result)


@pytest.mark.parametrize("below", [3, 5])
def test_nd90_between_twenty_and_fifty_percent_is_completed_with_grey_zone_warning(below):
    result = run([nd90_person(tasks=tasks_with(below))], PERIOD)
    assert result_of(result)["level"] == "C"
    assert "GREY_ZONE" in warning_codes(result, "nv01")


def test_nd90_more_than_half_below_standard_is_not_completed():
    assert level_of(tasks=tasks_with(6)) == "D"


def test_nd90_excused_tasks_are_not_below_standard():
    tasks = [
        task("t1", "late", delays=2, objective_reason=True),
        task("t2", "not_done", explanation="approved"),
        task("t3"),
    ]
    assert level_of(tasks=tasks) == "B"


def test_nd90_discipline_in_the_period_is_not_completed():
    decision = {"form": "reprimand", "date": "2025-10-01", "source": "party"}
    assert level_of(tasks=tasks_with(0, exceeded=10), discipline=[decision]) == "D"


def test_nd90_applies_rule10_only():
    # two at A alone in a group: no small-group exception and no unit share in nd90
    people = [
        nd90_person("a", tasks=tasks_with(0, exceeded=10)),
        nd90_person("b", tasks=tasks_with(0, exceeded=10)),
    ]
    result = run(people, PERIOD)
    assert [p["level"] for p in result["people"]] == ["B", "B"]


LEADER_GOOD_UNITS = {
    "units": 4,
    "units_completed": 4,
    "units_good": 3,
    "targets": 10,
    "targets_exceeded": 5,
    "targets_on_time": 10,
    "targets_done": 10,
}


def test_nd90_leader_excellent_needs_the_units_and_targets_of_excellence():
    assert (
        level_of(role="head", tasks=tasks_with(0, exceeded=10), leadership=LEADER_GOOD_UNITS) == "A"
    )
    weaker = LEADER_GOOD_UNITS | {"targets_exceeded": 4}
    assert level_of(role="head", tasks=tasks_with(0, exceeded=10), leadership=weaker) == "B"


def test_nd90_leader_good_needs_eighty_percent_of_targets_on_time():
    late = LEADER_GOOD_UNITS | {"units_good": 1, "targets_on_time": 7}
    assert level_of(role="head", tasks=tasks_with(0), leadership=late) == "C"


def test_nd90_leader_with_seventy_percent_of_targets_done_or_less_is_not_completed():
    poor = LEADER_GOOD_UNITS | {
        "units_good": 1,
        "targets_on_time": 5,
        "targets_done": 7,
        "targets_exceeded": 0,
    }
    result = result_of(
        run(with_peers(nd90_person(role="head", tasks=tasks_with(0), leadership=poor)), PERIOD)
    )
    assert result["level"] == "D"
    assert "nd90.leader" in rules_of(result)


def test_nd90_leader_without_unit_results_is_rated_and_told_so():
    result = result_of(run([nd90_person(role="head")], PERIOD))
    assert "nd90.leader" in rules_of(result)


def test_nd90_year_uses_tasks_and_the_months_worked_rule():
    person = nd90_person(
        periods=[{"period": f"2025-{m:02d}", "status": "worked"} for m in range(1, 6)]
    )
    assert not result_of(run([person], "2025"))["rated"]


def test_nd90_year_with_six_months_worked_is_rated_and_three_away_cap_at_c():
    months = [{"period": f"2025-{m:02d}"} for m in range(1, 10)]
    months += [{"period": f"2025-{m:02d}", "status": "away"} for m in range(10, 13)]
    result = result_of(
        run(with_peers(nd90_person(periods=months, tasks=tasks_with(0, exceeded=10))), "2025")
    )
    assert result["rated"] and result["level"] == "C"
    assert "year.away_cap" in rules_of(result)


def test_nd90_year_maternity_leave_is_rated_on_the_months_worked():
    months = [{"period": f"2025-{m:02d}"} for m in range(1, 4)]
    months += [{"period": f"2025-{m:02d}", "status": "maternity"} for m in range(4, 13)]
    result = result_of(run([nd90_person(periods=months)], "2025"))
    assert result["rated"] and "year.maternity" in rules_of(result)


def test_nd90_second_year_at_d_warns_kht_2_years():
    person = nd90_person(tasks=tasks_with(6))
    result = run([person], "2025", history=[{"id": "nv01", "period": "2024", "level": "D"}])
    assert "KHT_2_YEARS" in warning_codes(result, "nv01")


def test_nd90_knows_no_quarters_and_no_party_prohibition_flag():
    from core import InputError

    with pytest.raises(InputError):
        run([nd90_person(flags={"party_prohibition": True})], PERIOD)
    with pytest.raises(InputError):
        run([nd90_person(tasks=[task("x", extra=True)])], PERIOD)
