"""Rules 10-12 of RULES.md (version 2): the quota of A, annual in nd335 and monthly in the
agency profile (with its rules 10a and 10b)."""

import pytest

from core import InputError
from tests.conftest import general_total, levels, person, result_of, run, task, year_person

AGENCY = "agency-monthly"


def count(result: dict, level: str) -> int:
    return sum(1 for p in result["people"] if p["level"] == level)


def entry_of(result: dict, unit=None, group: str = "g1") -> dict:
    return next(u for u in result["units"] if (u["unit"], u["group"]) == (unit, group))


def year_group(a: int, b: int, *, unit: str = "u1", group: str = "g1") -> list[dict]:
    """`a` people at A (scores 99, 98, ...) and `b` at B (80) for the year."""
    tag = unit if group == "g1" else f"{unit}-{group}"
    people = [year_person(f"{tag}-a{i}", scores=99 - i, unit=unit, group=group) for i in range(a)]
    return people + [
        year_person(f"{tag}-b{i}", scores=80, unit=unit, group=group) for i in range(b)
    ]


def year(people, **top):
    return run(people, "2026", **top)


def month_a(pid: str, points: float = 30, **fields) -> dict:
    return person(pid, general=general_total(points), **fields)


def month_b(pid: str, **fields) -> dict:
    return person(pid, general=general_total(10), **fields)  # 80 points


def month_group(a: int, b: int, *, unit: str = "u1", group: str = "g1") -> list[dict]:
    people = [month_a(f"{unit}-{group}-a{i}", 30 - i, unit=unit, group=group) for i in range(a)]
    return people + [month_b(f"{unit}-{group}-b{i}", unit=unit, group=group) for i in range(b)]


# Rule 10: A <= 20% of the final B, per scope --------------------------------------------------


def test_rule10_worked_example_ten_b_and_four_proposed_a_keep_two():
    # N = 10 + 4 = 14, k = floor(14 x 0.2 / 1.2) = floor(14 / 6) = 2: 2 A and 12 B
    result = year(year_group(4, 10))
    assert (count(result, "A"), count(result, "B")) == (2, 12)
    entry = entry_of(result)
    assert (entry["cap"], entry["proposed_a"], entry["cap_rule"]) == (2, 4, "quota.good_share")
    assert entry["demoted"] == ["u1-a2", "u1-a3"]  # the two lowest scores
    assert 5 * count(result, "A") <= count(result, "B")


def test_rule10_scope_organization_counts_every_unit_together():
    # two units of 2 A + 5 B: apart, floor(7 / 6) = 1 each; together floor(14 / 6) = 2
    result = year(year_group(2, 5, unit="u1") + year_group(2, 5, unit="u2"))
    assert count(result, "A") == 2
    assert [(u["unit"], u["group"]) for u in result["units"]] == [(None, "g1")]
    assert levels(result)["u1-a0"] == levels(result)["u2-a0"] == "A"


def test_rule10_groups_of_similar_duties_are_capped_separately():
    result = year(year_group(2, 10, group="chuyen-vien") + year_group(2, 4, group="lanh-dao"))
    assert entry_of(result, group="chuyen-vien")["counts"]["A"] == 2  # floor(12 / 6)
    assert entry_of(result, group="lanh-dao")["counts"]["A"] == 1  # floor(6 / 6)


def test_rule10_scope_unit_caps_each_unit(tmp_path):
    path = tmp_path / "unit.toml"
    path.write_text('extends = "nd335"\nname = "by-unit"\n[quota]\nscope = "unit"\n')
    result = year(year_group(2, 5, unit="u1") + year_group(2, 5, unit="u2"), ruleset=str(path))
    assert count(result, "A") == 2
    assert entry_of(result, "u1")["cap"] == entry_of(result, "u2")["cap"] == 1


def test_rule10_worked_example_the_25_percent_exception_with_a_decision():
    # N = 12 B + 5 A = 17: at 20% floor(17 / 6) = 2; at 25% floor(17 x 0.25 / 1.25) = 3
    people = year_group(5, 12)
    assert count(year(people), "A") == 2
    decision = "Quyết định số 12/QĐ-UBND ngày 05/01/2027"
    exception = {"unit": None, "group": None, "share": 0.25, "decision": decision}
    result = year(people, quota_exceptions=[exception])
    assert count(result, "A") == 3
    entry = entry_of(result)
    assert (entry["cap"], entry["cap_rule"], entry["share"]) == (3, "quota.exception", 0.25)
    assert entry["decision"] == decision
    demoted = result_of(result, "u1-a4")
    assert demoted["reasons"][-1]["rule"] == "quota.exception"
    assert decision in demoted["reasons"][-1]["text"]


@pytest.mark.parametrize(
    ("exception", "field"),
    [
        ({"unit": None, "group": None, "share": 0.3, "decision": "QĐ 1"}, "share"),
        ({"unit": None, "group": None, "share": 0.15, "decision": "QĐ 1"}, "share"),
        ({"unit": None, "group": None, "share": 0.25}, "decision"),
        ({"unit": None, "group": None, "share": 0.25, "decision": " "}, "decision"),
        ({"unit": "u1", "group": None, "share": 0.25, "decision": "QĐ 1"}, "unit"),
    ],
)
def test_rule10_an_exception_above_25_percent_below_20_or_without_decision_is_refused(
    exception, field
):
    with pytest.raises(InputError) as error:
        year(year_group(1, 5), quota_exceptions=[exception])
    assert error.value.field == f"quota_exceptions[0].{field}"


def test_rule10_an_exception_for_one_unit_under_scope_unit():
    exception = {"unit": "u1", "group": None, "share": 0.25, "decision": "QĐ 7/QĐ-SNV"}
    people = month_group(3, 12, unit="u1") + month_group(3, 12, unit="u2")
    result = run(people, ruleset=AGENCY, quota_exceptions=[exception])
    assert entry_of(result, "u1")["cap"] == 3  # floor(15 / 5)
    assert entry_of(result, "u2")["cap"] == 2  # floor(15 / 6)


# Rule 11: ranking of the kept places ----------------------------------------------------------


def test_rule11_ranking_by_score_first():
    result = year(year_group(2, 5))
    assert (levels(result)["u1-a0"], levels(result)["u1-a1"]) == ("A", "B")


def test_rule11_then_by_the_share_of_exceeded_tasks():
    people = [month_a("x"), month_a("y", tasks=[task("t1", "exceeded")])]
    people += [month_b(f"b{i}") for i in range(4)]
    result = run(people, ruleset=AGENCY)
    assert (levels(result)["x"], levels(result)["y"]) == ("B", "A")


def test_rule11_then_by_the_heads_ranking():
    people = [year_person("x", scores=95, head_rank=2), year_person("y", scores=95, head_rank=1)]
    people += [year_person(f"b{i}", scores=80) for i in range(4)]
    result = year(people)
    assert (levels(result)["x"], levels(result)["y"]) == ("B", "A")
    assert "QUOTA_TIE" not in [w["code"] for w in result["warnings"]]


def test_rule11_then_the_id_with_quota_tie_so_a_leader_decides():
    people = [year_person("y", scores=95), year_person("x", scores=95)]
    people += [year_person(f"b{i}", scores=80) for i in range(4)]
    result = year(people)
    assert (levels(result)["x"], levels(result)["y"]) == ("A", "B")
    tie = next(w for w in result["warnings"] if w["code"] == "QUOTA_TIE")
    assert sorted(tie["people"]) == ["x", "y"] and tie["person"] is None


# Rule 12: the quota never promotes; the demoted get B -----------------------------------------


def test_rule12_quota_never_promotes():
    result = year(year_group(0, 12))
    assert count(result, "A") == 0
    assert entry_of(result)["cap"] == 2  # the cap allows two, nobody earned it


def test_rule12_the_demoted_get_b_with_the_quota_reason_and_a_warning():
    result = year(year_group(4, 10))
    demoted = result_of(result, "u1-a3")
    assert (demoted["computed_level"], demoted["level"]) == ("A", "B")
    assert demoted["reasons"][-1]["rule"] == "quota.good_share"
    warning = next(w for w in result["warnings"] if w["code"] == "QUOTA_EXCEEDED")
    assert (warning["person"], warning["group"]) == (None, "g1")
    assert warning["people"] == ["u1-a2", "u1-a3"]


# The agency profile: a monthly quota with rules 10a and 10b ----------------------------------


def test_agency_rule10_applies_to_each_month():
    result = run(month_group(4, 10), ruleset=AGENCY)
    assert count(result, "A") == 2
    assert entry_of(result, "u1")["cap_rule"] == "quota.good_share"


def test_rule10b_a_group_with_fewer_than_five_at_b_keeps_one_a():
    result = run(month_group(2, 3), ruleset=AGENCY)  # rule 10: floor(5 / 6) = 0
    assert count(result, "A") == 1
    assert entry_of(result, "u1")["cap_rule"] == "quota.small_group"


def test_rule10b_does_not_apply_with_five_at_b(tmp_path):
    # a 10% share: 5 B and 1 A give floor(6 x 0.1 / 1.1) = 0, and 5 B is not fewer than 5
    path = tmp_path / "ten.toml"
    path.write_text('extends = "agency-monthly"\nname = "ten"\n[quota]\ngood_share = 0.1\n')
    assert count(run(month_group(1, 5), ruleset=str(path)), "A") == 0
    assert count(run(month_group(1, 4), ruleset=str(path)), "A") == 1


def test_rule10a_a_unit_keeps_at_most_20_percent_of_its_rated():
    # three small groups each keep one A by 10b, but 6 rated allow floor(1.2) = 1
    people = month_group(1, 1, group="g1") + month_group(1, 1, group="g2")
    people += month_group(1, 1, group="g3")
    result = run(people, ruleset=AGENCY)
    assert count(result, "A") == 1
    assert levels(result)["u1-g1-a0"] == "A"  # equal scores: the lower id
    assert result_of(result, "u1-g2-a0")["reasons"][-1]["rule"] == "quota.unit_share"


def test_rule10a_never_below_one_when_10b_kept_an_a():
    result = run(month_group(1, 1), ruleset=AGENCY)  # 2 rated: 20% rounds down to 0
    assert count(result, "A") == 1
    assert entry_of(result, "u1")["unit_cap"] == 1


def test_agency_the_year_follows_nd335_rule_10_only():
    # 2 A and 3 B in a unit: 10b would keep one a month, the year keeps none (floor(5 / 6))
    result = run(year_group(2, 3), "2026", ruleset=AGENCY)
    assert count(result, "A") == 0
    assert entry_of(result, "u1")["cap_rule"] == "quota.good_share"
