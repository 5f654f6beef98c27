"""Rulesets are data: TOML files inside the package, or a path to a province's own."""

import pytest

from core import RulesetError, classify, load
from tests.conftest import ROOT, person, result_of, run

DEFAULT = (ROOT / "core/rulesets/default.toml").read_text(encoding="utf-8")


def write(tmp_path, text: str, name: str = "province.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_builtin_rulesets_load_and_cover_the_two_eras():
    assert load("default").method == "points"
    assert load("nd90").method == "shares"
    assert run([person()], "2026-01")["ruleset"] == "default"
    assert (
        run(
            [person(general={"politics": 10, "ethics": 10, "style": 10, "discipline": 10})],
            "2025-12",
        )["ruleset"]
        == "nd90"
    )


def test_input_may_name_the_ruleset_and_the_caller_may_override_it(tmp_path):
    path = write(tmp_path, DEFAULT.replace('name = "default"', 'name = "hung-yen"'))
    assert run([person()], ruleset=path)["ruleset"] == "hung-yen"
    named = {"period": "2026-10", "ruleset": path, "people": [person()]}
    assert classify(named)["ruleset"] == "hung-yen"
    assert classify(named, ruleset="default")["ruleset"] == "default"


def test_a_province_file_changes_the_numbers_not_the_code(tmp_path):
    path = write(tmp_path, DEFAULT.replace("A = 90", "A = 95"))
    general = {
        "politics": 6,
        "culture": 6,
        "discipline": 6,
        "responsibility": 6,
        "service": 3,
        "innovation": 0,
    }  # 97 points
    assert result_of(run([person(general=general)]))["computed_level"] == "A"
    assert result_of(run([person(general=general)], ruleset=path))["computed_level"] == "A"
    general["service"] = 0  # 94 points
    assert result_of(run([person(general=general)]))["computed_level"] == "A"
    assert result_of(run([person(general=general)], ruleset=path))["computed_level"] == "B"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("good_share = 0.2", 'good_share = "abc"', "quota.good_share"),
        ("good_share = 0.2", "good_share = 1.5", "quota.good_share"),
        ("B = 70", "B = -70", "levels.B"),
        ("B = 70", "B = 95", "levels.A"),
        ("points = 70", "pionts = 70", "tasks.points"),  # reported missing
        ("points = 70", "points = 70\npionts = 70", "tasks.pionts"),  # reported unknown
        ('method = "points"', 'method = "votes"', "method"),
        ('key = "service"\nmax = 3', 'key = "service"\nmax = "3"', "general.items[4].max"),
        ("[reward]\ncoefficient = 0.3", "[reward]\ncoefficient = 0.3\nextra = 1", "reward.extra"),
        (
            '{ since = "2024-07-01", vnd = 2340000 }',
            '{ since = "01/07/2024", vnd = 2340000 }',
            "reward.base_salary[1].since",
        ),
    ],
)
def test_a_broken_ruleset_names_the_key_and_the_problem(tmp_path, old, new, key):
    assert old in DEFAULT
    path = write(tmp_path, DEFAULT.replace(old, new))
    with pytest.raises(RulesetError) as error:
        load(path)
    assert error.value.key == key
    assert key in error.value.render("en")


def test_a_missing_table_is_named(tmp_path):
    text = DEFAULT[: DEFAULT.index("[levels]")] + DEFAULT[DEFAULT.index("[quota]") :]
    with pytest.raises(RulesetError) as error:
        load(write(tmp_path, text))
    assert error.value.key == "levels"


def test_not_toml_is_reported(tmp_path):
    with pytest.raises(RulesetError) as error:
        load(write(tmp_path, "name = [unclosed"))
    assert "TOML" in error.value.render("en")


def test_unknown_ruleset_name_lists_the_builtin_ones():
    with pytest.raises(RulesetError) as error:
        load("hanoi")
    assert "default" in error.value.render("en") and "nd90" in error.value.render("en")


def test_every_rule_that_gives_a_reason_has_a_source_in_the_builtin_rulesets():
    import re

    rule_ids = set()
    for module in (ROOT / "core").glob("*.py"):
        rule_ids |= set(re.findall(r'(?:Reason|Alert)\(\s*"([a-z0-9_.]+)"', module.read_text()))
        rule_ids |= set(
            re.findall(r'Alert\(\s*"[A-Z_0-9]+",\s*"([a-z0-9_.]+)"', module.read_text())
        )
    default = load("default").sources
    nd90 = load("nd90").sources
    for rule in rule_ids:
        assert rule in default or rule in nd90, rule
