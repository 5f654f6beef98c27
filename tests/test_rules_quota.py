"""Rules 10-14 of RULES.md: the share of A per unit and group of similar roles."""

from tests.conftest import FULL_GENERAL, ROOT, levels, person, result_of, run, task

GOOD_GENERAL = FULL_GENERAL | {"politics": 0, "culture": 0, "discipline": 2}  # 80 points


def excellent(pid: str, points: int = 30, **fields) -> dict:
    """Somebody at A by the score: all tasks done, `points` of 30 general points."""
    general = dict(FULL_GENERAL)
    general["politics"] -= 30 - points
    return person(pid, general=general, **fields)


def good(pid: str, **fields) -> dict:
    return person(pid, general=GOOD_GENERAL, **fields)


def group_of(a: int, b: int, *, unit: str = "u1", group: str = "g1") -> list[dict]:
    people = [excellent(f"{unit}-{group}-a{i}", 30 - i, unit=unit, group=group) for i in range(a)]
    return people + [good(f"{unit}-{group}-b{i}", unit=unit, group=group) for i in range(b)]


def count(result: dict, level: str) -> int:
    return sum(1 for p in result["people"] if p["level"] == level)


def unit_entry(result: dict, unit: str = "u1", group: str = "g1") -> dict:
    return next(u for u in result["units"] if (u["unit"], u["group"]) == (unit, group))


# Rule 10 ---------------------------------------------------------------------------------


def test_rule10_worked_example_ten_good_and_four_proposed_excellent_keep_two():
    result = run(group_of(4, 10))
    assert count(result, "A") == 2
    assert count(result, "B") == 12
    entry = unit_entry(result)
    assert (entry["cap"], entry["proposed_a"]) == (2, 4)
    assert entry["demoted"] == ["u1-g1-a2", "u1-g1-a3"]  # the two lowest scores


def test_rule10_excellent_capped_at_twenty_percent_of_the_final_good():
    for a, b in [(1, 5), (2, 10), (3, 9), (6, 30), (5, 2)]:
        result = run(group_of(a, b))
        kept = count(result, "A")
        assert 5 * kept <= count(result, "B") or kept == 1  # 1 kept only by rule 12
        assert kept == max(min(a, (a + b) // 6), 1 if b < 5 else 0)


def test_rule10_demoted_people_get_good_with_the_quota_reason():
    person_result = result_of(run(group_of(4, 10)), "u1-g1-a3")
    assert (person_result["computed_level"], person_result["level"]) == ("A", "B")
    assert person_result["reasons"][-1]["rule"] == "quota.good_share"


def test_rule10_groups_are_capped_separately():
    # 17 rated: rule 11 allows 3, so only the group caps bind
    result = run(group_of(3, 13, group="chuyen-vien") + group_of(2, 1, group="lanh-dao"))
    assert unit_entry(result, group="chuyen-vien")["counts"]["A"] == 2  # floor(16 / 6)
    assert unit_entry(result, group="lanh-dao")["counts"]["A"] == 1  # rule 12


# Rule 11 ---------------------------------------------------------------------------------


def test_rule11_unit_share_caps_excellent_at_twenty_percent_of_the_unit():
    # three small groups each keep one A by rule 12, but 6 people allow floor(1.2) = 1
    people = group_of(1, 1, group="g1") + group_of(1, 1, group="g2") + group_of(1, 1, group="g3")
    result = run(people)
    assert count(result, "A") == 1
    assert levels(result)["u1-g1-a0"] == "A"  # ties on score broken by the lower id
    demoted = result_of(result, "u1-g2-a0")
    assert demoted["reasons"][-1]["rule"] == "quota.unit_share"


def test_rule11_unit_cap_is_never_below_one_when_rule12_kept_an_excellent():
    result = run(group_of(1, 1))  # 2 rated: 20% rounds down to 0
    assert count(result, "A") == 1
    assert unit_entry(result)["unit_cap"] == 1


def test_rule11_counts_everyone_rated_in_the_unit():
    low = [
        person(
            f"c{i}",
            general=dict.fromkeys(FULL_GENERAL, 0),
            tasks=[task("t", quality_failures=4)],
            group="g3",
        )
        for i in range(6)
    ]  # D
    result = run(group_of(1, 1, group="g1") + group_of(1, 1, group="g2") + low)
    assert unit_entry(result, group="g1")["unit_cap"] == 2  # floor(0.2 * 10), not 4 people
    assert count(result, "A") == 2


# Rule 12 ---------------------------------------------------------------------------------


def test_rule12_group_with_fewer_than_five_good_keeps_one_excellent():
    result = run(group_of(2, 3))  # rule 10: floor(5/6) = 0
    assert count(result, "A") == 1
    assert unit_entry(result)["cap_rule"] == "quota.small_group"


def test_rule12_does_not_apply_with_five_good(tmp_path):
    # with a 10% share, 5 B and 1 A give floor(0.1 * 6 / 1.1) = 0 and 5 B is not "fewer"
    text = (ROOT / "core/rulesets/default.toml").read_text(encoding="utf-8")
    path = tmp_path / "ten.toml"
    path.write_text(text.replace("good_share = 0.2", "good_share = 0.1"), encoding="utf-8")
    assert count(run(group_of(1, 5), ruleset=str(path)), "A") == 0
    assert count(run(group_of(1, 4), ruleset=str(path)), "A") == 1


# Rule 13 ---------------------------------------------------------------------------------


def test_rule13_ranking_by_score_first():
    people = [excellent("x", 25), excellent("y", 28)] + [good(f"b{i}") for i in range(4)]
    assert levels(run(people))["y"] == "A"
    assert levels(run(people))["x"] == "B"


def test_rule13_then_by_share_of_exceeded_tasks():
    people = [excellent("x"), excellent("y", tasks=[task("t1", "exceeded")])] + [
        good(f"b{i}") for i in range(4)
    ]
    assert levels(run(people))["y"] == "A"


def test_rule13_then_by_approved_initiatives():
    people = [excellent("x"), excellent("y", initiatives=[{"id": "i", "approved": True}])] + [
        good(f"b{i}") for i in range(4)
    ]
    result = run(people)
    assert result_of(result, "y")["score"] == result_of(result, "x")["score"] == 100
    assert levels(result)["y"] == "A"


def test_rule13_then_by_the_heads_ranking():
    people = [excellent("x", head_rank=2), excellent("y", head_rank=1)] + [
        good(f"b{i}") for i in range(4)
    ]
    result = run(people)
    assert levels(result)["y"] == "A"
    assert "QUOTA_TIE" not in [w["code"] for w in result["warnings"]]


def test_rule13_tie_at_the_cut_keeps_the_lower_id_and_warns_quota_tie():
    people = [excellent("y"), excellent("x")] + [good(f"b{i}") for i in range(4)]
    result = run(people)
    assert levels(result)["x"] == "A"
    assert levels(result)["y"] == "B"
    tie = next(w for w in result["warnings"] if w["code"] == "QUOTA_TIE")
    assert "x" in tie["detail"] and "y" in tie["detail"]


# Rule 14 ---------------------------------------------------------------------------------


def test_rule14_quota_never_promotes():
    result = run(group_of(0, 10))
    assert count(result, "A") == 0
    assert unit_entry(result)["cap"] == 1  # the cap allows one, nobody earned it


def test_rule14_quota_exceeded_is_warned():
    result = run(group_of(4, 10))
    warning = next(w for w in result["warnings"] if w["code"] == "QUOTA_EXCEEDED")
    assert (warning["unit"], warning["group"]) == ("u1", "g1")


def test_rule14_competent_authority_may_lift_the_caps_of_an_outstanding_unit():
    lifted = [{"unit": "u1", "group": "g1", "cap": 4}, {"unit": "u1", "cap": 4}]
    result = run(group_of(4, 10), quota_overrides=lifted)
    assert count(result, "A") == 4
    assert unit_entry(result)["cap_rule"] == "quota.manual"


def test_rule14_manual_group_cap_leaves_the_unit_share_in_force():
    result = run(group_of(4, 10), quota_overrides=[{"unit": "u1", "group": "g1", "cap": 4}])
    assert count(result, "A") == 2  # 14 rated: rule 11 still allows floor(2.8)
    assert result_of(result, "u1-g1-a3")["reasons"][-1]["rule"] == "quota.unit_share"


def test_rule14_manual_unit_cap_replaces_the_unit_share():
    result = run(group_of(4, 10), quota_overrides=[{"unit": "u1", "cap": 1}])
    assert count(result, "A") == 1
    assert result_of(result, "u1-g1-a1")["reasons"][-1]["rule"] == "quota.manual"
