"""The classification of a period: validated input in, levels with reasons out.

`classify` is the core's one public entry point; the command line (`python -m core`) and
every front end call it with the JSON-shaped data of RULES.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core import warnings
from core.annual import annual_score, apply_away_cap, eligibility
from core.errors import InputError
from core.levels import apply_overrides, apply_review, apply_task_caps, level_for_score
from core.model import (
    Alert,
    Explanation,
    Level,
    Period,
    Person,
    Reason,
    Request,
    Role,
    TaskStatus,
)
from core.nd90 import shares_level
from core.quotas import Candidate, apply_quotas
from core.ruleset import Ruleset, builtin_for, load
from core.scoring import monthly_score
from core.texts import render, shown
from core.validate import parse_period, parse_request
from locales import DEFAULT_LOCALE, N_, SUPPORTED_LOCALES


@dataclass(slots=True)
class Outcome:
    """One person's result as the rules build it, before it is rendered."""

    person: Person
    rated: bool = True
    score: float | None = None
    breakdown: dict[str, Any] = field(default_factory=dict)
    computed: Level | None = None
    level: Level | None = None
    reasons: list[Reason] = field(default_factory=list)
    reward: int = 0
    exceeded_share: float = 0.0
    unexplained: tuple[str, ...] = ()
    counted_tasks: int = 0
    grey_below: float | None = None
    by_rules: Level | None = None  # the level of the rules, before the reviewer's

    def review(self) -> None:
        """The reviewer's level, which may only lower the one of the rules."""
        if self.computed is not None:
            self.by_rules = self.computed
            self.computed = apply_review(self.computed, self.person, self.reasons)


def classify(data: Any, ruleset: str | None = None, locale: str = DEFAULT_LOCALE) -> dict:
    """Classify every person of the input (RULES.md, "The core's command line").

    `ruleset` (a built-in name or a TOML path) overrides the input's `ruleset`, which
    overrides the choice by period. Raises `InputError` or `RulesetError` on bad input.
    """
    if locale not in SUPPORTED_LOCALES:
        raise InputError(
            "locale",
            N_("unknown value {value}; expected one of {choices}"),
            value=locale,
            choices=list(SUPPORTED_LOCALES),
        )
    if not isinstance(data, dict):
        raise InputError("-", N_("the input must be a JSON object"))
    if "period" not in data:
        raise InputError("period", N_("missing"))
    period = parse_period(data["period"])
    name = ruleset if ruleset is not None else data.get("ruleset")
    if name is not None and (not isinstance(name, str) or not name):
        raise InputError("ruleset", N_("must be a non-empty text, not {value}"), value=shown(name))
    rules = load(name) if name else builtin_for(period)
    request = parse_request(data, period, rules)
    outcomes, units, alerts = evaluate(request, rules)
    return _render(request, rules, outcomes, units, alerts, locale)


def evaluate(request: Request, rules: Ruleset):
    """Apply every rule; returns the outcomes, the quota summaries and the alerts."""
    period = request.period
    if rules.method == "shares":
        outcomes = [_by_shares(p, period, rules) for p in request.people]
    elif period.is_year:
        outcomes = [_year_by_points(p, period, rules) for p in request.people]
    else:
        outcomes = [_month_by_points(p, period, rules) for p in request.people]
    for o in outcomes:
        o.review()

    rated = [o for o in outcomes if o.rated]
    quota = apply_quotas(
        [
            Candidate(
                o.person.id,
                o.person.unit,
                o.person.group,
                o.computed,
                o.score or 0.0,
                o.exceeded_share,
                o.person.initiatives_approved,
                o.person.head_rank,
                o.person.name,
            )
            for o in rated
        ],
        rules,
        request.quota_overrides,
        request.unit_names,
        request.group_names,
    )
    for o in rated:
        o.level = o.computed
        reason = quota.demoted.get(o.person.id)
        if reason is not None:
            o.level = Level.GOOD
            o.reasons.append(reason)
        if o.person.exemplary and not period.is_year:
            _reward(o, period, rules)
    return outcomes, quota.groups, _alerts(request, rules, outcomes) + quota.alerts


def _month_by_points(person: Person, period: Period, rules: Ruleset) -> Outcome:
    s = monthly_score(person, rules)
    reasons = s.reasons
    level, why = level_for_score(s.score, rules)
    reasons.append(why)
    level = apply_task_caps(level, s.tasks, reasons)
    level = apply_overrides(level, person, period, reasons)
    return Outcome(
        person,
        True,
        s.score,
        s.breakdown,
        level,
        None,
        reasons,
        exceeded_share=s.tasks.exceeded_share,
        unexplained=s.tasks.unexplained,
        counted_tasks=s.tasks.counted,
    )


def _year_by_points(person: Person, period: Period, rules: Ruleset) -> Outcome:
    reasons: list[Reason] = []
    elig = eligibility(person.months, rules, reasons)
    breakdown = elig.breakdown
    if not elig.rated:
        return Outcome(person, False, None, breakdown, None, None, reasons)
    score = annual_score(person.months, reasons)
    level, why = level_for_score(score, rules)
    reasons.append(why)
    level = apply_away_cap(level, elig, rules, reasons)
    level = apply_overrides(level, person, period, reasons)
    return Outcome(person, True, score, breakdown, level, None, reasons)


def _by_shares(person: Person, period: Period, rules: Ruleset) -> Outcome:
    reasons: list[Reason] = []
    breakdown: dict[str, Any] = {}
    elig = None
    if period.is_year:
        elig = eligibility(person.months, rules, reasons)
        breakdown = elig.breakdown
        if not elig.rated:
            return Outcome(person, False, None, breakdown, None, None, reasons)
    level, shares, grey = shares_level(person, rules, reasons)
    if elig is not None:
        level = apply_away_cap(level, elig, rules, reasons)
    level = apply_overrides(level, person, period, reasons)
    breakdown = breakdown | {
        "tasks": len(person.tasks),
        "below_standard": round(shares.below, 4),
        "exceeded": round(shares.exceeded, 4),
        "criteria_good": shares.criteria_good,
        "criteria_met": shares.criteria_met,
    }
    unexplained = tuple(
        t.title
        for t in person.tasks
        if t.status is TaskStatus.NOT_DONE and t.explanation is not Explanation.APPROVED
    )
    return Outcome(
        person,
        True,
        None,
        breakdown,
        level,
        None,
        reasons,
        exceeded_share=shares.exceeded,
        unexplained=unexplained,
        counted_tasks=len(person.tasks),
        grey_below=shares.below if grey else None,
    )


def _reward(o: Outcome, period: Period, rules: Ruleset) -> None:
    """The monthly exemplary reward: coefficient x base salary, for A only."""
    if o.level is not Level.EXCELLENT:
        o.reasons.append(
            Reason(
                "reward.exemplary",
                N_("Proposed as exemplary of the month, but the reward needs the level {level_a}."),
                {"level_a": Level.EXCELLENT},
            )
        )
        return
    salary = rules.base_salary_on(period.start)
    o.reward = round(rules.reward_coefficient * salary)
    o.reasons.append(
        Reason(
            "reward.exemplary",
            N_(
                "Exemplary of the month: a reward of {coefficient} x the base salary of "
                "{salary} VND = {reward} VND."
            ),
            {"coefficient": rules.reward_coefficient, "salary": salary, "reward": o.reward},
        )
    )


def _alerts(request: Request, rules: Ruleset, outcomes: list[Outcome]) -> list[Alert]:
    period = request.period
    alerts: list[Alert] = []
    undone_by_unit: dict[str, list[tuple[Person, tuple[str, ...]]]] = {}
    heads: dict[str, str] = {}
    for o in outcomes:
        person = o.person
        if person.role is Role.HEAD:
            heads.setdefault(person.unit, person.id)
        if not o.rated:
            continue
        history = request.history.get(person.id, {})
        found = warnings.self_overrated(person, o.by_rules)
        if found:
            alerts.append(found)
        if period.is_year:
            if o.level is Level.NOT_COMPLETED:
                found = warnings.two_years_d(person, period, history)
                if found:
                    alerts.append(found)
        else:
            found = warnings.unexplained_months(person, period, o.unexplained, history, rules)
            if found:
                alerts.append(found)
            if o.level is Level.NOT_COMPLETED:
                alerts.append(warnings.level_d(person, period, history, rules))
            if o.counted_tasks == 0:
                alerts.append(warnings.no_tasks(person))
        if o.grey_below is not None:
            alerts.append(warnings.grey_zone(person, o.grey_below))
        if o.unexplained and not period.is_year:
            undone_by_unit.setdefault(person.unit, []).append((person, o.unexplained))
    for unit in sorted(undone_by_unit):
        alerts.append(
            warnings.head_accountable(
                unit, request.unit_name(unit), undone_by_unit[unit], heads.get(unit)
            )
        )
    return alerts


def _render(
    request: Request, rules: Ruleset, outcomes: list[Outcome], units, alerts, locale: str
) -> dict:
    used: set[str] = set()
    people = []
    for o in outcomes:
        reasons = []
        for r in o.reasons:
            used.add(r.rule)
            reasons.append({"rule": r.rule, "text": render(r.message, r.params, locale)})
        people.append(
            {
                "id": o.person.id,
                "unit": o.person.unit,
                "group": o.person.group,
                "rated": o.rated,
                "score": o.score,
                "breakdown": o.breakdown,
                "rules_level": o.by_rules.value if o.by_rules else None,
                "computed_level": o.computed.value if o.computed else None,
                "level": o.level.value if o.level else None,
                "reasons": reasons,
                "reward_vnd": o.reward,
            }
        )
    warnings = []
    for a in alerts:
        used.add(a.rule)
        warnings.append(
            {
                "code": a.code,
                "person": a.person,
                "unit": a.unit,
                "group": a.group,
                "people": list(a.people or ((a.person,) if a.person else ())),
                "rule": a.rule,
                "detail": render(a.message, a.params, locale),
            }
        )
    return {
        "period": str(request.period),
        "ruleset": rules.name,
        "people": people,
        "units": [
            {
                "unit": g.unit,
                "group": g.group,
                "counts": g.counts,
                "cap": g.cap,
                "cap_rule": g.cap_rule,
                "unit_cap": g.unit_cap,
                "proposed_a": g.proposed_a,
                "demoted": g.demoted,
            }
            for g in units
        ],
        "warnings": warnings,
        # the legal source of every rule named above, once
        "sources": {rule: rules.sources.get(rule, "") for rule in sorted(used)},
    }
