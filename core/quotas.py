"""Rules 10-14: the share of A per unit and group of similar roles.

Order of application (RULES.md): rules 10 and 12 per group, then rule 11 across the whole
unit, keeping the highest ranked A (rule 13) and demoting the rest to B (rule 14). The
quota never promotes anyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from core.model import Alert, Level, QuotaOverride, Reason
from core.ruleset import Ruleset
from core.texts import Percent
from locales import N_


class Candidate(NamedTuple):
    """A rated person as the quota sees them."""

    id: str
    unit: str
    group: str
    level: Level  # computed level, before the quota
    score: float  # 0 where the ruleset has no points
    exceeded_share: float
    initiatives: int
    head_rank: int | None
    name: str  # as texts name the person

    @property
    def rank_key(self) -> tuple:
        """Rule 13: score, exceeded share, initiatives, then the head's ranking."""
        head = self.head_rank if self.head_rank is not None else math.inf
        return (-self.score, -self.exceeded_share, -self.initiatives, head)


@dataclass(slots=True)
class GroupQuota:
    unit: str
    group: str
    counts: dict[str, int]
    cap: int
    cap_rule: str
    proposed_a: int
    unit_cap: int | None
    demoted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class QuotaResult:
    demoted: dict[str, Reason]
    groups: list[GroupQuota]
    alerts: list[Alert]


def good_share_cap(good: int, proposed_a: int, share: Fraction) -> int:
    """Rule 10: A <= share x final B, where the demoted become B.

    k <= share x (B + A - k)  gives  k = floor(share x (B + A) / (1 + share));
    with 20%: floor((B + A) / 6). 10 B and 4 proposed A keep 2.
    """
    # in integers: share = n/d gives floor(n (B + A) / (d + n)), exact and fast
    n, d = share.numerator, share.denominator
    return n * (good + proposed_a) // (d + n)


def apply_quotas(
    candidates: list[Candidate],
    ruleset: Ruleset,
    overrides: tuple[QuotaOverride, ...],
    unit_names: dict[str, str] | None = None,
    group_names: dict[str, str] | None = None,
) -> QuotaResult:
    """Rules 10-14 on the rated; `unit_names` and `group_names` name them in the texts."""
    unit_names = unit_names or {}
    group_names = group_names or {}
    group_override = {(o.unit, o.group): o.cap for o in overrides if o.group is not None}
    unit_override = {o.unit: o.cap for o in overrides if o.group is None}
    by_unit: dict[str, dict[str, list[Candidate]]] = {}
    for c in candidates:
        by_unit.setdefault(c.unit, {}).setdefault(c.group, []).append(c)

    names = {c.id: c.name for c in candidates}
    demoted: dict[str, Reason] = {}
    groups: list[GroupQuota] = []
    alerts: list[Alert] = []
    for unit in sorted(by_unit):
        unit_groups = by_unit[unit]
        kept: list[Candidate] = []
        summaries: dict[str, GroupQuota] = {}
        small_group_kept = False
        for group in sorted(unit_groups):
            members = unit_groups[group]
            proposed = [c for c in members if c.level is Level.EXCELLENT]
            good = sum(1 for c in members if c.level is Level.GOOD)
            if (unit, group) in group_override:
                cap, rule = group_override[(unit, group)], "quota.manual"
            else:
                cap, rule = (
                    good_share_cap(good, len(proposed), ruleset.good_share),
                    "quota.good_share",
                )
                if (
                    cap == 0
                    and proposed
                    and ruleset.small_group_below > 0
                    and good < ruleset.small_group_below
                ):
                    cap, rule = 1, "quota.small_group"
                    small_group_kept = True
            stay, out = _cut(proposed, cap, unit, group, alerts, unit_names)
            for c in out:
                demoted[c.id] = _demotion_reason(rule, cap, good, len(proposed), ruleset)
            kept.extend(stay)
            summaries[group] = GroupQuota(
                unit, group, {}, cap, rule, len(proposed), None, [c.id for c in out]
            )
        rated = sum(len(m) for m in unit_groups.values())
        unit_cap = None
        if unit in unit_override:
            unit_cap, unit_rule = unit_override[unit], "quota.manual"
        elif ruleset.unit_share > 0:
            share = ruleset.unit_share
            unit_cap = share.numerator * rated // share.denominator
            unit_rule = "quota.unit_share"
            if small_group_kept:
                unit_cap = max(unit_cap, 1)
        if unit_cap is not None:
            stay, out = _cut(kept, unit_cap, unit, None, alerts, unit_names)
            for c in out:
                demoted[c.id] = (
                    Reason(
                        unit_rule,
                        N_(
                            "The unit may keep {cap} people at {level_a} ({share} of the {rated} "
                            "rated, rounded down); ranked below them, the level is {level}."
                        ),
                        {
                            "cap": unit_cap,
                            "level_a": Level.EXCELLENT,
                            "share": Percent(ruleset.unit_share),
                            "rated": rated,
                            "level": Level.GOOD,
                        },
                    )
                    if unit_rule != "quota.manual"
                    else _manual_reason(unit_cap)
                )
                summaries[c.group].demoted.append(c.id)
        for group in sorted(unit_groups):
            summary = summaries[group]
            summary.unit_cap = unit_cap
            counts = {lv.value: 0 for lv in Level}
            for c in unit_groups[group]:
                counts[(Level.GOOD if c.id in demoted else c.level).value] += 1
            summary.counts = counts
            groups.append(summary)
            if summary.demoted:
                rule = demoted[summary.demoted[0]].rule
                alerts.append(
                    Alert(
                        "QUOTA_EXCEEDED",
                        rule,
                        None,
                        unit,
                        group,
                        N_(
                            "{unit}, group {group}: {proposed} proposed for {level_a}, {kept} "
                            "allowed; brought down to {level_b}: {people}."
                        ),
                        {
                            "unit": unit_names.get(unit, unit),
                            "group": group_names.get(group, group),
                            "proposed": summary.proposed_a,
                            "kept": summary.proposed_a - len(summary.demoted),
                            "level_a": Level.EXCELLENT,
                            "level_b": Level.GOOD,
                            "people": tuple(names[pid] for pid in summary.demoted),
                        },
                        tuple(summary.demoted),
                    )
                )
    return QuotaResult(demoted, groups, alerts)


def _cut(
    ranked: list[Candidate],
    cap: int,
    unit: str,
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
                ),
                {
                    "unit": unit_names.get(unit, unit),
                    "people": tuple(c.name for c in tied),
                    "level_a": Level.EXCELLENT,
                },
                tuple(c.id for c in tied),
            )
        )
    return stay, out


def _demotion_reason(rule: str, cap: int, good: int, proposed: int, ruleset: Ruleset) -> Reason:
    if rule == "quota.manual":
        return _manual_reason(cap)
    if rule == "quota.small_group":
        return Reason(
            rule,
            N_(
                "The group has fewer than {below} people at {level_b}, so one person may stay at "
                "{level_a}; ranked below them, the level is {level}."
            ),
            {
                "below": ruleset.small_group_below,
                "level_b": Level.GOOD,
                "level_a": Level.EXCELLENT,
                "level": Level.GOOD,
            },
        )
    return Reason(
        rule,
        N_(
            "{level_a} may not exceed {share} of {level_b} in the group: with {good} at B and "
            "{proposed} proposed for A, {cap} may stay; ranked below them, the level is {level}."
        ),
        {
            "level_a": Level.EXCELLENT,
            "level_b": Level.GOOD,
            "share": Percent(ruleset.good_share),
            "good": good,
            "proposed": proposed,
            "cap": cap,
            "level": Level.GOOD,
        },
    )


def _manual_reason(cap: int) -> Reason:
    return Reason(
        "quota.manual",
        N_(
            "The competent authority set the number of {level_a} to {cap}; ranked below them, "
            "the level is {level}."
        ),
        {"level_a": Level.EXCELLENT, "cap": cap, "level": Level.GOOD},
    )
