"""Rules 1-4: the score of a period (a month or a quarter) on 100 points (NĐ 335/2025).

score = general + task points (+ bonus - deductions in agency profiles, clamped to 0-100)

Task points: staff 70 x (a + b + c) / 3, leaders 70 x (a + b + c + d + đ + e) / 6, where
a, b, c are the quantity, quality and progress of the tasks done over the weight W of the
base tasks. Extra tasks add to the sums, never to W. The task points are rounded to 2
decimals before the sum, so the breakdown an official adds up by hand gives the score.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from core.model import Explanation, Level, Person, Reason, TaskStatus
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
    """What the period's tasks say, for the score, the caps, gates, warnings and ranking."""

    rated: bool  # some task, base or extra: W > 0
    base: float  # W
    quantity: float  # a
    quality: float  # b
    progress: float  # c
    exceeded_share: float
    # the weights of the tasks in W, for the gates and the year (breakdown.task_weights)
    total: float
    done: float
    on_time: float
    exceeded: float
    # the tasks by title (their id where untitled), as the texts name them
    undone: tuple[str, ...]  # base tasks not done, kept in W
    excluded: tuple[str, ...]  # option exclude: not done, approved before the deadline
    unexplained: tuple[str, ...]  # base, not done, no approved explanation (warnings)
    capped: tuple[str, ...]  # base, not done, not approved before the deadline (agency rule 8)
    extra_done: tuple[str, ...]
    extra_undone: tuple[str, ...]
    extra_as_base: bool  # no base task: the extra tasks form W
    waived: tuple[str, ...]  # failures or delays waived by a confirmed objective reason


_NOT_DONE = TaskStatus.NOT_DONE  # enum member look-ups are slow in a loop of 500,000
_EXCEEDED = TaskStatus.EXCEEDED
_LATE = TaskStatus.LATE
_APPROVED = Explanation.APPROVED
_EMPTY: tuple[str, ...] = ()


def summarize_tasks(person: Person, ruleset: Ruleset) -> TaskSummary:
    """One pass over the tasks: a, b and c of rule 2, and what the other rules need."""
    base_w = extra_w = 0.0
    # sums of the tasks done: base (in W), extra (outside W unless pooled or alone)
    b_done = b_quality = b_progress = b_on_time = b_exceeded = 0.0
    x_done = x_quality = x_progress = x_on_time = x_exceeded = 0.0
    undone: list[str] = []
    excluded: list[str] = []
    unexplained: list[str] = []
    capped: list[str] = []
    extra_done: list[str] = []
    extra_undone: list[str] = []
    waived: list[str] = []
    pooled = ruleset.extra_pooled
    exclude = ruleset.exclude_explained
    q_penalty = ruleset.quality_failure_penalty
    d_penalty = ruleset.delay_penalty
    for (
        _,
        weight,
        status,
        failures,
        delays,
        explanation,
        late,
        objective,
        title,
        extra,
    ) in person.tasks:
        if extra:
            extra_w += weight
            if status is _NOT_DONE:
                extra_undone.append(title)
                continue
            extra_done.append(title)
            x_done += weight
            if status is _EXCEEDED:
                x_exceeded += weight
            if objective:
                if failures or status is _LATE:
                    waived.append(title)
                x_quality += weight
                x_progress += weight
                x_on_time += weight
                continue
            x_quality += weight * max(0.0, 1.0 - q_penalty * failures) if failures else weight
            if status is _LATE:
                x_progress += weight * max(0.0, 1.0 - d_penalty * (delays or 1))
            else:
                x_progress += weight
                x_on_time += weight
            continue
        if status is _NOT_DONE:
            approved = explanation is _APPROVED
            if exclude and approved and not late:
                excluded.append(title)
                continue
            base_w += weight
            undone.append(title)
            if not approved:
                unexplained.append(title)
            if not approved or late:
                capped.append(title)
            continue
        base_w += weight
        b_done += weight
        if status is _EXCEEDED:
            b_exceeded += weight
        if objective:
            if failures or status is _LATE:
                waived.append(title)
            b_quality += weight
            b_progress += weight
            b_on_time += weight
            continue
        b_quality += weight * max(0.0, 1.0 - q_penalty * failures) if failures else weight
        if status is _LATE:
            b_progress += weight * max(0.0, 1.0 - d_penalty * (delays or 1))
        else:
            b_progress += weight
            b_on_time += weight

    extra_as_base = False
    if pooled or (base_w == 0 and extra_w > 0):
        extra_as_base = not pooled
        total = base_w + extra_w
        g_done, g_on_time, g_exceeded = (
            b_done + x_done,
            b_on_time + x_on_time,
            b_exceeded + x_exceeded,
        )
    else:
        total = base_w
        g_done, g_on_time, g_exceeded = b_done, b_on_time, b_exceeded
    if total == 0:
        return TaskSummary(
            False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            tuple(undone), tuple(excluded), _EMPTY, _EMPTY, _EMPTY, _EMPTY, False, _EMPTY,
        )  # fmt: skip
    done = b_done + x_done
    return TaskSummary(
        True,
        total,
        min(1.0, done / total),
        min(1.0, (b_quality + x_quality) / total),
        min(1.0, (b_progress + x_progress) / total),
        min(1.0, (b_exceeded + x_exceeded) / total),
        total,
        g_done,
        g_on_time,
        g_exceeded,
        tuple(undone) if undone else _EMPTY,
        tuple(excluded) if excluded else _EMPTY,
        tuple(unexplained) if unexplained else _EMPTY,
        tuple(capped) if capped else _EMPTY,
        tuple(extra_done) if extra_done else _EMPTY,
        tuple(extra_undone) if extra_undone else _EMPTY,
        extra_as_base,
        tuple(waived) if waived else _EMPTY,
    )


class LeaderParts(NamedTuple):
    """d, đ and e of a leader (1 or the ruleset's partial value) with their reasons."""

    d: float
    dd: float
    e: float
    reasons: tuple[Reason, ...]


class Score(NamedTuple):
    score: float
    breakdown: dict[str, object]
    tasks: TaskSummary
    reasons: list[Reason]


_STAFF_TOTAL = N_(
    "Score {score}/100: general criteria {general}/{general_max}, task results "
    "{tasks}/{task_max} (quantity {a}, quality {b}, progress {c})."
)
_LEADER_TOTAL = N_(
    "Score {score}/100: general criteria {general}/{general_max}, task results "
    "{tasks}/{task_max} (quantity {a}, quality {b}, progress {c}, results of the area led "
    "{d}, organising {dd}, cohesion {e})."
)
_STAFF_TOTAL_EXTRA = N_(
    "Score {score}/100: general criteria {general}/{general_max}, task results "
    "{tasks}/{task_max} (quantity {a}, quality {b}, progress {c}), bonus points {bonus}, "
    "points deducted {deductions}."
)
_LEADER_TOTAL_EXTRA = N_(
    "Score {score}/100: general criteria {general}/{general_max}, task results "
    "{tasks}/{task_max} (quantity {a}, quality {b}, progress {c}, results of the area led "
    "{d}, organising {dd}, cohesion {e}), bonus points {bonus}, points deducted "
    "{deductions}."
)


def period_score(
    person: Person, ruleset: Ruleset, tasks: TaskSummary, leader: LeaderParts | None
) -> Score:
    """Rules 1-4: the score and its breakdown, with the reasons an official checks."""
    general = 0.0
    review = person.general_review
    own = person.general
    if review:
        for criterion in ruleset.criteria:
            key = criterion.key
            general += review[key] if key in review else own[key]
    else:
        for value in own.values():
            general += value

    a, b, c = tasks.quantity, tasks.quality, tasks.progress
    points = ruleset.task_points
    if leader is None:
        task_points = round2(points * (a + b + c) / 3)
    else:
        task_points = round2(points * (a + b + c + leader.d + leader.dd + leader.e) / 6)
    reasons: list[Reason] = [Reason("", "", {})]  # the total, set below
    _task_reasons(tasks, ruleset, reasons)
    if leader is not None:
        reasons.extend(leader.reasons)

    bonus = deductions = 0.0
    has_extras = ruleset.has_bonus or ruleset.deductions is not None
    if ruleset.has_bonus:
        bonus = min(
            ruleset.bonus_period_max, ruleset.bonus_per_initiative * person.initiatives_approved
        )
        if bonus:
            reasons.append(
                Reason(
                    "score.bonus",
                    N_(
                        "Bonus points: {bonus} (approved initiatives and proposals: {count}; at "
                        "most {max} a period)."
                    ),
                    {
                        "bonus": bonus,
                        "count": person.initiatives_approved,
                        "max": ruleset.bonus_period_max,
                    },
                )
            )
    if person.deductions:
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
    total = general + task_points
    if has_extras:
        total = min(100.0, max(0.0, total + bonus - deductions))
    score = round2(total)
    params = {
        "score": score,
        "general": general,
        "general_max": ruleset.general_max,
        "tasks": task_points,
        "task_max": points,
        "a": Percent(a),
        "b": Percent(b),
        "c": Percent(c),
    }
    breakdown: dict[str, object] = {
        "general": general,
        "a": round(a, 4),
        "b": round(b, 4),
        "c": round(c, 4),
    }
    if leader is not None:
        params |= {"d": Percent(leader.d), "dd": Percent(leader.dd), "e": Percent(leader.e)}
        breakdown |= {"d": leader.d, "dd": leader.dd, "e": leader.e}
        message = _LEADER_TOTAL_EXTRA if has_extras else _LEADER_TOTAL
    else:
        message = _STAFF_TOTAL_EXTRA if has_extras else _STAFF_TOTAL
    breakdown["tasks"] = task_points
    if has_extras:
        params |= {"bonus": bonus, "deductions": deductions}
        breakdown |= {"bonus": bonus, "deductions": deductions}
    breakdown["task_weights"] = {
        "total": round(tasks.total, 4),
        "done": round(tasks.done, 4),
        "on_time": round(tasks.on_time, 4),
        "exceeded": round(tasks.exceeded, 4),
    }
    reasons[0] = Reason("score.total", message, params)
    return Score(score, breakdown, tasks, reasons)


def _task_reasons(tasks: TaskSummary, ruleset: Ruleset, reasons: list[Reason]) -> None:
    if tasks.undone:
        reasons.append(
            Reason(
                "score.tasks",
                N_("Assigned tasks not done stay in the base, explained or not: {tasks}."),
                {"tasks": quoted(tasks.undone)},
            )
        )
    if tasks.excluded:
        reasons.append(
            Reason(
                "score.excluded",
                N_(
                    "Tasks not done with an explanation approved before their deadline are not "
                    "counted: {tasks}."
                ),
                {"tasks": quoted(tasks.excluded)},
            )
        )
    if tasks.waived:
        reasons.append(
            Reason(
                "score.tasks",
                N_(
                    "A confirmed objective reason waives the failed quality checks and delays "
                    "of: {tasks}."
                ),
                {"tasks": quoted(tasks.waived)},
            )
        )
    if ruleset.extra_pooled and (tasks.extra_done or tasks.extra_undone):
        reasons.append(
            Reason(
                "score.extra_pooled",
                N_("Extra tasks are counted in the base like assigned ones: {tasks}."),
                {"tasks": quoted(tasks.extra_done + tasks.extra_undone)},
            )
        )
    elif tasks.extra_as_base:
        reasons.append(
            Reason(
                "score.extra",
                N_("No assigned task: the extra tasks form the base: {tasks}."),
                {"tasks": quoted(tasks.extra_done + tasks.extra_undone)},
            )
        )
    else:
        if tasks.extra_done:
            reasons.append(
                Reason(
                    "score.extra",
                    N_(
                        "Extra tasks (taken on in addition, ad hoc or arising) add points "
                        "outside the assigned base: {tasks}."
                    ),
                    {"tasks": quoted(tasks.extra_done)},
                )
            )
        if tasks.extra_undone:
            reasons.append(
                Reason(
                    "score.extra",
                    N_("Extra tasks not done add nothing: {tasks}."),
                    {"tasks": quoted(tasks.extra_undone)},
                )
            )


def leader_parts(person: Person, ruleset: Ruleset, below: tuple[str, ...] | None) -> LeaderParts:
    """d, đ and e (rule 2, leaders). `below`: the names of the people led below C, None
    when nobody led was rated."""
    partial = ruleset.leader_partial
    given = person.leader
    reasons: list[Reason] = []
    if given is not None and given.unit_result is not None:
        d = given.unit_result
        reasons.append(
            Reason(
                "score.leader",
                N_("Results of the area led (d), as the rater gave them: {d}."),
                {"d": Percent(d)},
            )
        )
    elif below is None:
        d = 1.0
        reasons.append(
            Reason(
                "score.leader",
                N_("Results of the area led (d): nobody led is rated in the period: {d}."),
                {"d": Percent(d)},
            )
        )
    elif below:
        d = partial
        reasons.append(
            Reason(
                "score.leader",
                N_("Results of the area led (d): {people} below {level}: {d}."),
                {"people": tuple(below), "level": Level.COMPLETED, "d": Percent(d)},
            )
        )
    else:
        d = 1.0
        reasons.append(
            Reason(
                "score.leader",
                N_("Results of the area led (d): everyone led reaches at least {level}: {d}."),
                {"level": Level.COMPLETED, "d": Percent(d)},
            )
        )
    organising = given.organising if given is not None else None
    cohesion = given.cohesion if given is not None else None
    if organising is None:
        reasons.append(
            Reason(
                "score.leader_not_rated",
                N_("The ability to organise the work (đ) was not rated: counted as {value}."),
                {"value": Percent(1.0)},
            )
        )
    if cohesion is None:
        reasons.append(
            Reason(
                "score.leader_not_rated",
                N_("The ability to gather and unite staff (e) was not rated: counted as {value}."),
                {"value": Percent(1.0)},
            )
        )
    return LeaderParts(
        d,
        1.0 if organising is None else organising,
        1.0 if cohesion is None else cohesion,
        tuple(reasons),
    )


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
