"""Ruleset method `shares`: the levels of Nghị định 90/2020 (periods up to 2025-12).

No points: the level follows from the share of tasks below standard, the share exceeded,
and the general criteria (good at 80% of their maximum, met at 50%). A task is below
standard when it is late, not done, or failed a quality check, unless excused by an
approved explanation or a confirmed objective reason. Leaders add the conditions of the
units and targets they lead.
"""

from __future__ import annotations

from typing import NamedTuple

from core.model import Explanation, Level, Person, Reason, TaskStatus
from core.ruleset import Ruleset
from core.texts import Percent, quoted
from locales import N_


class Shares(NamedTuple):
    below: float
    exceeded: float
    below_tasks: tuple[str, ...]
    criteria_good: bool
    criteria_met: bool


def task_shares(person: Person, ruleset: Ruleset) -> Shares:
    total = below = exceeded = 0.0
    below_tasks = []
    for task in person.tasks:
        total += task.weight
        if task.status is TaskStatus.EXCEEDED:
            exceeded += task.weight
        excused = task.objective_reason or task.explanation is Explanation.APPROVED
        if not excused and (
            task.status in (TaskStatus.LATE, TaskStatus.NOT_DONE) or task.quality_failures
        ):
            below += task.weight
            below_tasks.append(task.title)
    rules = ruleset.shares
    review = person.general_review
    ratios = [
        min(1.0, review.get(c.key, person.general[c.key]) / c.max) if c.max else 1.0
        for c in ruleset.criteria
    ]
    good = all(r >= rules.criterion_good for r in ratios)
    met = all(r >= rules.criterion_met for r in ratios)
    if total == 0:
        return Shares(0.0, 0.0, (), good, met)
    return Shares(below / total, exceeded / total, tuple(below_tasks), good, met)


def shares_level(
    person: Person, ruleset: Ruleset, reasons: list[Reason]
) -> tuple[Level, Shares, bool]:
    """The level by the shares; the flag says the share falls in the grey zone."""
    s = task_shares(person, ruleset)
    rules = ruleset.shares
    params = {
        "below": Percent(s.below),
        "exceeded": Percent(s.exceeded),
        "tasks": quoted(s.below_tasks),
    }
    grey = False
    if s.below > rules.d_over_below:
        level = Level.NOT_COMPLETED
        reasons.append(
            Reason(
                "nd90.not_completed",
                N_(
                    "{below} of the tasks are below standard ({tasks}), more than {limit}: {level}."
                ),
                params | {"limit": Percent(rules.d_over_below), "level": level},
            )
        )
    elif s.criteria_good and s.below == 0 and s.exceeded >= rules.a_exceeded and person.tasks:
        level = Level.EXCELLENT
        reasons.append(
            Reason(
                "nd90.excellent",
                N_(
                    "All general criteria good, every task done on time with quality, {exceeded} "
                    "exceeded (at least {limit}): {level}."
                ),
                params | {"limit": Percent(rules.a_exceeded), "level": level},
            )
        )
    elif s.criteria_met and s.below == 0:
        level = Level.GOOD
        reasons.append(
            Reason(
                "nd90.good",
                N_("All general criteria met and every task done on time with quality: {level}."),
                params | {"level": level},
            )
        )
    elif s.below <= rules.c_max_below:
        level = Level.COMPLETED
        if s.below:
            reasons.append(
                Reason(
                    "nd90.completed",
                    N_(
                        "{below} of the tasks are below standard ({tasks}), at most {limit}: "
                        "{level}."
                    ),
                    params | {"limit": Percent(rules.c_max_below), "level": level},
                )
            )
        else:
            reasons.append(
                Reason(
                    "nd90.completed",
                    N_("Not every general criterion is met: {level}."),
                    {"level": level},
                )
            )
    else:
        level = Level.COMPLETED
        grey = True
        reasons.append(
            Reason(
                "nd90.grey_zone",
                N_(
                    "{below} of the tasks are below standard ({tasks}), between {low} and "
                    "{high}, where the decree is silent: {level}, for the leader to confirm."
                ),
                params
                | {
                    "low": Percent(rules.c_max_below),
                    "high": Percent(rules.d_over_below),
                    "level": level,
                },
            )
        )
    if person.role.is_leader and ruleset.leaders is not None:
        level = _leader_cap(level, person, ruleset, reasons)
    return level, s, grey


def _leader_cap(level: Level, person: Person, ruleset: Ruleset, reasons: list[Reason]) -> Level:
    lead = person.leadership
    if lead is None:
        reasons.append(
            Reason(
                "nd90.leader",
                N_(
                    "The results of the units and targets this leader heads were not given; "
                    "the conditions for leaders were not checked."
                ),
                {},
            )
        )
        return level
    rules = ruleset.leaders

    def share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    completed = share(lead.units_completed, lead.units)
    good = share(lead.units_good, lead.units)
    exceeded = share(lead.targets_exceeded, lead.targets)
    on_time = share(lead.targets_on_time, lead.targets)
    done = share(lead.targets_done, lead.targets)
    if (
        completed >= rules.a_units_completed
        and good >= rules.a_units_good
        and exceeded >= rules.a_targets_exceeded
    ):
        ceiling = Level.EXCELLENT
    elif on_time >= rules.b_targets_on_time:
        ceiling = Level.GOOD
    elif done > rules.c_targets_done:
        ceiling = Level.COMPLETED
    else:
        ceiling = Level.NOT_COMPLETED
    if ceiling.rank < level.rank:
        reasons.append(
            Reason(
                "nd90.leader",
                N_(
                    "Units led: {completed} completed their duties, {good} at good or above; "
                    "targets: {done} done, {on_time} on time, {exceeded} exceeded. A leader "
                    "with these results is at most {level}."
                ),
                {
                    "completed": Percent(completed),
                    "good": Percent(good),
                    "done": Percent(done),
                    "on_time": Percent(on_time),
                    "exceeded": Percent(exceeded),
                    "level": ceiling,
                },
            )
        )
        return ceiling
    return level
