"""Rules 15-17 of RULES.md: the year (`period: "YYYY"`)."""

import pytest

from core import InputError
from tests.conftest import result_of, rules_of, run, warning_codes, year_person

W, M, X = "worked", "maternity", "away"


def year(people, **top):
    return run(people, period="2026", **top)


# Rule 15 ---------------------------------------------------------------------------------


def test_rule15_fewer_than_six_months_worked_is_not_rated():
    result = result_of(year([year_person(statuses=[W] * 5 + [X] * 7)]))
    assert (result["rated"], result["level"], result["score"]) == (False, None, None)
    assert rules_of(result) == ["year.not_rated"]


def test_rule15_six_months_worked_is_rated():
    assert result_of(year([year_person(statuses=[W] * 6 + [X] * 6)]))["rated"]


def test_rule15_months_outside_employment_count_as_not_worked():
    person = year_person()
    person["months"] = person["months"][:5]  # joined in June: only 5 months given
    assert not result_of(year([person]))["rated"]


def test_rule15_maternity_leave_is_not_away_time_and_the_score_uses_months_worked():
    scores = [90] * 4 + [0] * 6 + [100] * 2
    result = result_of(year([year_person(scores=scores, statuses=[W] * 4 + [M] * 6 + [W] * 2)]))
    assert result["score"] == 93.33  # (4 x 90 + 2 x 100) / 6
    assert result["computed_level"] == "A"  # six months of maternity leave cap nothing
    assert result["breakdown"]["months_maternity"] == 6


def test_rule15_maternity_leave_with_few_months_worked_is_still_rated():
    result = result_of(year([year_person(scores=95, statuses=[W] * 3 + [M] * 9)]))
    assert (result["rated"], result["score"], result["level"]) == (True, 95, "A")
    assert "year.maternity" in rules_of(result)


def test_rule15_three_to_under_six_months_away_caps_the_year_at_completed():
    result = result_of(year([year_person(scores=95, statuses=[W] * 9 + [X] * 3)]))
    assert (result["computed_level"], result["level"]) == ("C", "C")
    assert "year.away_cap" in rules_of(result)


def test_rule15_two_months_away_does_not_cap():
    result = result_of(year([year_person(scores=95, statuses=[W] * 10 + [X] * 2)]))
    assert result["computed_level"] == "A"


# Rule 16 ---------------------------------------------------------------------------------


def test_rule16_annual_score_is_the_mean_of_the_monthly_scores_worked():
    scores = [100, 80, 90, 70, 95, 85, 60, 100, 90, 80, 0, 0]
    statuses = [W] * 10 + [X] * 2
    result = result_of(year([year_person(scores=scores, statuses=statuses)]))
    assert result["score"] == 85  # 850 / 10
    assert result["computed_level"] == "B"


def test_rule16_annual_level_follows_the_monthly_thresholds():
    assert result_of(year([year_person(scores=90)]))["computed_level"] == "A"
    assert result_of(year([year_person(scores=49.99)]))["computed_level"] == "D"


def test_rule16_discipline_in_the_year_makes_the_year_not_completed():
    decision = {"form": "reprimand", "date": "2026-03-02", "source": "admin"}
    result = result_of(year([year_person(scores=98, discipline=[decision])]))
    assert result["level"] == "D"


def test_rule16_discipline_for_a_violation_that_made_last_year_d_is_not_counted():
    decision = {
        "form": "reprimand",
        "date": "2026-03-02",
        "source": "admin",
        "violation": "v",
        "counted_in": "2025",
    }
    result = result_of(year([year_person(scores=98, discipline=[decision])]))
    assert result["level"] == "A"
    assert "discipline.exception" in rules_of(result)


def test_rule16_quota_rules_apply_again_on_the_annual_levels():
    people = [year_person(f"a{i}", scores=99 - i) for i in range(4)] + [
        year_person(f"b{i}", scores=80) for i in range(10)
    ]
    result = year(people)
    kept = [p["id"] for p in result["people"] if p["level"] == "A"]
    assert kept == ["a0", "a1"]


def test_rule16_year_months_must_belong_to_the_year():
    person = year_person()
    person["months"][0]["period"] = "2025-01"
    with pytest.raises(InputError) as error:
        year([person])
    assert error.value.field == "months[0].period"


# Rule 17 ---------------------------------------------------------------------------------


def test_rule17_second_consecutive_year_at_not_completed_warns_dismissal_procedure():
    result = year(
        [year_person(scores=40)], history=[{"id": "nv01", "period": "2025", "level": "D"}]
    )
    assert "KHT_2_YEARS" in warning_codes(result, "nv01")


def test_rule17_one_year_at_not_completed_is_not_the_dismissal_warning():
    result = year(
        [year_person(scores=40)],
        history=[
            {"id": "nv01", "period": "2024", "level": "D"},
            {"id": "nv01", "period": "2025", "level": "C"},
        ],
    )
    assert "KHT_2_YEARS" not in warning_codes(result)


def test_year_of_the_old_rules_is_chosen_by_period():
    result = run([year_person()], period="2026")
    assert result["ruleset"] == "default"
