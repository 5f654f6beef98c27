"""Rulesets are data: TOML files inside the package, files that extend them, or a path to
a province's own; the input names a built-in ruleset only."""

import re

import pytest

from core import InputError, RulesetError, classify, load
from tests.conftest import ROOT, nd90_person, person, result_of, run

ND335 = (ROOT / "core/rulesets/nd335.toml").read_text(encoding="utf-8")


def write(tmp_path, text: str, name: str = "province.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_builtin_rulesets_and_what_they_extend():
    assert load("nd335").method == "points" and load("nd335").extends is None
    assert load("agency-monthly").extends == "nd335"
    assert load("nd90").method == "shares"


def test_default_is_another_name_for_nd335_and_the_output_says_nd335():
    assert load("default").name == "nd335"
    assert run([person()], ruleset="default")["ruleset"] == "nd335"
    assert (
        classify({"period": "2026-10", "ruleset": "default", "people": [person()]})["ruleset"]
        == "nd335"
    )


def test_the_period_chooses_nd90_before_2026_and_nd335_from_2026():
    assert run([person()], "2026-01")["ruleset"] == "nd335"
    assert run([person()], "2026-Q1")["ruleset"] == "nd335"
    assert run([nd90_person()], "2025-12")["ruleset"] == "nd90"
    assert run([nd90_person()], "2025")["ruleset"] == "nd90"


def test_the_input_names_a_builtin_ruleset_only(tmp_path):
    path = write(tmp_path, 'extends = "nd335"\nname = "hung-yen"\n')
    with pytest.raises(InputError) as error:
        classify({"period": "2026-10", "ruleset": path, "people": [person()]})
    assert error.value.field == "ruleset"
    assert "--ruleset" in error.value.render("en")
    # the caller's option takes a path, and overrides the input's field
    named = {"period": "2026-10", "ruleset": "nd90", "people": [person()]}
    assert classify(named, ruleset=path)["ruleset"] == "hung-yen"


def test_extends_overrides_only_the_keys_it_gives(tmp_path):
    path = write(tmp_path, 'extends = "nd335"\nname = "strict"\n[levels]\nA = 95\n')
    strict = load(path)
    assert strict.thresholds[0][1] == 95 and strict.thresholds[1][1] == 70
    assert strict.criteria == load("nd335").criteria
    assert strict.aliases == ()  # "default" stays the name of nd335 only
    # 94.17 points: A by nd335, B by the province's file
    tasks = [{"id": "t1", "status": "on_time", "quality_failures": 1}]
    assert result_of(run([person(tasks=tasks)]))["computed_level"] == "A"
    assert result_of(run([person(tasks=tasks)], ruleset=path))["computed_level"] == "B"


def test_extends_a_file_by_a_path_relative_to_the_extending_file(tmp_path):
    write(
        tmp_path, 'extends = "agency-monthly"\nname = "tinh"\n[bonus]\nperiod_max = 4\n', "a.toml"
    )
    path = write(tmp_path, 'extends = "a.toml"\nname = "so"\n', "b.toml")
    ruleset = load(path)
    assert (ruleset.name, ruleset.bonus_period_max, ruleset.quota_scope) == ("so", 4, "unit")


def test_extends_in_a_circle_is_refused(tmp_path):
    write(tmp_path, 'extends = "b.toml"\nname = "a"\n', "a.toml")
    path = write(tmp_path, 'extends = "a.toml"\nname = "b"\n', "b.toml")
    with pytest.raises(RulesetError) as error:
        load(path)
    assert error.value.key == "extends"


def test_a_file_that_extends_must_name_itself(tmp_path):
    with pytest.raises(RulesetError) as error:
        load(write(tmp_path, 'extends = "nd335"\n[levels]\nA = 95\n'))
    assert error.value.key == "name"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[options]\nextra_tasks = 'shared'", "options.extra_tasks"),
        ("[options]\ngates = 'qd124'", "options.gates"),
        ("[options]\ncolour = 'red'", "options.colour"),
        ("[quota]\nscope = 'province'", "quota.scope"),
        ("[quota]\nexception_share = 0.1", "quota.exception_share"),
        ("[quota]\nunit_share = 0.2", "quota.scope"),
        ("[general]\nstep = 0.3", "general.step"),
        ("[tasks]\npoints = 170", "tasks.points"),
        ("[levels]\nB = 95", "levels.A"),
        ("[caps]\nunexplained_undone = 'E'", "caps.unexplained_undone"),
        ("colour = 'red'", "colour"),
    ],
)
def test_a_wrong_key_or_value_in_an_extending_file_is_named(tmp_path, text, key):
    path = write(tmp_path, f'extends = "nd335"\nname = "x"\n{text}\n')
    with pytest.raises(RulesetError) as error:
        load(path)
    assert error.value.key == key
    assert key in error.value.render("en")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("good_share = 0.2", 'good_share = "abc"', "quota.good_share"),
        ("good_share = 0.2", "good_share = 1.5", "quota.good_share"),
        ("B = 70", "B = -70", "levels.B"),
        ("points = 70", "pionts = 70", "tasks.points"),  # reported missing
        ('method = "points"', 'method = "votes"', "method"),
        ('key = "competence"\nmax = 2.5', 'key = "competence"\nmax = 2.25', "general.items[2].max"),
    ],
)
def test_a_broken_copy_names_the_key_and_the_problem(tmp_path, old, new, key):
    assert old in ND335
    with pytest.raises(RulesetError) as error:
        load(write(tmp_path, ND335.replace(old, new)))
    assert error.value.key == key


def test_not_toml_is_reported(tmp_path):
    with pytest.raises(RulesetError) as error:
        load(write(tmp_path, "name = [unclosed"))
    assert "TOML" in error.value.render("en")


def test_an_unknown_ruleset_name_lists_the_builtin_ones():
    with pytest.raises(RulesetError) as error:
        load("hanoi")
    for name in ("nd335", "agency-monthly", "nd90"):
        assert name in error.value.render("en")


def test_every_rule_that_gives_a_reason_has_a_source_where_it_can_apply():
    rule_ids = set()
    for module in (ROOT / "core").glob("*.py"):
        text = module.read_text()
        rule_ids |= set(re.findall(r'(?:Reason|Alert)\(\s*"([a-z0-9_.]+)"', text))
        rule_ids |= set(re.findall(r'Alert\(\s*"[A-Z_0-9]+",\s*"([a-z0-9_.]+)"', text))
        rule_ids |= set(re.findall(r'"((?:quota|level)\.[a-z_]+)"', text))
    agency = load("agency-monthly").sources
    nd90 = load("nd90").sources
    for rule in rule_ids:
        assert rule in agency or rule in nd90, rule


def test_sources_of_design_decisions_say_so():
    for ruleset in ("nd335", "agency-monthly"):
        sources = load(ruleset).sources
        for rule in ("quota.tie", "warning.level_d", "warning.no_tasks", "score.leader_not_rated"):
            assert sources[rule].startswith("Quy ước của phần mềm"), (ruleset, rule)
        assert "Quy ước của phần mềm" in sources["discipline.exception"]
    assert "Quy ước" not in load("nd90").sources["discipline.exception"]  # the law there
