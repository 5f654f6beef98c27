"""Rulesets: the numbers of the rules, loaded from TOML data files.

Three are built in: `nd335` (Nghị định 335/2025 as written; `default` is another name for
it), `agency-monthly` (extends `nd335` with the monthly practice of the seeds) and `nd90`
(periods up to 2025-12). A file may say `extends = "NAME_OR_PATH"` and override any key;
a province passes the path of its own file. Every key is checked on load, and an unknown
key is an error too, so that a typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from core.errors import RulesetError
from core.model import Level, Period
from core.texts import shown
from locales import N_

BUILTIN_DIR = Path(__file__).parent / "rulesets"
METHODS = ("points", "shares")
SCOPES = ("organization", "unit")
OPTIONS = {
    "extra_tasks": ("separate", "pooled"),
    "explained_not_done": ("keep", "exclude"),
    "discipline_exceptions": ("nd48", "none"),
    "gates": ("none", "qd366"),
}


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    max: float
    label: dict[str, str]


@dataclass(frozen=True, slots=True)
class DeductionKind:
    code: str
    points: float
    label: dict[str, str]


@dataclass(frozen=True, slots=True)
class Shares:
    """nd90: thresholds on the shares of tasks and on the general criteria."""

    criterion_good: float
    criterion_met: float
    a_exceeded: float
    c_max_below: float
    d_over_below: float


@dataclass(frozen=True, slots=True)
class LeaderRules:
    """nd90: what a leader's units and targets must reach for each level."""

    a_units_completed: float
    a_units_good: float
    a_targets_exceeded: float
    b_targets_on_time: float
    c_targets_done: float


@dataclass(frozen=True, slots=True)
class Gates:
    """Option `gates = "qd366"`: the conditions of Quy định 366-QĐ/TW, Điều 11."""

    a_exceeded: float  # A: every task on time, at least this share exceeded
    c_max_late: float  # C: every task done, at most this share late
    d_over_not_done: float  # D: more than this share of the year's tasks not done


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    source: str  # the file it was read from, for messages
    extends: str | None  # the ruleset it extends, as its file names it
    aliases: tuple[str, ...]
    method: str  # "points" (NĐ 335) or "shares" (NĐ 90)
    applies_from: Period | None
    applies_until: Period | None
    title: dict[str, str]
    # options
    extra_pooled: bool  # extra_tasks = "pooled"
    exclude_explained: bool  # explained_not_done = "exclude"
    nd48: bool  # discipline_exceptions = "nd48"
    gates: Gates | None  # gates = "qd366"
    # general criteria
    criteria: tuple[Criterion, ...]
    criterion_keys: frozenset[str]
    general_max: float  # the sum of the criteria's maxima
    steps_per_point: int  # 2: half points; 0: any number
    # points method
    task_points: float
    quality_failure_penalty: float
    delay_penalty: float
    leader_partial: float  # d, đ, e: 1 or this
    thresholds: tuple[tuple[Level, float], ...]  # (A, 90), (B, 70), (C, 50)
    bonus_per_initiative: float
    bonus_period_max: float
    deductions: dict[str, DeductionKind] | None  # None: the ruleset has no deductions
    free_deductions: bool
    cap_unexplained: Level | None  # agency rule 8
    # shares method
    shares: Shares | None
    leaders: LeaderRules | None
    # quotas, warnings, reward, year
    quota_scope: str
    good_share: Fraction
    exception_share: Fraction
    quota_periods: bool  # the quota applies to period levels too
    unit_share: Fraction
    small_group_below: int
    unexplained_periods: int
    level_d_periods: int
    reward_coefficient: float | None  # None: no exemplary reward
    base_salary: tuple[tuple[date, int], ...]
    year_min_months: int
    away_cap_months: int
    away_cap_level: Level
    sources: dict[str, str]

    @property
    def has_bonus(self) -> bool:
        return self.bonus_period_max > 0 and self.bonus_per_initiative > 0

    def covers(self, period: Period) -> bool:
        first = self.applies_from
        last = self.applies_until
        start = Period(period.year, period.first_month)
        end = Period(period.year, period.last_month)
        return (first is None or start >= first) and (last is None or end <= last)

    def base_salary_on(self, day: date) -> int:
        amount = 0
        for since, vnd in self.base_salary:
            if since <= day:
                amount = vnd
        return amount

    def cite(self, rule: str) -> str:
        return self.sources.get(rule, "")


def builtin_names() -> list[str]:
    """The built-in rulesets' file names (aliases such as `default` are not listed)."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def resolve_builtin(name: str) -> str | None:
    """The built-in ruleset a name stands for (`default` gives `nd335`), or None."""
    path = _builtin_path(name)
    return path.stem if path is not None else None


def builtin_for(period: Period) -> Ruleset:
    """The built-in ruleset of the law whose range of periods holds `period`."""
    for name in builtin_names():
        ruleset = load(name)
        if (ruleset.applies_from or ruleset.applies_until) and ruleset.covers(period):
            return ruleset
    raise RulesetError(
        "-",
        "applies_from",
        N_("no built-in ruleset applies to period {period}"),
        period=str(period),
    )


@cache
def load(name_or_path: str) -> Ruleset:
    """A built-in ruleset by name (or alias), or a ruleset file by path."""
    data, source, extends = _read_chain(name_or_path, ())
    return _parse(_Table(data, "", source), extends)


@cache
def _builtin_path(name: str) -> Path | None:
    if name in builtin_names():
        return BUILTIN_DIR / f"{name}.toml"
    aliases = {}
    for stem in builtin_names():  # read the aliases without parsing (no recursion)
        raw = _read_file(BUILTIN_DIR / f"{stem}.toml", stem)
        for alias in raw.get("aliases", []) if isinstance(raw.get("aliases"), list) else []:
            aliases[alias] = stem
    stem = aliases.get(name)
    return BUILTIN_DIR / f"{stem}.toml" if stem else None


def _read_file(path: Path, shown_as: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesetError(shown_as, "-", N_("file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetError(
            shown_as, "-", N_("cannot read the file: {error}"), error=str(exc)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesetError(shown_as, "-", N_("not valid TOML: {error}"), error=str(exc)) from None


def _locate(name_or_path: str, base: Path | None) -> tuple[Path, bool]:
    builtin = _builtin_path(name_or_path)
    if builtin is not None:
        return builtin, True
    path = Path(name_or_path)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.suffix != ".toml" and not path.exists():
        raise RulesetError(
            name_or_path,
            "-",
            N_("no such ruleset; the built-in ones are {names}"),
            names=builtin_names(),
        )
    return path, False


def _read_chain(
    name_or_path: str, seen: tuple[str, ...], base: Path | None = None
) -> tuple[dict[str, Any], str, str | None]:
    """The file's data merged over the data of what it extends, its source, its parent."""
    path, builtin = _locate(name_or_path, base)
    source = path.name
    key = str(path.resolve()) if path.exists() else str(path)
    if key in seen:
        raise RulesetError(source, "extends", N_("extends itself through {value}"), value=key)
    data = _read_file(path, source if builtin else str(path))
    parent = data.get("extends")
    if parent is None:
        return data, source, None
    if not isinstance(parent, str) or not parent:
        raise RulesetError(
            source, "extends", N_("must be a text, not {value}"), value=shown(parent)
        )
    if "name" not in data:
        raise RulesetError(source, "name", N_("missing"))
    base_data, _, _ = _read_chain(parent, (*seen, key), path.parent)
    base_data.pop("aliases", None)  # another name of the parent is not one of the child
    merged = _merge(base_data, {k: v for k, v in data.items() if k != "extends"})
    return merged, source, parent


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (arrays included) replaces the base's."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class _Table:
    """Reads one TOML table, naming the full key in every error, rejecting unknown keys."""

    def __init__(self, data: Any, prefix: str, source: str) -> None:
        self.prefix = prefix
        self.source = source
        if not isinstance(data, dict):
            self.fail("", N_("must be a table"))
        self.data = data
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}" if name else self.prefix.rstrip(".") or "-"

    def fail(self, name: str, problem: str, **params: Any):
        raise RulesetError(self.source, self.key(name), problem, **params)

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str, default: Any = ...) -> Any:
        self.seen.add(name)
        if name not in self.data:
            if default is ...:
                self.fail(name, N_("missing"))
            return default
        return self.data[name]

    def table(self, name: str) -> _Table:
        return _Table(self.raw(name), f"{self.prefix}{name}.", self.source)

    def tables(self, name: str, default: Any = ...) -> list[_Table]:
        items = self.raw(name, default)
        if not isinstance(items, list):
            self.fail(name, N_("must be an array of tables"))
        return [
            _Table(item, f"{self.prefix}{name}[{i}].", self.source) for i, item in enumerate(items)
        ]

    def number(
        self, name: str, low: float = 0, high: float | None = None, default: Any = ...
    ) -> float:
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.fail(name, N_("must be a number, not {value}"), value=shown(value))
        if value < low or (high is not None and value > high):
            if high is None:
                self.fail(name, N_("must be at least {low}, not {value}"), low=low, value=value)
            self.fail(
                name,
                N_("must be between {low} and {high}, not {value}"),
                low=low,
                high=high,
                value=value,
            )
        return value

    def integer(self, name: str, low: int = 0, default: Any = ...) -> int:
        value = self.number(name, low, None, default)
        if not isinstance(value, int):
            self.fail(name, N_("must be a whole number, not {value}"), value=value)
        return value

    def share(self, name: str, default: Any = ...) -> Fraction:
        """A ratio in [0, 1], exact: 0.2 is 1/5, so quota arithmetic does not round."""
        return Fraction(str(self.number(name, 0, 1, default)))

    def text(self, name: str, default: Any = ...) -> str:
        value = self.raw(name, default)
        if not isinstance(value, str):
            self.fail(name, N_("must be a text, not {value}"), value=shown(value))
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.text(name, default)
        if value not in choices:
            self.fail(
                name,
                N_("must be one of {choices}, not {value}"),
                choices=list(choices),
                value=shown(value),
            )
        return value

    def level(self, name: str, default: Any = ...) -> Level | None:
        text = self.text(name, default)
        if text == "":
            return None
        try:
            return Level(text)
        except ValueError:
            self.fail(
                name,
                N_("must be one of {choices}, not {value}"),
                choices=[lv.value for lv in Level],
                value=shown(text),
            )

    def period(self, name: str) -> Period | None:
        value = self.text(name, "")
        if not value:
            return None
        parsed = parse_month(value)
        if parsed is None:
            self.fail(name, N_("must be a month written YYYY-MM, not {value}"), value=shown(value))
        return parsed

    def labels(self, name: str) -> dict[str, str]:
        table = self.table(name)
        labels = {lang: table.text(lang) for lang in ("vi", "en") if table.has(lang)}
        table.done()
        if "vi" not in labels:
            self.fail(f"{name}.vi", N_("missing"))
        return labels

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            self.fail(unknown[0], N_("unknown key"))


def parse_month(text: str) -> Period | None:
    if (
        len(text) != 7
        or text[4] != "-"
        or not text.isascii()
        or not (text[:4] + text[5:]).isdigit()
    ):
        return None
    month = int(text[5:])
    year = int(text[:4])
    return Period(year, month) if 1 <= month <= 12 and year >= 1 else None


def _parse(top: _Table, extends: str | None) -> Ruleset:
    top.seen.add("extends")
    name = top.text("name")
    if not name.strip():
        top.fail("name", N_("must be a non-empty text"))
    aliases = top.raw("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        top.fail("aliases", N_("must be a list of names"))
    method = top.choice("method", METHODS)
    applies_from = top.period("applies_from")
    applies_until = top.period("applies_until")
    title = top.labels("title")

    options = top.table("options") if top.has("options") else _Table({}, "options.", top.source)
    chosen = {key: options.choice(key, values, values[0]) for key, values in OPTIONS.items()}
    options.done()

    general = top.table("general")
    step = general.number("step", 0, 100, 0)
    steps_per_point = 0
    if step:
        inverse = 1 / step
        if abs(inverse - round(inverse)) > 1e-9:
            general.fail("step", N_("must be 1 divided by a whole number, not {value}"), value=step)
        steps_per_point = round(inverse)
    criteria = []
    for item in general.tables("items"):
        key = item.text("key")
        if any(c.key == key for c in criteria):
            item.fail("key", N_("duplicate criterion {value}"), value=shown(key))
        top_score = item.number("max", 0)
        if steps_per_point and not float(top_score * steps_per_point).is_integer():
            item.fail("max", N_("must be a multiple of general.step, not {value}"), value=top_score)
        criteria.append(Criterion(key, top_score, item.labels("label")))
        item.done()
    if not criteria:
        general.fail("items", N_("at least one criterion is needed"))
    general.done()

    task_points = quality_penalty = delay_penalty = 0.0
    leader_partial = 0.5
    bonus_per = bonus_max = 0.0
    thresholds: tuple[tuple[Level, float], ...] = ()
    deductions: dict[str, DeductionKind] | None = None
    free_deductions = False
    cap_unexplained = None
    gates = None
    shares = leaders = None
    if method == "points":
        tasks = top.table("tasks")
        task_points = tasks.number("points", 0, 100)
        quality_penalty = tasks.number("quality_failure_penalty", 0, 1)
        delay_penalty = tasks.number("delay_penalty", 0, 1)
        leader_partial = tasks.number("leader_partial", 0, 1)
        tasks.done()
        if top.has("bonus"):
            bonus = top.table("bonus")
            bonus_per = bonus.number("per_initiative", 0, 100)
            bonus_max = bonus.number("period_max", 0, 100)
            bonus.done()
        if top.has("deductions"):
            ded = top.table("deductions")
            deductions = {}
            free_deductions = ded.raw("free", False)
            if not isinstance(free_deductions, bool):
                ded.fail("free", N_("must be true or false, not {value}"), value=free_deductions)
            for item in ded.tables("items", []):
                code = item.text("code")
                if code in deductions:
                    item.fail("code", N_("duplicate deduction {value}"), value=shown(code))
                deductions[code] = DeductionKind(
                    code, item.number("points", 0, 100), item.labels("label")
                )
                item.done()
            ded.done()
        caps = top.table("caps") if top.has("caps") else _Table({}, "caps.", top.source)
        cap_unexplained = caps.level("unexplained_undone", "")
        caps.done()
        levels = top.table("levels")
        a, b, c = (levels.number(k, 0, 100) for k in ("A", "B", "C"))
        if not a > b > c:
            levels.fail(
                "A", N_("thresholds must fall from A to C, not {a}, {b}, {c}"), a=a, b=b, c=c
            )
        levels.done()
        thresholds = ((Level.EXCELLENT, a), (Level.GOOD, b), (Level.COMPLETED, c))
        gate_table = top.table("gates")
        gate_numbers = Gates(
            gate_table.number("a_exceeded", 0, 1),
            gate_table.number("c_max_late", 0, 1),
            gate_table.number("d_over_not_done", 0, 1),
        )
        gate_table.done()
        if chosen["gates"] == "qd366":
            gates = gate_numbers
    else:
        if chosen["gates"] != "none" or chosen["extra_tasks"] != "separate":
            top.fail("options", N_("the options of NĐ 335 do not apply to method shares"))
        sh = top.table("shares")
        shares = Shares(
            *(
                sh.number(k, 0, 1)
                for k in (
                    "criterion_good",
                    "criterion_met",
                    "a_exceeded",
                    "c_max_below",
                    "d_over_below",
                )
            )
        )
        if shares.c_max_below > shares.d_over_below:
            sh.fail("c_max_below", N_("must not exceed d_over_below"))
        sh.done()
        if top.has("leaders"):
            ld = top.table("leaders")
            leaders = LeaderRules(
                *(
                    ld.number(k, 0, 1)
                    for k in (
                        "a_units_completed",
                        "a_units_good",
                        "a_targets_exceeded",
                        "b_targets_on_time",
                        "c_targets_done",
                    )
                )
            )
            ld.done()

    quota = top.table("quota")
    scope = quota.choice("scope", SCOPES)
    good_share = quota.share("good_share")
    exception_share = quota.share("exception_share")
    if exception_share < good_share:
        quota.fail("exception_share", N_("must not be below good_share"))
    quota_periods = quota.raw("periods")
    if not isinstance(quota_periods, bool):
        quota.fail("periods", N_("must be true or false, not {value}"), value=shown(quota_periods))
    unit_share = quota.share("unit_share")
    small_group_below = quota.integer("small_group_below")
    if (unit_share or small_group_below) and scope != "unit":
        quota.fail("scope", N_("unit_share and small_group_below need the scope unit"))
    quota.done()

    warnings = top.table("warnings")
    unexplained_periods = warnings.integer("unexplained_periods", 1)
    level_d_periods = warnings.integer("level_d_periods", 1)
    warnings.done()

    coefficient = None
    salary = []
    if top.has("reward"):
        reward = top.table("reward")
        coefficient = reward.number("coefficient", 0, 100)
        for step_table in reward.tables("base_salary"):
            since = step_table.text("since")
            try:
                day = date.fromisoformat(since)
            except ValueError:
                step_table.fail(
                    "since",
                    N_("must be a date written YYYY-MM-DD, not {value}"),
                    value=shown(since),
                )
            salary.append((day, step_table.integer("vnd")))
            step_table.done()
        salary.sort()
        reward.done()

    year = top.table("year")
    min_months = year.integer("min_months", 0)
    away_cap_months = year.integer("away_cap_months", 0)
    away_cap_level = year.level("away_cap_level") or Level.COMPLETED
    year.done()

    src = top.table("sources") if top.has("sources") else None
    sources = {k: src.text(k) for k in src.data} if src else {}
    if src:
        src.done()
    top.done()

    return Ruleset(
        name=name,
        source=top.source,
        extends=extends,
        aliases=tuple(aliases),
        method=method,
        applies_from=applies_from,
        applies_until=applies_until,
        title=title,
        extra_pooled=chosen["extra_tasks"] == "pooled",
        exclude_explained=chosen["explained_not_done"] == "exclude",
        nd48=chosen["discipline_exceptions"] == "nd48",
        gates=gates,
        criteria=tuple(criteria),
        criterion_keys=frozenset(c.key for c in criteria),
        general_max=sum(c.max for c in criteria),
        steps_per_point=steps_per_point,
        task_points=task_points,
        quality_failure_penalty=quality_penalty,
        delay_penalty=delay_penalty,
        leader_partial=leader_partial,
        thresholds=thresholds,
        bonus_per_initiative=bonus_per,
        bonus_period_max=bonus_max,
        deductions=deductions,
        free_deductions=free_deductions,
        cap_unexplained=cap_unexplained,
        shares=shares,
        leaders=leaders,
        quota_scope=scope,
        good_share=good_share,
        exception_share=exception_share,
        quota_periods=quota_periods,
        unit_share=unit_share,
        small_group_below=small_group_below,
        unexplained_periods=unexplained_periods,
        level_d_periods=level_d_periods,
        reward_coefficient=coefficient,
        base_salary=tuple(salary),
        year_min_months=min_months,
        away_cap_months=away_cap_months,
        away_cap_level=away_cap_level,
        sources=sources,
    )
