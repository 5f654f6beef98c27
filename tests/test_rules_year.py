"""Rules 8, 9 and 13 of RULES.md (version 2): the year (`period: "YYYY"`) in nd335."""

import pytest

from core import InputError
from tests.conftest import result_of, rules_of, run, warning_codes, year_person

W, M, X = "worked", "maternity", "away"


def year(people, **top):
    return run(people, period="2026", **top)


def quarters(*scores, **fields) -> dict:
    person = year_person(**fields)
    person["periods"] = [
        {"period": f"2026-Q{q}", "score": s} for q, s in enumerate(scores, start=1)
    ]
    return person


# Rule 8: the annual score --------------------------------------------------------------------


def test_rule8_annual_score_is_the_mean_of_the_monthly_scores():
    scores = [100, 80, 90, 70, 95, 85, 60, 100, 90, 80, 75, 95]
    result = result_of(year([year_person(scores=scores)]))
    assert result["score"] == 85  # 1020 / 12
    assert result["computed_level"] == "B"
    assert "year.mean" in rules_of(result)


def test_rule8_worked_example_the_year_from_quarters():
    # (92 + 88.5 + 95 + 85) / 4 = 360.5 / 4 = 90.125 -> 90.13 (half-up), level A
    result = result_of(year([quarters(92, 88.5, 95, 85)]))
    assert (result["score"], result["computed_level"]) == (90.13, "A")


def test_rule8_the_mean_is_rounded_half_up_before_the_thresholds():
    # (89.99 + 90) / 2 = 89.995 -> 90.0: A, not B
    result = result_of(year([quarters(89.99, 90)]))
    assert (result["score"], result["computed_level"]) == (90.0, "A")


def test_rule8_months_and_quarters_may_not_be_mixed():
    person = year_person()
    person["periods"][0] = {"period": "2026-Q1", "score": 90}
    with pytest.raises(InputError) as error:
        year([person])
    assert error.value.field.startswith("periods[")


def test_rule8_no_minimum_number_of_months():
    person = year_person(scores=95)
    person["periods"] = person["periods"][:2]  # joined in November... or away: 2 months rated
    result = result_of(year([person]))
    assert (result["rated"], result["score"], result["computed_level"]) == (True, 95, "A")


def test_rule8_periods_not_worked_are_left_out():
    scores = [90] * 4 + [0] * 6 + [100] * 2
    person = year_person(scores=scores, statuses=[W] * 4 + [M] * 6 + [W] * 2)
    result = result_of(year([person]))
    assert result["score"] == 93.33  # (4 x 90 + 2 x 100) / 6
    assert result["breakdown"] == {"periods_rated": 6, "periods_not_worked": 6}


def test_rule8_periods_from_a_previous_agency_count_like_the_others():
    person = year_person(scores=[80] * 6 + [100] * 6)  # January-June scored elsewhere
    assert result_of(year([person]))["score"] == 90


def test_rule8_no_rated_period_is_not_rated():
    person = year_person(statuses=[M] * 12)
    result = result_of(year([person]))
    assert (result["rated"], result["score"], result["level"]) == (False, None, None)
    assert "year.not_rated" in rules_of(result)


def test_rule8_periods_must_belong_to_the_year():
    person = year_person()
    person["periods"][0]["period"] = "2025-01"
    with pytest.raises(InputError) as error:
        year([person])
    assert error.value.field == "periods[0].period"


def test_rule8_a_year_takes_period_scores_not_tasks():
    with pytest.raises(InputError) as error:
        year([year_person(tasks=[])])
    assert error.value.field == "tasks"


def test_rule8_version_1_months_are_refused_naming_periods():
    person = year_person()
    person["months"] = person.pop("periods")
    with pytest.raises(InputError) as error:
        year([person])
    assert "periods" in error.value.render("en")


# Rule 9: the annual level ---------------------------------------------------------------------


def test_rule9_annual_level_follows_the_thresholds():
    assert result_of(year([year_person(scores=90)]))["computed_level"] == "A"
    assert result_of(year([year_person(scores=49.99)]))["computed_level"] == "D"
    assert "level.year" in rules_of(result_of(year([year_person(scores=90)])))


def test_rule9_discipline_in_the_year_makes_the_year_d():
    decision = {"form": "reprimand", "date": "2026-03-02", "source": "admin"}
    result = result_of(year([year_person(scores=98, discipline=[decision])]))
    assert result["level"] == "D"
    other_year = {"form": "reprimand", "date": "2025-12-30", "source": "admin"}
    other = result_of(year([year_person(scores=98, discipline=[other_year])]))
    assert other["computed_level"] == "A"


def test_rule9_flags_over_the_whole_year():
    result = result_of(year([year_person(scores=98, flags={"party_prohibition": True})]))
    assert result["level"] == "D"


def test_rule9_a_violation_that_made_last_year_d_is_not_counted_again():
    decision = {
        "form": "reprimand",
        "date": "2026-03-02",
        "violation": "v",
        "counted_in": "2025",
    }
    result = result_of(year([year_person(scores=98, discipline=[decision])]))
    assert result["computed_level"] == "A"
    assert "discipline.exception" in rules_of(result)


def test_rule9_gates_on_the_year_use_the_task_weights_of_the_periods(tmp_path):
    path = tmp_path / "qd366.toml"
    path.write_text('extends = "nd335"\nname = "qd366"\n[options]\ngates = "qd366"\n')
    person = quarters(95, 95, 95, 95)
    with pytest.raises(InputError) as error:
        year([person], ruleset=str(path))
    assert error.value.field == "periods[0].tasks"
    for entry in person["periods"]:
        entry["tasks"] = {"total": 10, "done": 10, "on_time": 10, "exceeded": 2}
    result = result_of(year([person], ruleset=str(path)))
    assert result["computed_level"] == "B"  # 20% exceeded: below the 30% that A needs


# Rule 13: KHT_YEAR ----------------------------------------------------------------------------


def test_rule13_a_year_at_d_warns_kht_year():
    result = year([year_person(scores=40)])
    assert warning_codes(result, "nv01") == ["KHT_YEAR"]
    assert "335/2025" in result["sources"]["warning.kht_year"]


def test_rule13_a_year_above_d_has_no_kht_year():
    assert "KHT_YEAR" not in warning_codes(year([year_person(scores=50)]))


def test_the_year_uses_nd335_from_2026():
    assert year([year_person()])["ruleset"] == "nd335"
