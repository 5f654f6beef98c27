"""Rules 10-12 (and the agency's 10a, 10b): the share of A.

Rule 10 per scope (`quota.scope`: the whole organization per group of similar duties, or
each unit per group): A <= share x the final B, the demoted counted as B, so with N = B +
proposed A the cap is floor(N x s / (1 + s)). An outstanding unit may have a higher share
with the competent authority's decision (`quota_exceptions`). Agency profiles add 10b (a
small group keeps one A) and 10a (A <= a share of everyone rated in the unit). Order:
rules 10 and 10b per group, then 10a across the unit, keeping the highest ranked (rule 11);
the quota never promotes, and the demoted get B (rule 12).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from core.model import Alert, Level, QuotaException, Reason
from core.ruleset import Ruleset
from core.texts import Percent
from locales import N_

_A, _B = Level.EXCELLENT, Level.GOOD


class Candidate(NamedTuple):
    """A rated person as the quota sees them."""

    id: str
    unit: str
    group: str
    level: Level  # the level before the quota
    score: float  # 0 where the ruleset has no points
    exceeded_share: float
    head_rank: int | None
    name: str  # as texts name the person

    @property
    def rank_key(self) -> tuple:
        """Rule 11: score, share of exceeded tasks, then the head's ranking."""
        head = self.head_rank if self.head_rank is not None else math.inf
        return (-self.score, -self.exceeded_share, head)


@dataclass(slots=True)
class GroupQuota:
    unit: str | None  # None: the whole organization (scope organization)
    group: str
    counts: dict[str, int]
    cap: int | None
    cap_rule: str | None
    proposed_a: int
    unit_cap: int | None
    share: Fraction | None = None
    decision: str | None = None
    demoted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class QuotaResult:
    demoted: dict[str, Reason]
    groups: list[GroupQuota]
    alerts: list[Alert]


def good_share_cap(good: int, proposed_a: int, share: Fraction) -> int:
    """Rule 10: A <= share x final B, where the demoted become B.

    k <= share x (B + A - k)  gives  k = floor(share x (B + A) / (1 + share));
    with 20%: floor((B + A) / 6); with 25%: floor((B + A) / 5). 10 B and 4 A keep 2.
    """
    # in integers: share = n/d gives floor(n (B + A) / (d + n)), exact and fast
    n, d = share.numerator, share.denominator
    return n * (good + proposed_a) // (d + n)


def counts_only(candidates: list[Candidate]) -> list[GroupQuota]:
    """Where no quota applies (rule 7): the counts per unit and group, no cap."""
    by_key: dict[tuple[str, str], GroupQuota] = {}
    for c in candidates:
        entry = by_key.get((c.unit, c.group))
        if entry is None:
            entry = by_key[(c.unit, c.group)] = GroupQuota(
                c.unit, c.group, {"A": 0, "B": 0, "C": 0, "D": 0}, None, None, 0, None
            )
        entry.counts[c.level.value] += 1
        if c.level is _A:
            entry.proposed_a += 1
    return [by_key[k] for k in sorted(by_key)]


def apply_quotas(
    candidates: list[Candidate],
    ruleset: Ruleset,
    exceptions: tuple[QuotaException, ...],
    unit_names: dict[str, str],
    group_names: dict[str, str],
    agency_rules: bool = True,
) -> QuotaResult:
    """Rules 10-12 on the rated; `unit_names` and `group_names` name them in the texts.
    `agency_rules`: the profile's 10a and 10b too (periods; the year follows nd335)."""
    by_unit: dict[str | None, dict[str, list[Candidate]]] = {}
    per_unit = ruleset.quota_scope == "unit"
    for c in candidates:
        by_unit.setdefault(c.unit if per_unit else None, {}).setdefault(c.group, []).append(c)
    names = {c.id: c.name for c in candidates}
    demoted: dict[str, Reason] = {}
    groups: list[GroupQuota] = []
    alerts: list[Alert] = []
    for unit in sorted(by_unit, key=lambda u: u or ""):
        unit_groups = by_unit[unit]
        kept: list[Candidate] = []
        summaries: dict[str, GroupQuota] = {}
        small_group_kept = False
        for group in sorted(unit_groups):
            members = unit_groups[group]
            proposed = [c for c in members if c.level is _A]
            good = sum(1 for c in members if c.level is _B)
            exception = _exception_for(exceptions, unit, group)
            share = exception.share if exception else ruleset.good_share
            rule = "quota.exception" if exception else "quota.good_share"
            cap = good_share_cap(good, len(proposed), share)
            if (
                cap == 0
                and proposed
                and agency_rules
                and ruleset.small_group_below > 0
                and good < ruleset.small_group_below
            ):
                cap, rule = 1, "quota.small_group"
                small_group_kept = True
            stay, out = _cut(proposed, cap, unit, group, alerts, unit_names)
            reason = _demotion_reason(rule, cap, good, len(proposed), share, exception, ruleset)
            for c in out:
                demoted[c.id] = reason
            kept.extend(stay)
            summaries[group] = GroupQuota(
                unit,
                group,
                {},
                cap,
                rule,
                len(proposed),
                None,
                share,
                exception.decision if exception else None,
                [c.id for c in out],
            )
        rated = sum(len(m) for m in unit_groups.values())
        unit_cap = None
        if agency_rules and ruleset.unit_share > 0 and unit is not None:
            share = ruleset.unit_share
            unit_cap = share.numerator * rated // share.denominator
            if small_group_kept:
                unit_cap = max(unit_cap, 1)
            stay, out = _cut(kept, unit_cap, unit, None, alerts, unit_names)
            for c in out:
                demoted[c.id] = Reason(
                    "quota.unit_share",
                    N_(
                        "The unit may keep {cap} people at {level_a} ({share} of the {rated} "
                        "rated, rounded down); ranked below them, the level is {level}."
                    ),
                    {
                        "cap": unit_cap,
                        "level_a": _A,
                        "share": Percent(share),
                        "rated": rated,
                        "level": _B,
                    },
                )
                summaries[c.group].demoted.append(c.id)
        for group in sorted(unit_groups):
            summary = summaries[group]
            summary.unit_cap = unit_cap
            counts = {lv.value: 0 for lv in Level}
            for c in unit_groups[group]:
                counts[(_B if c.id in demoted else c.level).value] += 1
            summary.counts = counts
            groups.append(summary)
            if summary.demoted:
                params = {
                    "unit": unit_names.get(unit, unit),
                    "group": group_names.get(group, group),
                    "proposed": summary.proposed_a,
                    "kept": summary.proposed_a - len(summary.demoted),
                    "level_a": _A,
                    "level_b": _B,
                    "people": tuple(names[pid] for pid in summary.demoted),
                }
                alerts.append(
                    Alert(
                        "QUOTA_EXCEEDED",
                        demoted[summary.demoted[0]].rule,
                        None,
                        unit,
                        group,
                        N_(
                            "{unit}, group {group}: {proposed} proposed for {level_a}, {kept} "
                            "allowed; brought down to {level_b}: {people}."
                        )
                        if unit is not None
                        else N_(
                            "Group {group} of the organization: {proposed} proposed for "
                            "{level_a}, {kept} allowed; brought down to {level_b}: {people}."
                        ),
                        params,
                        tuple(summary.demoted),
                    )
                )
    return QuotaResult(demoted, groups, alerts)


def _exception_for(
    exceptions: tuple[QuotaException, ...], unit: str | None, group: str
) -> QuotaException | None:
    """The most specific exception: the unit and group, the unit, the group, everything."""
    found = {(e.unit, e.group): e for e in exceptions}
    for key in ((unit, group), (unit, None), (None, group), (None, None)):
        if key in found and (key[0] is None or key[0] == unit):
            return found[key]
    return None


def _cut(
    ranked: list[Candidate],
    cap: int,
    unit: str | None,
    group: str | None,
    alerts: list[Alert],
    unit_names: dict[str, str],
) -> tuple[list[Candidate], list[Candidate]]:
    """Keep the `cap` best; a tie across the cut keeps the lower id and raises QUOTA_TIE."""
    if len(ranked) <= cap:
        return list(ranked), []
    ordered = sorted(ranked, key=lambda c: (c.rank_key, c.id))
    stay, out = ordered[:cap], ordered[cap:]
    if cap > 0 and stay[-1].rank_key == out[0].rank_key:
        key = out[0].rank_key
        tied = [c for c in ordered if c.rank_key == key]
        alerts.append(
            Alert(
                "QUOTA_TIE",
                "quota.tie",
                None,
                unit,
                group,
                N_(
                    "{unit}: {people} are tied for the last place at {level_a}; one was "
                    "kept for now by the order of their codes, a leader must rank them."
                )
                if unit is not None
                else N_(
                    "{people} are tied for the last place at {level_a} in the organization; "
                    "one was kept for now by the order of their codes, a leader must rank them."
                ),
                {
                    "unit": unit_names.get(unit, unit),
                    "people": tuple(c.name for c in tied),
                    "level_a": _A,
                },
                tuple(c.id for c in tied),
            )
        )
    return stay, out


def _demotion_reason(
    rule: str,
    cap: int,
    good: int,
    proposed: int,
    share: Fraction,
    exception: QuotaException | None,
    ruleset: Ruleset,
) -> Reason:
    if rule == "quota.small_group":
        return Reason(
            rule,
            N_(
                "The group has fewer than {below} people at {level_b}, so one person may stay at "
                "{level_a}; ranked below them, the level is {level}."
            ),
            {"below": ruleset.small_group_below, "level_b": _B, "level_a": _A, "level": _B},
        )
    params = {
        "level_a": _A,
        "level_b": _B,
        "share": Percent(share),
        "good": good,
        "proposed": proposed,
        "cap": cap,
        "level": _B,
    }
    if exception is not None:
        return Reason(
            rule,
            N_(
                "{level_a} may not exceed {share} of {level_b} for a unit recognised as "
                "outstanding ({decision}): with {good} at B and {proposed} proposed for A, "
                "{cap} may stay; ranked below them, the level is {level}."
            ),
            params | {"decision": exception.decision},
        )
    return Reason(
        rule,
        N_(
            "{level_a} may not exceed {share} of {level_b} in the group: with {good} at B and "
            "{proposed} proposed for A, {cap} may stay; ranked below them, the level is {level}."
        ),
        params,
    )
