"""Rules 1-5: the monthly score on 100 points (ruleset method `points`, NĐ 335/2025).

score = clamp(general + task points + bonus - deductions, 0, 100)

The task points are rounded to 2 decimals before the sum, so the breakdown an official
adds up by hand gives exactly the score.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from core.model import Explanation, Person, Reason, TaskStatus
from core.ruleset import Ruleset
from core.texts import Localized, Percent, quoted
from locales import N_, SUPPORTED_LOCALES, format_number

_CENT = Decimal("0.01")


@lru_cache(maxsize=65536)
def round2(value: float) -> float:
    """Half-up rounding to 2 decimals, as officials round by hand (not banker's).

    The shortest repr is taken as the intended value: 1.005 gives 1.01. Cached: the same
    few thousand values recur across a large run, and Decimal is slow."""
    return float(Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_UP))


class TaskSummary(NamedTuple):
    """What the month's tasks say, for the score, the caps, warnings and ranking."""

    counted: int  # tasks counted (those not done with an approved explanation are not)
    quantity: float
    quality: float
    progress: float
    exceeded_share: float
    # the tasks by title (their id where untitled), as the texts name them
    excluded: tuple[str, ...]  # not done, explanation approved: not counted
    unexplained: tuple[str, ...]  # not done, no approved explanation (so counted)
    late_explained: tuple[str, ...]  # not done, explanation approved after the deadline
    unexcused_late: tuple[str, ...]  # late without a confirmed objective reason


_NOT_DONE = TaskStatus.NOT_DONE  # enum member look-ups are slow in a loop of 500,000
_EXCEEDED = TaskStatus.EXCEEDED
_LATE = TaskStatus.LATE
_APPROVED = Explanation.APPROVED


def summarize_tasks(person: Person, ruleset: Ruleset) -> TaskSummary:
    """One pass over the tasks: shares of quantity, quality and progress (rule 2)."""
    total = done = quality = progress = exceeded = 0.0
    excluded: list[str] = []
    unexplained: list[str] = []
    late_explained: list[str] = []
    unexcused_late: list[str] = []
    q_penalty = ruleset.quality_failure_penalty
    d_penalty = ruleset.delay_penalty
    for _, weight, status, failures, delays, explanation, late, objective, title in person.tasks:
        if status is _NOT_DONE:
            if explanation is _APPROVED:
                excluded.append(title)
                if late:
                    late_explained.append(title)
            else:
                unexplained.append(title)
                total += weight
            continue
        total += weight
        done += weight
        if status is _EXCEEDED:
            exceeded += weight
        if objective:
            quality += weight
            progress += weight
            continue
        quality += weight * max(0.0, 1.0 - q_penalty * failures) if failures else weight
        if status is _LATE:
            unexcused_late.append(title)
            progress += weight * max(0.0, 1.0 - d_penalty * max(1, delays))
        else:
            progress += weight
    counted = len(person.tasks) - len(excluded)
    if total == 0:
        return TaskSummary(
            counted, 0.0, 0.0, 0.0, 0.0, tuple(excluded), (), tuple(late_explained), ()
        )
    return TaskSummary(
        counted,
        done / total,
        quality / total,
        progress / total,
        exceeded / total,
        tuple(excluded),
        tuple(unexplained),
        tuple(late_explained),
        tuple(unexcused_late),
    )


class Score(NamedTuple):
    score: float
    breakdown: dict[str, float]
    tasks: TaskSummary
    reasons: list[Reason]


def monthly_score(person: Person, ruleset: Ruleset) -> Score:
    """Rules 1-5: the score and its breakdown, with the reasons an official checks."""
    reasons: list[Reason] = []
    general = 0.0
    review = person.general_review
    for criterion in ruleset.criteria:
        value = review.get(criterion.key, person.general[criterion.key])
        if value > criterion.max:
            reasons.append(
                Reason(
                    "score.general",
                    N_(
                        "The score {value} for criterion “{criterion}” is above its maximum; "
                        "{max} is counted."
                    ),
                    {
                        "value": value,
                        "criterion": Localized(tuple(criterion.label.items())),
                        "max": criterion.max,
                    },
                )
            )
            value = criterion.max
        general += value

    tasks = summarize_tasks(person, ruleset)
    if tasks.counted:
        wq, wl, wp = ruleset.components
        shares = wq * tasks.quantity + wl * tasks.quality + wp * tasks.progress
        task_points = round2(ruleset.task_points * shares / (wq + wl + wp))
    else:
        task_points = round2(ruleset.task_points * general / ruleset.general_max)
        reasons.append(
            Reason(
                "score.no_tasks",
                N_(
                    "No task was counted this month: the task points are {points}, in proportion "
                    "to the general criteria ({general}/{general_max})."
                ),
                {"points": task_points, "general": general, "general_max": ruleset.general_max},
            )
        )
    if tasks.excluded:
        reasons.append(
            Reason(
                "score.tasks",
                N_("Tasks not done with an approved explanation are not counted: {tasks}."),
                {"tasks": quoted(tasks.excluded)},
            )
        )

    bonus = min(
        ruleset.bonus_monthly_max, ruleset.bonus_per_initiative * person.initiatives_approved
    )
    if bonus:
        reasons.append(
            Reason(
                "score.bonus",
                N_(
                    "Bonus points: {bonus} (approved initiatives and proposals: {count}; at most "
                    "{max} a month)."
                ),
                {
                    "bonus": bonus,
                    "count": person.initiatives_approved,
                    "max": ruleset.bonus_monthly_max,
                },
            )
        )
    deductions = sum(d.points for d in person.deductions)
    if deductions:
        reasons.append(
            Reason(
                "score.deductions",
                N_("Points deducted: {points} ({items})."),
                {
                    "points": deductions,
                    "items": tuple(_deduction_text(d, ruleset) for d in person.deductions),
                },
            )
        )

    total = general + task_points + bonus - deductions
    score = round2(min(100.0, max(0.0, total)))
    params = {
        "score": score,
        "general": general,
        "general_max": ruleset.general_max,
        "tasks": task_points,
        "task_max": ruleset.task_points,
        "bonus": bonus,
        "deductions": deductions,
    }
    if tasks.counted:
        total_reason = Reason(
            "score.total",
            N_(
                "Score {score}/100: general criteria {general}/{general_max}, task results "
                "{tasks}/{task_max} (quantity {quantity}, quality {quality}, progress "
                "{progress}), bonus {bonus}, deductions {deductions}."
            ),
            params
            | {
                "quantity": Percent(tasks.quantity),
                "quality": Percent(tasks.quality),
                "progress": Percent(tasks.progress),
            },
        )
    else:
        total_reason = Reason(
            "score.total",
            N_(
                "Score {score}/100: general criteria {general}/{general_max}, task results "
                "{tasks}/{task_max}, bonus {bonus}, deductions {deductions}."
            ),
            params,
        )
    reasons.insert(0, total_reason)
    breakdown = {
        "general": general,
        "quantity": round(tasks.quantity, 4),
        "quality": round(tasks.quality, 4),
        "progress": round(tasks.progress, 4),
        "tasks": task_points,
        "bonus": bonus,
        "deductions": deductions,
    }
    return Score(score, breakdown, tasks, reasons)


def _deduction_text(deduction, ruleset: Ruleset) -> Localized:
    if deduction.code is None:
        labels = {"vi": deduction.reason}
    else:
        labels = ruleset.deductions[deduction.code].label
    return Localized(
        tuple(
            (
                locale,
                f"{labels.get(locale) or labels['vi']} "
                f"(-{format_number(deduction.points, locale)})",
            )
            for locale in SUPPORTED_LOCALES
        )
    )
