"""The command line contract (RULES.md, "The core's command line"), through a real subprocess.

`python -m core classify [--ruleset NAME_OR_PATH] [--locale vi|en] [FILE]` reads JSON from
FILE or standard input and writes JSON to standard output with exit code 0; invalid input
gives exit code 2, exactly one line on standard error naming the person and the field, and
nothing on standard output. `python -m core rulesets` lists the built-in rulesets.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from tests.conftest import FULL_GENERAL, ROOT, V1_GENERAL, dumps, nd90_person, person, task

ND335_TOML = ROOT / "core" / "rulesets" / "nd335.toml"

# One task on time with one failed quality check: quality 75%, so the score is
# 30 + 70 x (1 + 0.75 + 1) / 3 = 94.17, and nothing else caps the level (A in nd335).
ONE_QUALITY_FAILURE = [task("t1", "on_time", quality_failures=1)]


def _input(*people: dict, period: str = "2026-10", **top) -> dict:
    return {"period": period, "people": list(people), **top}


def _ok(proc) -> dict:
    """The JSON of a successful run, with the failure explained when it is not one."""
    assert proc.returncode == 0, f"exit {proc.returncode}, stderr: {proc.stderr!r}"
    assert proc.stderr == "", proc.stderr
    return json.loads(proc.stdout)


def _invalid(proc) -> str:
    """The one error line of a run that must be refused (exit 2, stdout empty)."""
    assert proc.returncode == 2, (
        f"exit {proc.returncode}, stdout: {proc.stdout[:200]!r}, stderr: {proc.stderr!r}"
    )
    assert proc.stdout == "", f"something on stdout: {proc.stdout[:200]!r}"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got: {proc.stderr!r}"
    assert "Traceback" not in proc.stderr
    return lines[0]


def _person_of(result: dict, pid: str = "nv01") -> dict:
    return next(p for p in result["people"] if p["id"] == pid)


def _reason_text(person_result: dict, rule: str) -> str:
    texts = [r["text"] for r in person_result["reasons"] if r["rule"] == rule]
    assert texts, f"no reason {rule} in {person_result['reasons']}"
    return texts[0]


# -- valid input -----------------------------------------------------------------------------


def test_classify_from_file(cli, tmp_path: Path):
    path = tmp_path / "thang-10.json"
    path.write_text(
        dumps(_input(person("nv01"), person("nv02", tasks=[task("t1", "late")]))), encoding="utf-8"
    )
    result = _ok(cli("classify", "--locale", "en", str(path)))
    assert set(result) >= {"people", "units", "warnings"}
    assert result["period"] == "2026-10"
    assert result["ruleset"] == "nd335"
    assert [p["id"] for p in result["people"]] == ["nv01", "nv02"]
    nv01, nv02 = result["people"]
    assert nv01["score"] == 100.0 and nv01["computed_level"] == "A" and nv01["level"] == "A"
    # a late task: progress 75%, 30 + 70 x 2.75 / 3 = 94.17: A (no quota on a period)
    assert nv02["score"] == 94.17
    assert nv02["computed_level"] == "A"
    assert isinstance(result["units"], list) and result["units"]
    assert result["units"][0]["unit"] == "u1" and result["units"][0]["group"] == "g1"
    assert isinstance(result["warnings"], list)


def test_classify_from_stdin(cli):
    data = _input(person("nv01", tasks=[task("t1", "not_done")]))
    result = _ok(cli("classify", "--locale", "en", stdin=dumps(data)))
    assert set(result) >= {"people", "units", "warnings", "sources"}
    nv01 = _person_of(result)
    # not done, no explanation: a, b, c all 0 -> 30 points, D
    assert nv01["score"] == 30.0
    assert nv01["level"] == "D"
    codes = {w["code"] for w in result["warnings"]}
    assert {"HEAD_ACCOUNTABLE", "LEVEL_D"} <= codes


def test_file_and_stdin_give_the_same_output(cli, tmp_path: Path):
    data = _input(person("nv01"), person("nv02", tasks=[task("t1", "late", delays=2)]))
    path = tmp_path / "in.json"
    path.write_text(dumps(data), encoding="utf-8")
    from_file = _ok(cli("classify", "--locale", "en", str(path)))
    from_stdin = _ok(cli("classify", "--locale", "en", stdin=dumps(data)))
    assert from_file == from_stdin


def test_locale_en_gives_english_reasons(cli):
    result = _ok(cli("classify", "--locale", "en", stdin=dumps(_input(person("nv01")))))
    nv01 = _person_of(result)
    assert _reason_text(nv01, "score.total").startswith("Score 100/100: general criteria 30/30")
    assert _reason_text(nv01, "level.period") == (
        "A score of 100 reaches the threshold of 90 points for Excellent completion of duties (A)."
    )


def test_default_locale_is_vietnamese(cli):
    """Needs the compiled Vietnamese catalogue (locales/vi/LC_MESSAGES/messages.mo)."""
    data = dumps(_input(person("nv01")))
    vi = _ok(cli("classify", stdin=data))
    en = _ok(cli("classify", "--locale", "en", stdin=data))
    vi_texts = [r["text"] for r in _person_of(vi)["reasons"]]
    en_texts = [r["text"] for r in _person_of(en)["reasons"]]
    assert len(vi_texts) == len(en_texts)
    assert all(v != e for v, e in zip(vi_texts, en_texts, strict=True)), vi_texts
    # the official name of level A (RULES.md: Hoàn thành xuất sắc nhiệm vụ)
    assert "Hoàn thành xuất sắc nhiệm vụ" in _reason_text(_person_of(vi), "level.period")
    # only the texts differ
    assert _person_of(vi)["level"] == _person_of(en)["level"] == "A"


def test_default_locale_error_is_one_line(cli):
    """Needs the compiled Vietnamese catalogue; ids and field paths are not translated."""
    data = _input(person("nv07", tasks=[task("t1", "finished")]))
    line = _invalid(cli("classify", stdin=dumps(data)))
    assert "nv07" in line and "tasks[0].status" in line


def test_ruleset_option_overrides_the_choice_by_period(cli):
    # 2026-10 would take nd335; --ruleset nd90 takes the nd90 rules and criteria
    data = _input(nd90_person("nv01", tasks=[task("t1", "exceeded")]))
    result = _ok(cli("classify", "--ruleset", "nd90", "--locale", "en", stdin=dumps(data)))
    assert result["ruleset"] == "nd90"
    nv01 = _person_of(result)
    assert nv01["computed_level"] == "A"
    assert nv01["score"] is None  # nd90 has no points
    assert "nd90.excellent" in [r["rule"] for r in nv01["reasons"]]
    # without the option, the same input is read with nd335's criteria
    line = _invalid(cli("classify", "--locale", "en", stdin=dumps(data)))
    assert "nv01" in line and "general." in line


def test_ruleset_option_overrides_the_input_field(cli):
    data = _input(nd90_person("nv01", tasks=[task("t1", "exceeded")]), ruleset="default")
    assert (
        _ok(cli("classify", "--locale", "en", stdin=dumps(_input(person(), ruleset="default"))))[
            "ruleset"
        ]
        == "nd335"
    )
    result = _ok(cli("classify", "--ruleset", "nd90", "--locale", "en", stdin=dumps(data)))
    assert result["ruleset"] == "nd90"


def test_period_before_2026_takes_nd90(cli):
    data = _input(nd90_person("nv01", tasks=[task("t1", "exceeded")]), period="2025-10")
    assert _ok(cli("classify", "--locale", "en", stdin=dumps(data)))["ruleset"] == "nd90"


def _ruleset_copy(tmp_path: Path, *replacements: tuple[str, str], name="ruleset.toml") -> Path:
    text = ND335_TOML.read_text(encoding="utf-8")
    for pattern, new in replacements:
        text, count = re.subn(pattern, new, text, count=1, flags=re.MULTILINE)
        assert count == 1, f"pattern {pattern!r} not found in nd335.toml"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ruleset_from_a_toml_path(cli, tmp_path: Path):
    data = dumps(_input(person("nv01", tasks=ONE_QUALITY_FAILURE)))
    same = _ruleset_copy(tmp_path, name="same.toml")
    by_path = _ok(cli("classify", "--ruleset", str(same), "--locale", "en", stdin=data))
    builtin = _ok(cli("classify", "--locale", "en", stdin=data))
    assert by_path == builtin
    assert _person_of(by_path)["score"] == 94.17
    assert _person_of(by_path)["computed_level"] == "A"


def test_a_modified_threshold_in_a_toml_path_changes_the_level(cli, tmp_path: Path):
    data = dumps(_input(person("nv01", tasks=ONE_QUALITY_FAILURE)))
    stricter = _ruleset_copy(
        tmp_path,
        (r'^name = "nd335"', 'name = "tinh-thu"'),
        (r"^A = 90$", "A = 95"),
    )
    result = _ok(cli("classify", "--ruleset", str(stricter), "--locale", "en", stdin=data))
    assert result["ruleset"] == "tinh-thu"
    nv01 = _person_of(result)
    assert nv01["score"] == 94.17
    assert nv01["computed_level"] == "B"
    assert nv01["level"] == "B"
    # the built-in ruleset is untouched: the same input is still A there
    builtin = _ok(cli("classify", "--locale", "en", stdin=data))
    assert _person_of(builtin)["computed_level"] == "A"


def test_rulesets_lists_the_builtin_ones(cli):
    proc = cli("rulesets", "--locale", "en")
    listed = _ok(proc)
    assert isinstance(listed, list)
    names = [r["name"] for r in listed]
    assert sorted(names) == ["agency-monthly", "nd335", "nd90"]
    by_name = {r["name"]: r for r in listed}
    assert by_name["nd335"]["applies_from"] == "2026-01"
    assert by_name["nd335"]["aliases"] == ["default"]
    assert by_name["agency-monthly"]["extends"] == "nd335"
    assert by_name["nd90"]["applies_until"] == "2025-12"


def test_rulesets_without_options(cli):
    names = [r["name"] for r in _ok(cli("rulesets"))]
    assert "nd335" in names and "nd90" in names


# -- invalid input ---------------------------------------------------------------------------


def _without(data: dict, key: str) -> dict:
    data = copy.deepcopy(data)
    del data[key]
    return data


_GENERAL_PLUS = FULL_GENERAL | {"charisma": 2}

# (input, words the error line must hold: the person id and the field path)
INVALID_PEOPLE = {
    "unknown task status": (
        _input(person("nv07", tasks=[task("t1", "finished")])),
        ["nv07", "tasks[0].status", "finished"],
    ),
    "negative weight": (
        _input(person("nv07", tasks=[task("t1", weight=-1)])),
        ["nv07", "tasks[0].weight"],
    ),
    "duplicate person id": (
        _input(person("nv07"), person("nv07", unit="u2")),
        ["nv07", "people[1]", "id", "duplicate"],
    ),
    "person without unit": (
        _input(person("nv01"), _without(person("nv07"), "unit")),
        ["nv07", "people[1]", "unit", "missing"],
    ),
    "task without status": (
        _input(person("nv07", tasks=[task("t1"), {"id": "t2", "weight": 1.0}])),
        ["nv07", "tasks[1].status", "missing"],
    ),
    "unknown general criterion": (
        _input(person("nv07", general=_GENERAL_PLUS)),
        ["nv07", "general.charisma"],
    ),
    "weight as a string": (
        _input(person("nv07", tasks=[task("t1", weight="1.0")])),
        ["nv07", "tasks[0].weight", "number"],
    ),
    "version 1 general keys": (
        _input(person("nv07", general=V1_GENERAL)),
        ["nv07", "general.", "version 1", "politics_ethics_culture", "service_coordination"],
    ),
    "a general item not in half points": (
        _input(person("nv07", general=FULL_GENERAL | {"competence": 2.2})),
        ["nv07", "general.competence"],
    ),
    "a leader block on staff": (
        _input(person("nv07", leader={"organising": 1})),
        ["nv07", "leader"],
    ),
    "history entry with a bad level": (
        _input(person("nv07"), history=[{"id": "nv07", "period": "2026-09", "level": "E"}]),
        ["nv07", "history[0]", "level", "“E”"],
    ),
}


@pytest.mark.parametrize(("data", "words"), list(INVALID_PEOPLE.values()), ids=list(INVALID_PEOPLE))
def test_invalid_person_is_named_with_the_field(cli, data, words):
    line = _invalid(cli("classify", "--locale", "en", stdin=dumps(data)))
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"


@pytest.mark.parametrize(
    "period",
    ["2026-13", "26-10", "2026/10", 202610, "2026-00", "", "2026-Q5", "２０２６-10", "2026-1²"],
)
def test_period_neither_month_nor_year(cli, period):
    line = _invalid(cli("classify", "--locale", "en", stdin=dumps(_input(person(), period=period))))
    assert "period" in line
    shown = f"“{period}”" if isinstance(period, str) else repr(period)
    assert shown in line  # the bad value is shown, a text between quotation marks


def test_invalid_input_from_a_file(cli, tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text(
        dumps(_input(person("nv07", tasks=[task("t1", weight=-2.5)]))), encoding="utf-8"
    )
    line = _invalid(cli("classify", "--locale", "en", str(path)))
    assert "nv07" in line and "tasks[0].weight" in line


INVALID_DOCUMENTS = {
    "malformed JSON": ('{"period": "2026-10", "people": [', ["JSON"]),
    "trailing comma": ('{"period": "2026-10",}', ["JSON", "line 1"]),
    "empty input": ("", ["empty"]),
    "blank input": ("  \n\n ", ["empty"]),
    "array instead of object": ("[]", ["object"]),
    "array of the person": (dumps([person()]), ["object"]),
}


@pytest.mark.parametrize(
    ("text", "words"), list(INVALID_DOCUMENTS.values()), ids=list(INVALID_DOCUMENTS)
)
def test_unreadable_input_document(cli, text, words):
    line = _invalid(cli("classify", "--locale", "en", stdin=text))
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"


def test_missing_input_file(cli, tmp_path: Path):
    missing = tmp_path / "khong-co.json"
    line = _invalid(cli("classify", "--locale", "en", str(missing)))
    assert str(missing) in line
    assert "not found" in line


@pytest.mark.parametrize("where", ["option", "input"])
def test_unknown_ruleset_name(cli, where):
    if where == "option":
        proc = cli(
            "classify", "--ruleset", "nd336", "--locale", "en", stdin=dumps(_input(person()))
        )
    else:
        proc = cli("classify", "--locale", "en", stdin=dumps(_input(person(), ruleset="nd336")))
    line = _invalid(proc)
    assert "nd336" in line
    assert "nd335" in line and "nd90" in line  # the built-in ones are listed


def test_the_inputs_ruleset_names_a_builtin_ruleset_never_a_file(cli, tmp_path: Path):
    path = _ruleset_copy(tmp_path, name="tinh.toml")
    line = _invalid(
        cli("classify", "--locale", "en", stdin=dumps(_input(person(), ruleset=str(path))))
    )
    assert "ruleset" in line and "--ruleset" in line


def test_missing_ruleset_file(cli, tmp_path: Path):
    missing = tmp_path / "tinh.toml"
    line = _invalid(
        cli("classify", "--ruleset", str(missing), "--locale", "en", stdin=dumps(_input(person())))
    )
    assert "tinh.toml" in line and "not found" in line


BROKEN_RULESETS = {
    "good_share as a text": ((r"^good_share = 0\.2", 'good_share = "abc"'), "quota.good_share"),
    "good_share above 1": ((r"^good_share = 0\.2", "good_share = 1.5"), "quota.good_share"),
    "negative levels.B": ((r"^B = 70$", "B = -70"), "levels.B"),
    "unknown key": (
        (r"^small_group_below = 0", "small_group_below = 0\nsmall_groups = 3"),
        "quota.small_groups",
    ),
    "missing key": ((r"^unit_share = 0.*$", ""), "quota.unit_share"),
    "negative penalty": (
        (r"^delay_penalty = 0\.25", "delay_penalty = -0.25"),
        "tasks.delay_penalty",
    ),
}


@pytest.mark.parametrize(
    ("replacement", "key"), list(BROKEN_RULESETS.values()), ids=list(BROKEN_RULESETS)
)
def test_broken_ruleset_file_names_the_key(cli, tmp_path: Path, replacement, key):
    path = _ruleset_copy(tmp_path, replacement, name="tinh.toml")
    line = _invalid(
        cli("classify", "--ruleset", str(path), "--locale", "en", stdin=dumps(_input(person())))
    )
    assert key in line, f"{key!r} not in {line!r}"
    assert "tinh.toml" in line


def test_ruleset_file_that_is_not_toml(cli, tmp_path: Path):
    path = tmp_path / "hong.toml"
    path.write_text("name = \n[quota\n", encoding="utf-8")
    line = _invalid(
        cli("classify", "--ruleset", str(path), "--locale", "en", stdin=dumps(_input(person())))
    )
    assert "hong.toml" in line and "TOML" in line


def test_multi_line_error_detail_stays_on_one_line(cli):
    # A JSON error inside a long, multi-line document: still one line on stderr.
    text = json.dumps(_input(person()), indent=2)[:-3] + "\n\n  oops\n}"
    line = _invalid(cli("classify", "--locale", "en", stdin=text))
    assert "JSON" in line


HUGE_NUMBERS = {
    "general score 1e30": (
        person("nv07", general=FULL_GENERAL | {"politics": 1e30}),
        "general.politics",
    ),
    "weight 10**30": (person("nv07", tasks=[task("t1", weight=10**30)]), "tasks[0].weight"),
    "head_rank 10**40": (person("nv07", head_rank=10**40), "head_rank"),
}


@pytest.mark.parametrize(("who", "field"), list(HUGE_NUMBERS.values()), ids=list(HUGE_NUMBERS))
def test_a_huge_number_is_clamped_or_refused_never_a_crash(cli, who, field):
    """A valid JSON number far out of range: either it is clamped like any score above its
    maximum (exit 0, score within 0-100), or it is refused as invalid input (exit 2, one line
    naming the person and the field) -- never a traceback."""
    proc = cli("classify", "--locale", "en", stdin=dumps(_input(who)))
    if proc.returncode == 0:
        result = _ok(proc)
        assert 0 <= _person_of(result, "nv07")["score"] <= 100
    else:
        line = _invalid(proc)
        assert "nv07" in line and field in line, line


# -- every malformed input: exit 2, one line, never a traceback ------------------------------

_GOOD = _input(person("nv01"), person("nv02", role="head"))
_GOOD_TEXT = dumps(_GOOD)


def _with(path: str, value) -> str:
    """The good input with the value at `path` (dots; digits index lists) replaced."""
    data = copy.deepcopy(_GOOD)
    *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = data
    for key in parents:
        node = node[key]
    node[last] = value
    return dumps(data)


def _raw(path: str, text: str) -> str:
    """The good input with the JSON text `text` at `path`, written as is."""
    marker = "__RAW__"
    return _with(path, marker).replace(f'"{marker}"', text)


_DEEP = "[" * 100_000 + "]" * 100_000
_HUGE = "1" + "0" * 5000
MALFORMED = {
    "period in full-width digits": _with("period", "２０２６-10"),
    "period in Arabic-Indic digits": _with("period", "٢٠٢٦-10"),
    "period with a superscript digit": _with("period", "2026-1\u00b2"),
    "year in superscript digits": _with("period", "\u00b2\u2070\u00b2\u2076"),
    "quarter 0": _with("period", "2026-Q0"),
    "period of 5000 digits": _raw("period", _HUGE),
    "weight of 5000 digits": _raw("people.0.tasks.0.weight", _HUGE),
    "general item of 5000 digits": _raw("people.0.general.competence", _HUGE),
    "delays of 5000 digits": _raw("people.0.tasks.0.delays", _HUGE),
    "head_rank of 5000 digits": _raw("people.0.head_rank", _HUGE),
    "negative weight of 5000 digits": _raw("people.0.tasks.0.weight", "-" + _HUGE),
    "history score of 5000 digits": _raw(
        "history", f'[{{"id": "nv01", "period": "2026-09", "score": {_HUGE}}}]'
    ),
    "deep nesting in people": _raw("people", _DEEP),
    "deep nesting in a title": _raw("people.0.tasks.0.title", _DEEP),
    "deep nesting in general": _raw("people.0.general", _DEEP),
    "deep nesting in unit_names": _raw("unit_names", '{"u": ' + _DEEP + "}"),
    "deep objects": _raw("people.0.flags", '{"a":' * 50_000 + "1" + "}" * 50_000),
    "NaN weight": _raw("people.0.tasks.0.weight", "NaN"),
    "Infinity general": _raw("people.0.general.competence", "Infinity"),
    "1e400 weight": _raw("people.0.tasks.0.weight", "1e400"),
    "1e308 general": _raw("people.0.general.competence", "1e308"),
    "lone surrogate in an id": _raw("people.0.id", '"\\ud800"'),
    "people as an object": _with("people", {"nv01": person()}),
    "a person as a list": _with("people.0", ["nv01"]),
    "an id as a number": _with("people.0.id", 7),
    "general as a list": _with("people.0.general", [5, 5]),
    "tasks as an object": _with("people.0.tasks", {"t1": "on_time"}),
    "a task as a text": _with("people.0.tasks.0", "t1"),
    "a title as an object": _with("people.0.tasks.0.title", {"vi": "x"}),
    "a weight of zero": _with("people.0.tasks.0.weight", 0),
    "a boolean weight": _with("people.0.tasks.0.weight", True),
    "extra as a text": _with("people.0.tasks.0.extra", "yes"),
    "flags as a list": _with("people.0.flags", ["degeneration"]),
    "a flag as a number": _with("people.0.flags", {"degeneration": 1}),
    "a date of month 13": _with("people.0.discipline", [{"form": "warning", "date": "2026-13-01"}]),
    "a date as a number": _with("people.0.discipline", [{"form": "warning", "date": 20261001}]),
    "a date in other digits": _with(
        "people.0.discipline", [{"form": "warning", "date": "٢٠٢٦-10-01"}]
    ),
    "counted_in of 5000 digits": _raw(
        "people.0.discipline",
        f'[{{"form": "warning", "date": "2026-10-01", "counted_in": {_HUGE}}}]',
    ),
    "history as an object": _with("history", {"nv01": []}),
    "unit_names as a list": _with("unit_names", ["u1"]),
    "a name of a unit as an object": _with("unit_names", {"u1": {"vi": "x"}}),
    "quota_exceptions as an object": _with("quota_exceptions", {"share": 0.25}),
    "an exception share of 5000 digits": _raw(
        "quota_exceptions", f'[{{"share": {_HUGE}, "decision": "QĐ"}}]'
    ),
    "a leader part of 5000 digits": _raw("people.1.leader", f'{{"organising": {_HUGE}}}'),
    "ruleset as a list": _with("ruleset", ["nd335"]),
    "ruleset as a path": _with("ruleset", "core/rulesets/nd335.toml"),
    "period missing": dumps({"people": [person()]}),
    "people missing": dumps({"period": "2026-10"}),
    "period null": _with("period", None),
    "a year person with periods of 5000 digits": dumps(
        {
            "period": "2026",
            "people": [
                {
                    "id": "a",
                    "unit": "u",
                    "group": "g",
                    "role": "staff",
                    "periods": [{"period": "2026-01", "score": 10**4000}],
                }
            ],
        }
    ),
    "invalid UTF-8": "INVALID-UTF8",
    "a number as the document": "1" + "0" * 5000,
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_every_malformed_input_exits_2_with_one_line(name, monkeypatch, capsysbinary):
    """In process, through `core.__main__.main` (the subprocess tests above cover the
    process itself): exit 2, one line on stderr, nothing on stdout, no traceback."""
    import io
    import sys

    from core.__main__ import main

    text = MALFORMED[name]
    raw = b'\xff\xfe{"period"' if text == "INVALID-UTF8" else text.encode("utf-8", "surrogatepass")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code = main(["classify", "--locale", "en"])
    out, err = capsysbinary.readouterr()
    assert code == 2, err
    assert out == b""
    lines = err.decode("utf-8").splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0], err


@pytest.mark.parametrize(
    "name", ["period in full-width digits", "weight of 5000 digits", "deep nesting in people"]
)
def test_malformed_inputs_through_the_process(cli, name):
    _invalid(cli("classify", "--locale", "en", stdin=MALFORMED[name]))


def test_a_utf8_byte_order_mark_is_accepted(cli):
    result = _ok(cli("classify", "--locale", "en", stdin="\ufeff" + _GOOD_TEXT))
    assert result["ruleset"] == "nd335"
