"""Rulesets: the numbers of the rules, loaded from TOML data files.

Two are built in (`default` for periods from 2026-01, `nd90` before); a province passes
the path of its own file instead. Every key is checked on load, and an unknown key is an
error too, so that a typo never silently falls back to a default.
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
class Ruleset:
    name: str
    source: str  # the file it was read from, for messages
    method: str  # "points" (NĐ 335) or "shares" (NĐ 90)
    applies_from: Period | None
    applies_until: Period | None
    title: dict[str, str]
    criteria: tuple[Criterion, ...]
    criterion_keys: frozenset[str]
    general_max: float  # the sum of the criteria's maxima
    # points method
    task_points: float
    quality_failure_penalty: float
    delay_penalty: float
    components: tuple[float, float, float]  # quantity, quality, progress
    bonus_per_initiative: float
    bonus_monthly_max: float
    deductions: dict[str, DeductionKind]
    thresholds: tuple[tuple[Level, float], ...]  # (A, 90), (B, 70), (C, 50)
    # shares method
    shares: Shares | None
    leaders: LeaderRules | None
    # quotas, warnings, reward, year
    good_share: Fraction
    unit_share: Fraction
    small_group_below: int
    unexplained_months: int
    level_d_months: int
    reward_coefficient: float
    base_salary: tuple[tuple[date, int], ...]
    year_min_months: int
    away_cap_months: int
    away_cap_level: Level
    sources: dict[str, str]

    def covers(self, period: Period) -> bool:
        first = self.applies_from
        last = self.applies_until
        start = Period(period.year, period.month or 1)
        end = Period(period.year, period.month or 12)
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
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def builtin_for(period: Period) -> Ruleset:
    """The built-in ruleset whose range of periods holds `period`."""
    for name in builtin_names():
        ruleset = load(name)
        if ruleset.covers(period):
            return ruleset
    raise RulesetError(
        "-",
        "applies_from",
        N_("no built-in ruleset applies to period {period}"),
        period=str(period),
    )


@cache
def load(name_or_path: str) -> Ruleset:
    """A built-in ruleset by name, or a ruleset file by path."""
    if name_or_path in builtin_names():
        path = BUILTIN_DIR / f"{name_or_path}.toml"
    else:
        path = Path(name_or_path)
        if path.suffix != ".toml" and not path.exists():
            raise RulesetError(
                name_or_path,
                "-",
                N_("no such ruleset; the built-in ones are {names}"),
                names=builtin_names(),
            )
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesetError(str(path), "-", N_("file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetError(
            str(path), "-", N_("cannot read the file: {error}"), error=str(exc)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesetError(str(path), "-", N_("not valid TOML: {error}"), error=str(exc)) from None
    return _parse(_Table(data, "", source))


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
        if isinstance(value, bool) or not isinstance(value, int | float):
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
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        return None
    month = int(text[5:])
    return Period(int(text[:4]), month) if 1 <= month <= 12 else None


def _parse(top: _Table) -> Ruleset:
    name = top.text("name")
    method = top.text("method")
    if method not in METHODS:
        top.fail(
            "method",
            N_("must be one of {choices}, not {value}"),
            choices=list(METHODS),
            value=shown(method),
        )
    applies_from = top.period("applies_from")
    applies_until = top.period("applies_until")
    title = top.labels("title")

    general = top.table("general")
    criteria = []
    for item in general.tables("items"):
        key = item.text("key")
        if any(c.key == key for c in criteria):
            item.fail("key", N_("duplicate criterion {value}"), value=shown(key))
        criteria.append(Criterion(key, item.number("max", 0), item.labels("label")))
        item.done()
    if not criteria:
        general.fail("items", N_("at least one criterion is needed"))
    general.done()

    task_points = quality_penalty = delay_penalty = 0.0
    components = (1.0, 1.0, 1.0)
    bonus_per = bonus_max = 0.0
    thresholds: tuple[tuple[Level, float], ...] = ()
    deductions: dict[str, DeductionKind] = {}
    shares = leaders = None
    if method == "points":
        tasks = top.table("tasks")
        task_points = tasks.number("points", 0, 100)
        quality_penalty = tasks.number("quality_failure_penalty", 0, 1)
        delay_penalty = tasks.number("delay_penalty", 0, 1)
        comp = tasks.table("components")
        components = (comp.number("quantity"), comp.number("quality"), comp.number("progress"))
        comp.done()
        if sum(components) <= 0:
            tasks.fail("components", N_("the weights must not all be zero"))
        tasks.done()
        bonus = top.table("bonus")
        bonus_per = bonus.number("per_initiative", 0, 100)
        bonus_max = bonus.number("monthly_max", 0, 100)
        bonus.done()
        for item in top.tables("deductions", []):
            code = item.text("code")
            if code in deductions:
                item.fail("code", N_("duplicate deduction {value}"), value=shown(code))
            deductions[code] = DeductionKind(
                code, item.number("points", 0, 100), item.labels("label")
            )
            item.done()
        levels = top.table("levels")
        a, b, c = (levels.number(k, 0, 100) for k in ("A", "B", "C"))
        if not a > b > c:
            levels.fail(
                "A", N_("thresholds must fall from A to C, not {a}, {b}, {c}"), a=a, b=b, c=c
            )
        levels.done()
        thresholds = ((Level.EXCELLENT, a), (Level.GOOD, b), (Level.COMPLETED, c))
    else:
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
    good_share = quota.share("good_share")
    unit_share = quota.share("unit_share")
    small_group_below = quota.integer("small_group_below")
    quota.done()

    warnings = top.table("warnings")
    unexplained_months = warnings.integer("unexplained_months", 1)
    level_d_months = warnings.integer("level_d_months", 1)
    warnings.done()

    reward = top.table("reward")
    coefficient = reward.number("coefficient", 0, 100)
    salary = []
    for step in reward.tables("base_salary"):
        since = step.text("since")
        try:
            day = date.fromisoformat(since)
        except ValueError:
            step.fail(
                "since", N_("must be a date written YYYY-MM-DD, not {value}"), value=shown(since)
            )
        salary.append((day, step.integer("vnd")))
        step.done()
    salary.sort()
    reward.done()

    year = top.table("year")
    min_months = year.integer("min_months", 1)
    away_cap_months = year.integer("away_cap_months", 1)
    cap_text = year.text("away_cap_level")
    try:
        away_cap_level = Level(cap_text)
    except ValueError:
        year.fail(
            "away_cap_level",
            N_("must be one of {choices}, not {value}"),
            choices=[lv.value for lv in Level],
            value=shown(cap_text),
        )
    year.done()

    src = top.table("sources") if top.has("sources") else None
    sources = {k: src.text(k) for k in src.data} if src else {}
    if src:
        src.done()
    top.done()

    return Ruleset(
        name=name,
        source=top.source,
        method=method,
        applies_from=applies_from,
        applies_until=applies_until,
        title=title,
        criteria=tuple(criteria),
        criterion_keys=frozenset(c.key for c in criteria),
        general_max=sum(c.max for c in criteria),
        task_points=task_points,
        quality_failure_penalty=quality_penalty,
        delay_penalty=delay_penalty,
        components=components,
        bonus_per_initiative=bonus_per,
        bonus_monthly_max=bonus_max,
        deductions=deductions,
        thresholds=thresholds,
        shares=shares,
        leaders=leaders,
        good_share=good_share,
        unit_share=unit_share,
        small_group_below=small_group_below,
        unexplained_months=unexplained_months,
        level_d_months=level_d_months,
        reward_coefficient=coefficient,
        base_salary=tuple(salary),
        year_min_months=min_months,
        away_cap_months=away_cap_months,
        away_cap_level=away_cap_level,
        sources=sources,
    )
