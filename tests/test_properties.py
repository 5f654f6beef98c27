"""Properties of the classification that hold for every valid input (hypothesis).

Everything goes through the public entry point `core.classify`, with generated inputs
shaped like a real period of an agency: several units and groups, staff and leaders,
tasks of every status (base and extra), weights, delays, failed quality checks and
explanations, the 10 general items in half points, reviewers' scores, leaders' đ and e,
initiatives, deductions (agency profile), self-proposed levels and the head's ranking;
and years of period scores with quota exceptions.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import classify, classify_in
from tests.conftest import FULL_GENERAL, year_person

RANK = {"A": 3, "B": 2, "C": 1, "D": 0}
UNITS = ["to-chuc", "van-phong", "thanh-tra"]
GROUPS = ["chuyen-vien", "lanh-dao"]
MAX = FULL_GENERAL  # item -> maximum, nd335
RULESETS = ["nd335", "agency-monthly"]

SETTINGS = settings(
    max_examples=70,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- strategies ------------------------------------------------------------------------------

# The agency's conversion factors ("hệ số quy đổi"): mostly round, sometimes odd.
weights = st.sampled_from([1.0, 1.0, 0.5, 1.5, 2.0, 3.0, 0.1, 0.3, 1.7, 2.35, 4.8])


def half_points(top: float):
    return st.integers(0, int(top * 2)).map(lambda n: n // 2 if n % 2 == 0 else n / 2)


@st.composite
def a_task(draw, tid: str, strong: bool, extra: bool | None = None) -> dict:
    if strong:
        statuses = st.sampled_from(["on_time", "exceeded", "exceeded", "on_time", "late"])
    else:
        statuses = st.sampled_from(["exceeded", "on_time", "late", "not_done"])
    status = draw(statuses)
    item: dict = {"id": tid, "status": status}
    if extra is None:
        extra = draw(st.integers(0, 4)) == 0
    if extra:
        item["extra"] = True
    if draw(st.booleans()):
        item["weight"] = draw(weights)
    if status != "not_done" and draw(st.integers(0, 3)) == 0:
        item["quality_failures"] = draw(st.integers(0, 5))
    if status == "late" and draw(st.booleans()):
        item["delays"] = draw(st.integers(0, 5))
    if draw(st.integers(0, 2)) == 0:
        item["explanation"] = draw(st.sampled_from(["none", "submitted", "approved"]))
        if item["explanation"] == "approved" and draw(st.booleans()):
            item["explanation_late"] = draw(st.booleans())
    if draw(st.integers(0, 5)) == 0:
        item["objective_reason"] = True
    return item


@st.composite
def general_scores(draw, strong: bool) -> dict:
    scores = {}
    for key, top in MAX.items():
        if strong:
            scores[key] = draw(st.sampled_from([top, top, top, top - 0.5, top - 1]))
        else:
            scores[key] = draw(half_points(top))
    return scores


@st.composite
def people_of(draw, period: str, agency: bool, min_size: int = 1, max_size: int = 14) -> list:
    count = draw(st.integers(min_size, max_size))
    # one to three units, one or two groups: crowded groups give the quota work to do
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True))
    groups = draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True))
    people = []
    for i in range(count):
        strong = draw(st.integers(0, 3)) > 0  # three in four aim at A
        role = draw(st.sampled_from(["staff"] * 5 + ["deputy", "head", "director"]))
        tasks = [
            draw(a_task(f"t{j + 1}", strong))
            for j in range(draw(st.integers(0 if not strong else 1, 6)))
        ]
        p: dict = {
            "id": f"nv{i:02d}",
            "name": f"Người {i}",
            "unit": draw(st.sampled_from(units)),
            "group": draw(st.sampled_from(groups)),
            "role": role,
            "general": draw(general_scores(strong)),
            "tasks": tasks,
        }
        if role != "staff" and draw(st.booleans()):
            p["leader"] = {
                k: draw(st.sampled_from([None, 1, 0.5]))
                for k in ("organising", "cohesion", "unit_result")
                if draw(st.booleans())
            }
        if draw(st.integers(0, 4)) == 0:
            p["general_review"] = {
                k: draw(half_points(top)) for k, top in MAX.items() if draw(st.booleans())
            }
        if draw(st.booleans()):
            p["initiatives"] = [
                {"id": f"i{j}", "approved": draw(st.booleans())}
                for j in range(draw(st.integers(0, 7)))
            ]
        if agency and draw(st.integers(0, 4)) == 0:
            p["deductions"] = draw(
                st.lists(
                    st.one_of(
                        st.fixed_dictionaries(
                            {"reason": st.just("đi họp muộn"), "points": st.integers(0, 40)}
                        ),
                        st.fixed_dictionaries(
                            {
                                "code": st.sampled_from(
                                    ["late_report", "absent_meeting", "citizen_complaint"]
                                ),
                                "count": st.integers(1, 3),
                            }
                        ),
                    ),
                    max_size=3,
                )
            )
        if draw(st.integers(0, 9)) == 0:
            p["discipline"] = [{"form": "reprimand", "date": "2026-10-05", "violation": "v1"}]
        if draw(st.integers(0, 9)) == 0:
            p["flags"] = {draw(st.sampled_from(["degeneration", "party_prohibition"])): True}
        if draw(st.booleans()):
            p["self_level"] = draw(st.sampled_from(["A", "B", "C", "D"]))
        if draw(st.booleans()):
            p["head_rank"] = draw(st.integers(1, 10))
        if agency and draw(st.integers(0, 4)) == 0:
            p["exemplary"] = True
        people.append(p)
    return people


@st.composite
def periods(draw) -> dict:
    ruleset = draw(st.sampled_from(RULESETS))
    period = draw(st.sampled_from(["2026-10", "2026-Q4"]))
    data = {"period": period, "ruleset": ruleset}
    data["people"] = draw(people_of(period, ruleset == "agency-monthly"))
    return data


def _classify(data: dict) -> dict:
    return classify(copy.deepcopy(data), locale="en")


# -- quota -----------------------------------------------------------------------------------


def _quota_never_promotes(result: dict) -> None:
    for p in result["people"]:
        if not p["rated"]:
            assert p["level"] is p["computed_level"] is None
            continue
        assert RANK[p["level"]] <= RANK[p["computed_level"]] <= RANK[p["rules_level"]], p
        if p["level"] != p["computed_level"]:
            assert (p["computed_level"], p["level"]) == ("A", "B"), p
            assert any(r["rule"].startswith("quota.") for r in p["reasons"]), p["reasons"]


def _no_more_a_than_the_cap(result: dict) -> None:
    final: dict = defaultdict(lambda: dict.fromkeys(RANK, 0))
    for p in result["people"]:
        if p["rated"]:
            unit = p["unit"] if any(e["unit"] for e in result["units"]) else None
            final[unit, p["group"]][p["level"]] += 1
    entries = result["units"]
    for e in entries:
        assert e["counts"] == final[e["unit"], e["group"]], e
        if e["cap"] is None:
            continue
        assert e["counts"]["A"] <= e["cap"], e
        assert e["counts"]["A"] == e["proposed_a"] - len(e["demoted"]), e
        if e["cap_rule"] == "quota.good_share":
            assert 5 * e["counts"]["A"] <= e["counts"]["B"], e  # A <= 20% of the final B
        if e["cap_rule"] == "quota.exception":
            assert 4 * e["counts"]["A"] <= e["counts"]["B"], e  # A <= 25% of the final B
        if e["cap_rule"] == "quota.small_group":
            assert e["counts"]["A"] <= 1, e
    by_unit: dict = defaultdict(lambda: [0, 0, set()])
    for e in entries:
        by_unit[e["unit"]][0] += e["counts"]["A"]
        by_unit[e["unit"]][1] += sum(e["counts"].values())
        by_unit[e["unit"]][2].add(e["unit_cap"])
    for unit, (a, rated, caps) in by_unit.items():
        assert len(caps) == 1, (unit, caps)
        (cap,) = caps
        if cap is not None:
            assert a <= cap
            assert a <= max(rated // 5, 1)  # rule 10a, 10b's one at least


@SETTINGS
@given(periods())
def test_quota_never_promotes(data):
    """Rule 12: the final level is never above the level before the quota (nor that one
    above the rules' level); a change is A -> B, with a quota reason."""
    _quota_never_promotes(_classify(data))


@SETTINGS
@given(periods())
def test_no_more_a_than_the_cap(data):
    """Rules 10, 10a, 10b as reported, and rule 10 (A <= 20% of final B) checked anew."""
    result = _classify(data)
    _no_more_a_than_the_cap(result)
    if data["ruleset"] == "nd335":  # rule 7: no quota on a period
        assert all(e["cap"] is None for e in result["units"])
        assert all(p["level"] == p["computed_level"] for p in result["people"])


@st.composite
def years(draw) -> dict:
    people = []
    quarters = draw(st.booleans())
    for i in range(draw(st.integers(1, 16))):
        count = 4 if quarters else 12
        scores = draw(
            st.lists(
                st.one_of(
                    st.integers(40, 100),
                    st.floats(40, 100, allow_nan=False).map(lambda x: round(x, 2)),
                ),
                min_size=count,
                max_size=count,
            )
        )
        person = year_person(
            f"nv{i:02d}",
            unit=draw(st.sampled_from(UNITS)),
            group=draw(st.sampled_from(GROUPS)),
        )
        person["periods"] = [
            {"period": f"2026-Q{n + 1}" if quarters else f"2026-{n + 1:02d}", "score": s}
            for n, s in enumerate(scores)
            if draw(st.integers(0, 5))  # a period left out now and then
        ]
        if draw(st.booleans()):
            person["head_rank"] = draw(st.integers(1, 5))
        people.append(person)
    data = {"period": "2026", "people": people}
    if draw(st.booleans()):
        share = draw(st.sampled_from([0.2, 0.22, 0.25]))
        data["quota_exceptions"] = [
            {
                "unit": None,
                "group": draw(st.sampled_from([None, *GROUPS])),
                "share": share,
                "decision": "Quyết định số 12/QĐ-UBND ngày 05/01/2027",
            }
        ]
    return data


@SETTINGS
@given(years())
def test_the_annual_quota_never_promotes_and_keeps_to_the_cap(data):
    result = _classify(data)
    _quota_never_promotes(result)
    _no_more_a_than_the_cap(result)
    for e in result["units"]:
        share = e["share"]
        assert e["counts"]["A"] * share <= (e["counts"]["B"]) * share + 1e-9
        n = e["counts"]["B"] + e["proposed_a"] - 0  # demoted are counted among B
        assert e["cap"] == int((e["counts"]["B"] + e["counts"]["A"]) * share / (1 + share) + 1e-9)
        assert n >= 0


# -- scores ----------------------------------------------------------------------------------


@SETTINGS
@given(periods())
def test_scores_are_within_0_and_100(data):
    result = _classify(data)
    for p in result["people"]:
        if p["rated"]:
            assert 0 <= p["score"] <= 100, p
            assert p["score"] == round(p["score"], 2)
            b = p["breakdown"]
            assert 0 <= b["general"] <= 30 and 0 <= b["tasks"] <= 70
            for part in ("a", "b", "c", "d", "dd", "e"):
                assert 0 <= b.get(part, 0) <= 1
        else:
            assert p["score"] is None and p["level"] is None


@SETTINGS
@given(years())
def test_annual_scores_are_within_0_and_100(data):
    for p in _classify(data)["people"]:
        if p["rated"]:
            assert 0 <= p["score"] <= 100, p


@SETTINGS
@given(periods(), st.data())
def test_an_extra_task_done_never_lowers_a_score(data, draw):
    """Adding a done extra task (on time, exceeded or late, with failed checks or delays)
    to anyone with an assigned task never lowers any score of the output: extra tasks
    add to the sums, never to W, and a leader's d only rises with the levels led."""
    index = draw.draw(st.integers(0, len(data["people"]) - 1))
    target = data["people"][index]
    if not any(not t.get("extra") for t in target["tasks"]):
        target["tasks"].append(
            {"id": "t-base", "status": draw.draw(st.sampled_from(["on_time", "not_done"]))}
        )
    before = _classify(data)
    new = draw.draw(a_task(f"x-new-{len(target['tasks'])}", True, extra=True))
    target["tasks"].append(new)
    after = _classify(data)
    for old, now in zip(before["people"], after["people"], strict=True):
        if old["rated"]:
            assert now["rated"] and now["score"] >= old["score"], (
                old["breakdown"],
                now["breakdown"],
            )
            assert RANK[now["rules_level"]] >= RANK[old["rules_level"]] or now["id"] != target["id"]


# -- determinism -----------------------------------------------------------------------------


@SETTINGS
@given(periods())
def test_same_input_same_output_in_input_order(data):
    """Classifying twice gives the same output; people come out in the order they came in."""
    original = copy.deepcopy(data)
    first = classify(data, locale="en")
    assert data == original, "classify changed its input"
    second = classify(data, locale="en")
    assert first == second
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)
    assert [p["id"] for p in first["people"]] == [p["id"] for p in data["people"]]


@SETTINGS
@given(periods())
def test_one_run_in_both_languages_is_each_language_alone(data):
    """`classify_in` runs the rules once and renders every language: the same output as
    classifying in each language apart."""
    both = classify_in(data, ("vi", "en"))
    assert both == {"vi": classify(data, locale="vi"), "en": classify(data, locale="en")}
    assert both["vi"]["people"] != both["en"]["people"]  # the reasons' texts differ


@SETTINGS
@given(periods(), st.randoms(use_true_random=False))
def test_levels_do_not_depend_on_the_order_of_people(data, rnd):
    """Ties at the quota cut keep the lower id (rule 11), not the first one listed."""
    shuffled = copy.deepcopy(data)
    rnd.shuffle(shuffled["people"])

    def levels(result: dict) -> dict:
        return {p["id"]: (p["score"], p["computed_level"], p["level"]) for p in result["people"]}

    assert levels(_classify(data)) == levels(_classify(shuffled))
