"""The reviewer's level (review_level) and the names the texts use (name, title,
unit_names, group_names): extensions of the core's input that front ends such as the bot
rely on, for periods and years alike."""

import pytest

from core import CoreError
from tests.conftest import general_total, person, result_of, run, task, year_person

AGENCY = "agency-monthly"
GOOD_GENERAL = general_total(10)  # 80 points


def good(pid: str, **fields) -> dict:
    return person(pid, general=GOOD_GENERAL, **fields)


# The reviewer's level --------------------------------------------------------------------------


def test_a_reviewer_lowers_the_level_with_the_reason_named():
    result = result_of(
        run([person(review_level="C", review_reason="Chậm nộp báo cáo quý")], locale="vi")
    )
    assert (result["rules_level"], result["computed_level"], result["level"]) == ("A", "C", "C")
    review = next(r for r in result["reasons"] if r["rule"] == "review.level")
    assert "Chậm nộp báo cáo quý" in review["text"]
    assert "Hoàn thành nhiệm vụ (C)" in review["text"]


def test_a_reviewer_cannot_raise_the_level_the_rules_give():
    result = result_of(run([good("nv01", review_level="A", review_reason="Xứng đáng")]), "nv01")
    assert (result["rules_level"], result["level"]) == ("B", "B")
    review = next(r for r in result["reasons"] if r["rule"] == "review.level")
    assert "not raise" in review["text"]


def test_a_reviewer_lowers_a_year_before_the_annual_quota():
    people = [year_person("a1", scores=98, review_level="B", review_reason="Chưa gương mẫu")]
    people += [year_person("a2", scores=95)] + [year_person(f"b{i}", scores=80) for i in range(5)]
    result = run(people, "2026")
    a1, a2 = result_of(result, "a1"), result_of(result, "a2")
    assert (a1["rules_level"], a1["computed_level"], a1["level"]) == ("A", "B", "B")
    assert a2["level"] == "A"  # the place a1 left; floor(7 / 6) = 1
    assert "QUOTA_EXCEEDED" not in [w["code"] for w in result["warnings"]]


def test_a_lowered_level_frees_a_place_of_the_monthly_quota():
    # 2 proposed A and 5 B: the cap is floor(7 / 6) = 1, so the quota demotes one A
    people = [person("a1"), person("a2", general=general_total(29))]
    people += [good(f"b{i}") for i in range(5)]
    assert [p["level"] for p in run(people, ruleset=AGENCY)["people"][:2]] == ["A", "B"]
    people[0] = person("a1", review_level="C", review_reason="Vi phạm quy chế làm việc")
    result = run(people, ruleset=AGENCY)
    assert (result_of(result, "a1")["level"], result_of(result, "a2")["level"]) == ("C", "A")
    entry = result["units"][0]
    assert entry["counts"] == {"A": 1, "B": 5, "C": 1, "D": 0}
    assert entry["demoted"] == []


def test_a_lowered_level_counts_for_the_leaders_d():
    lowered = person("nv02", review_level="D", review_reason="Không hoàn thành nhiệm vụ trọng tâm")
    result = run([person("tp", role="head"), lowered])
    assert result_of(result, "tp")["breakdown"]["d"] == 0.5


def test_a_lowered_level_to_d_raises_the_level_d_warning():
    result = run([person(review_level="D", review_reason="Không hoàn thành nhiệm vụ trọng tâm")])
    assert [w["code"] for w in result["warnings"]] == ["LEVEL_D"]


def test_self_overrated_compares_the_proposal_with_the_rules_not_the_reviewer():
    lowered = person(self_level="A", review_level="B", review_reason="Chưa chủ động phối hợp")
    assert "SELF_OVERRATED" not in [w["code"] for w in run([lowered])["warnings"]]


@pytest.mark.parametrize(
    "fields",
    [
        {"review_level": "C"},
        {"review_level": "C", "review_reason": " "},
        {"review_reason": "Không có mức"},
        {"review_level": "E", "review_reason": "Mức không tồn tại"},
    ],
)
def test_a_reviewers_level_needs_a_known_level_and_its_reason(fields):
    with pytest.raises(CoreError):
        run([person(**fields)])


# Names, not codes ------------------------------------------------------------------------------


def test_texts_name_people_units_groups_and_tasks_never_their_codes():
    people = [
        person("x1", name="Trần Thị Mai", unit="to-chuc", group="cv"),
        person("x2", name="Lê Minh Tuấn", unit="to-chuc", group="cv"),
        person(
            "x3",
            name="Phạm Văn Bình",
            unit="to-chuc",
            group="cv",
            tasks=[
                task("15"),
                task("16"),
                task("17", "not_done", title="Báo cáo tổng kết công tác cải cách"),
            ],
        ),
        person(
            "x4", name="Đỗ Thị Hoa", role="head", unit="to-chuc", group="ld", general=GOOD_GENERAL
        ),
    ] + [good(f"b{i}", name=f"Người {i}", unit="to-chuc", group="cv") for i in range(3)]
    result = run(
        people,
        locale="vi",
        ruleset=AGENCY,
        unit_names={"to-chuc": "Phòng Tổ chức cán bộ"},
        group_names={"cv": "Chuyên viên"},
    )
    details = {w["code"]: w for w in result["warnings"]}
    tie = details["QUOTA_TIE"]
    assert "Trần Thị Mai" in tie["detail"] and "Lê Minh Tuấn" in tie["detail"]
    assert "Phòng Tổ chức cán bộ" in tie["detail"]
    assert sorted(tie["people"]) == ["x1", "x2"] and tie["unit"] == "to-chuc"
    exceeded = details["QUOTA_EXCEEDED"]
    assert "Chuyên viên" in exceeded["detail"] and exceeded["people"] == ["x2"]
    accountable = details["HEAD_ACCOUNTABLE"]
    assert "Phạm Văn Bình (“Báo cáo tổng kết công tác cải cách”)" in accountable["detail"]
    assert accountable["people"] == ["x3"]
    x3 = result_of(result, "x3")
    cap = next(r for r in x3["reasons"] if r["rule"].startswith("cap."))
    assert "“Báo cáo tổng kết công tác cải cách”" in cap["text"]
    texts = [w["detail"] for w in result["warnings"]]
    texts += [r["text"] for p in result["people"] for r in p["reasons"]]
    for text in texts:
        for code in ("x1", "x2", "x3", "x4", "to-chuc", "“17”", "cv,"):
            assert code not in text


def test_without_names_the_texts_fall_back_to_the_codes():
    people = [person("y"), person("x")] + [good(f"b{i}") for i in range(4)]
    tie = next(w for w in run(people, ruleset=AGENCY)["warnings"] if w["code"] == "QUOTA_TIE")
    assert "x" in tie["detail"] and "y" in tie["detail"]


@pytest.mark.parametrize(
    "top",
    [{"unit_names": ["Phòng"]}, {"unit_names": {"u1": ""}}, {"group_names": {"g1": 3}}],
)
def test_bad_names_are_refused(top):
    with pytest.raises(CoreError):
        run([person()], **top)


def test_a_person_warning_lists_its_person():
    result = run([person(self_level="A", general=GOOD_GENERAL)])
    warning = next(w for w in result["warnings"] if w["code"] == "SELF_OVERRATED")
    assert warning["people"] == ["nv01"]
