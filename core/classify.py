"""The classification of a period: validated input in, levels with reasons out.

`classify` is the core's one public entry point; the command line (`python -m core`) and
every front end call it with the JSON-shaped data of RULES.md.
"""

from __future__ import annotations

from typing import Any

from core import warnings
from core.annual import apply_away_cap, eligibility, year_score
from core.errors import InputError
from core.levels import (
    apply_cap_unexplained,
    apply_gates,
    apply_overrides,
    apply_review,
    level_for_score,
)
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
from core.quotas import Candidate, apply_quotas, counts_only
from core.ruleset import Ruleset, builtin_for, builtin_names, load, resolve_builtin
from core.scoring import leader_parts, period_score, summarize_tasks
from core.texts import quoted, render, shown
from core.validate import parse_period, parse_request
from locales import DEFAULT_LOCALE, N_, SUPPORTED_LOCALES

_D = Level.NOT_COMPLETED
_EMPTY: tuple[str, ...] = ()
_TEXT = {None: None} | {lv: lv.value for lv in Level}  # plain texts for the output


class Outcome:
    """One person's result as the rules build it, before it is rendered."""

    __slots__ = (
        "breakdown",
        "by_rules",
        "computed",
        "exceeded_share",
        "grey_below",
        "level",
        "person",
        "rated",
        "reasons",
        "reward",
        "score",
        "unexplained",
    )

    def __init__(
        self,
        person: Person,
        rated: bool,
        score: float | None,
        breakdown: dict[str, Any],
        level: Level | None,
        reasons: list[Reason],
        exceeded_share: float = 0.0,
        unexplained: tuple[str, ...] = _EMPTY,
        grey_below: float | None = None,
    ) -> None:
        self.person = person
        self.rated = rated
        self.score = score
        self.breakdown = breakdown
        self.reasons = reasons
        self.exceeded_share = exceeded_share
        self.unexplained = unexplained
        self.grey_below = grey_below
        self.reward = 0
        self.by_rules = level  # the level of the rules, before the reviewer's
        # the reviewer's level may only lower the one of the rules
        self.computed = None if level is None else apply_review(level, person, reasons)
        self.level = self.computed


def classify(data: Any, ruleset: str | None = None, locale: str = DEFAULT_LOCALE) -> dict:
    """Classify every person of the input (RULES.md, "The core's command line").

    `ruleset` (a built-in name or a TOML path) overrides the input's `ruleset`, which
    names a built-in ruleset only and overrides the choice by period. Raises `InputError`
    or `RulesetError` on bad input.
    """
    return classify_in(data, (locale,), ruleset)[locale]


def classify_in(data: Any, locales: tuple[str, ...], ruleset: str | None = None) -> dict[str, dict]:
    """`classify` in several languages at once: the rules run once (their decisions do not
    depend on the language), the output is rendered in each of `locales`."""
    for locale in locales:
        if locale not in SUPPORTED_LOCALES:
            raise InputError(
                "locale",
                N_("unknown value {value}; expected one of {choices}"),
                value=shown(str(locale), 40),
                choices=list(SUPPORTED_LOCALES),
            )
    if type(data) is not dict:
        raise InputError("-", N_("the input must be a JSON object"))
    if "period" not in data:
        raise InputError("period", N_("missing"))
    period = parse_period(data["period"])
    rules = _ruleset(data.get("ruleset"), ruleset, period)
    request = parse_request(data, period, rules)
    outcomes, units, alerts = evaluate(request, rules)
    return {locale: _render(request, rules, outcomes, units, alerts, locale) for locale in locales}


def _ruleset(named: Any, option: str | None, period: Period) -> Ruleset:
    """The option (a name or a path) over the input's field (a built-in name) over the
    period's built-in ruleset."""
    if named is not None:
        if type(named) is not str or not named.strip():
            raise InputError(
                "ruleset", N_("must be a non-empty text, not {value}"), value=shown(named, 40)
            )
        builtin = resolve_builtin(named)
        if builtin is None:
            raise InputError(
                "ruleset",
                N_(
                    "{value} is not a built-in ruleset; the built-in ones are {names} (a file "
                    "is given with the option --ruleset)"
                ),
                value=shown(named, 40),
                names=builtin_names(),
            )
        named = builtin
    if option is not None:
        return load(option)
    if named is not None:
        return load(named)
    return builtin_for(period)


# -- the rules ---------------------------------------------------------------------------------


def evaluate(request: Request, rules: Ruleset):
    """Apply every rule; returns the outcomes, the quota summaries and the alerts."""
    period = request.period
    if rules.method == "shares":
        outcomes = [_by_shares(p, period, rules) for p in request.people]
    elif period.is_year:
        outcomes = [_year_by_points(p, period, rules) for p in request.people]
    else:
        outcomes = _periods_by_points(request, rules)

    rated = [o for o in outcomes if o.rated]
    candidates = [
        Candidate(
            o.person.id,
            o.person.unit,
            o.person.group,
            o.computed,
            o.score or 0.0,
            o.exceeded_share,
            o.person.head_rank,
            o.person.name,
        )
        for o in rated
    ]
    if rules.method == "points" and not period.is_year and not rules.quota_periods:
        units, quota_alerts = counts_only(candidates), []  # rule 7: no quota on a period
    else:
        quota = apply_quotas(
            candidates,
            rules,
            request.quota_exceptions,
            request.unit_names,
            request.group_names,
            agency_rules=not period.is_year,
        )
        units, quota_alerts = quota.groups, quota.alerts
        for o in rated:
            reason = quota.demoted.get(o.person.id)
            if reason is not None:
                o.level = Level.GOOD
                o.reasons.append(reason)
    if rules.reward_coefficient is not None and period.month is not None:
        for o in rated:
            if o.person.exemplary:
                _reward(o, period, rules)
    return outcomes, units, _alerts(request, rules, outcomes) + quota_alerts


_ORDER = {Role.STAFF: 0, Role.DEPUTY: 1, Role.HEAD: 2, Role.DIRECTOR: 3}


def _periods_by_points(request: Request, rules: Ruleset) -> list[Outcome]:
    """Rules 1-6 for a month or a quarter; staff first, then deputies, heads and the
    director, whose d uses the levels of the people they lead (rule 2): a head leads the
    unit's deputies and staff, a deputy its staff, the director everyone but directors."""
    period = request.period
    people = request.people
    outcomes: list[Outcome | None] = [None] * len(people)
    order = sorted(range(len(people)), key=lambda i: _ORDER[people[i].role])
    # the rated levels so far: (level, name) by unit and role, and of everyone
    staff: dict[str, list[tuple[Level, str]]] = {}
    deputies: dict[str, list[tuple[Level, str]]] = {}
    everyone: list[tuple[Level, str]] = []
    for i in order:
        person = people[i]
        role = person.role
        leader = None
        if role is not Role.STAFF:
            if role is Role.DEPUTY:
                led = staff.get(person.unit, [])
            elif role is Role.HEAD:
                led = staff.get(person.unit, []) + deputies.get(person.unit, [])
            else:
                led = [x for x in everyone if x[2] is not Role.DIRECTOR]
            below = tuple(x[1] for x in led if x[0] is _D) if led else None
            leader = leader_parts(person, rules, below)
        outcome = _period_by_points(person, period, rules, leader)
        outcomes[i] = outcome
        if outcome.computed is not None:
            entry = (outcome.computed, person.name, role)
            everyone.append(entry)
            if role is Role.STAFF:
                staff.setdefault(person.unit, []).append(entry)
            elif role is Role.DEPUTY:
                deputies.setdefault(person.unit, []).append(entry)
    return outcomes


def _period_by_points(person: Person, period: Period, rules: Ruleset, leader) -> Outcome:
    tasks = summarize_tasks(person, rules)
    if not tasks.rated:
        reasons = [
            Reason(
                "score.not_rated",
                N_(
                    "No assigned task and no extra task counted in the period: not rated (every "
                    "civil servant must be assigned tasks)."
                ),
                {},
            )
        ]
        if tasks.excluded:
            reasons.append(
                Reason(
                    "score.excluded",
                    N_(
                        "Tasks not done with an explanation approved before their deadline are "
                        "not counted: {tasks}."
                    ),
                    {"tasks": quoted(tasks.excluded)},
                )
            )
        return Outcome(person, False, None, {}, None, reasons)
    s = period_score(person, rules, tasks, leader)
    reasons = s.reasons
    level, why = level_for_score(s.score, rules, "level.period")
    reasons.append(why)
    level = apply_cap_unexplained(level, tasks.capped, rules, reasons)
    level = apply_gates(
        level, rules, tasks.total, tasks.done, tasks.on_time, tasks.exceeded, reasons
    )
    level = apply_overrides(level, person, period, rules, reasons)
    return Outcome(
        person,
        True,
        s.score,
        s.breakdown,
        level,
        reasons,
        tasks.exceeded_share,
        tasks.unexplained,
    )


def _year_by_points(person: Person, period: Period, rules: Ruleset) -> Outcome:
    reasons: list[Reason] = []
    year = year_score(person.periods, reasons)
    if not year.rated:
        return Outcome(person, False, None, year.breakdown, None, reasons)
    level, why = level_for_score(year.score, rules, "level.year")
    reasons.append(why)
    level = apply_gates(level, rules, year.total, year.done, year.on_time, year.exceeded, reasons)
    level = apply_overrides(level, person, period, rules, reasons)
    return Outcome(person, True, year.score, year.breakdown, level, reasons)


def _by_shares(person: Person, period: Period, rules: Ruleset) -> Outcome:
    reasons: list[Reason] = []
    breakdown: dict[str, Any] = {}
    elig = None
    if period.is_year:
        elig = eligibility(person.periods, rules, reasons)
        breakdown = elig.breakdown
        if not elig.rated:
            return Outcome(person, False, None, breakdown, None, reasons)
    level, shares, grey = shares_level(person, rules, reasons)
    if elig is not None:
        level = apply_away_cap(level, elig, rules, reasons)
    level = apply_overrides(level, person, period, rules, reasons)
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
        reasons,
        shares.exceeded,
        unexplained,
        shares.below if grey else None,
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
    for o in outcomes:
        person = o.person
        if not o.rated:
            if not period.is_year and rules.method == "points":
                alerts.append(warnings.no_tasks(person))
            continue
        history = request.history.get(person.id, {})
        if person.self_level is not None:
            found = warnings.self_overrated(person, o.by_rules)
            if found:
                alerts.append(found)
        if period.is_year:
            if o.level is _D:
                if rules.method == "points":
                    alerts.append(warnings.kht_year(person, period))
                else:
                    found = warnings.two_years_d(person, period, history)
                    if found:
                        alerts.append(found)
        else:
            if o.unexplained:
                found = warnings.unexplained_months(person, period, o.unexplained, history, rules)
                if found:
                    alerts.append(found)
                undone_by_unit.setdefault(person.unit, []).append((person, o.unexplained))
            if o.level is _D:
                alerts.append(warnings.level_d(person, period, history, rules))
        if o.grey_below is not None:
            alerts.append(warnings.grey_zone(person, o.grey_below))
    for unit in sorted(undone_by_unit):
        alerts.append(
            warnings.head_accountable(unit, request.unit_name(unit), undone_by_unit[unit])
        )
    return alerts


# -- the output --------------------------------------------------------------------------------


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
                "rules_level": _TEXT[o.by_rules],
                "computed_level": _TEXT[o.computed],
                "level": _TEXT[o.level],
                "reasons": reasons,
                "reward_vnd": o.reward,
            }
        )
    warnings_out = []
    for a in alerts:
        used.add(a.rule)
        warnings_out.append(
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
                "share": float(g.share) if g.share is not None else None,
                "decision": g.decision,
                "unit_cap": g.unit_cap,
                "proposed_a": g.proposed_a,
                "demoted": g.demoted,
            }
            for g in units
        ],
        "warnings": warnings_out,
        # the legal source of every rule named above, once
        "sources": {rule: rules.sources.get(rule, "") for rule in sorted(used)},
    }
