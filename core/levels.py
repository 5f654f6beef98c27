"""Rules 6-9: the level from the score, the caps, and the D overrides."""

from __future__ import annotations

from core.discipline import counting_decisions
from core.model import (
    DisciplineDecision,
    DisciplineForm,
    DisciplineSource,
    Level,
    Period,
    Person,
    Reason,
)
from core.ruleset import Ruleset
from core.scoring import TaskSummary
from core.texts import Term, quoted
from locales import N_

_FORM_NAMES = {
    "reprimand": N_("reprimand"),
    "warning": N_("warning"),
    "demotion": N_("salary downgrade or demotion"),  # one key: hạ bậc lương / giáng chức
    "dismissal_from_post": N_("dismissal from post"),
    "dismissal": N_("dismissal"),
}
_EXPULSION = N_("expulsion")  # the Party's heaviest form, mapped onto dismissal
_SOURCE_NAMES = {"admin": N_("administrative discipline"), "party": N_("Party discipline")}


def level_for_score(score: float, ruleset: Ruleset) -> tuple[Level, Reason]:
    """Rule 6: A from 90, B from 70, C from 50, D below (thresholds from the ruleset)."""
    for level, threshold in ruleset.thresholds:
        if score >= threshold:
            return level, Reason(
                "level.threshold",
                N_("A score of {score} reaches the threshold of {threshold} points for {level}."),
                {"score": score, "threshold": threshold, "level": level},
            )
    lowest_threshold = ruleset.thresholds[-1][1]
    return Level.NOT_COMPLETED, Reason(
        "level.threshold",
        N_("A score of {score} is below {threshold} points: {level}."),
        {"score": score, "threshold": lowest_threshold, "level": Level.NOT_COMPLETED},
    )


def apply_task_caps(level: Level, tasks: TaskSummary, reasons: list[Reason]) -> Level:
    """Rules 8 and 9, each noted only where it lowers the level."""
    late_or_missing = tasks.unexplained + tasks.late_explained
    if late_or_missing and level.rank > Level.COMPLETED.rank:
        level = Level.COMPLETED
        reasons.append(
            Reason(
                "cap.unexplained_undone",
                N_(
                    "Tasks not done without an explanation approved before their deadline "
                    "({tasks}): the level is at most {level}."
                ),
                {"tasks": quoted(late_or_missing), "level": Level.COMPLETED},
            )
        )
    if level is Level.EXCELLENT and (tasks.unexplained or tasks.unexcused_late):
        level = Level.GOOD
        reasons.append(
            Reason(
                "cap.all_on_time",
                N_(
                    "{level_a} requires every task done on time; not done or late: {tasks}. "
                    "The level is at most {level}."
                ),
                {
                    "level_a": Level.EXCELLENT,
                    "tasks": quoted(tasks.unexplained + tasks.unexcused_late),
                    "level": Level.GOOD,
                },
            )
        )
    return level


def apply_overrides(level: Level, person: Person, period: Period, reasons: list[Reason]) -> Level:
    """Rule 7: D regardless of score for discipline, degeneration, example, corruption."""
    decisions, notes = counting_decisions(person, period)
    reasons.extend(notes)
    for decision in decisions:
        reasons.append(
            Reason(
                "override.discipline",
                N_(
                    "A violation related to public duty was disciplined with {form} (decision of "
                    "{date}, {source}): {level} regardless of the score."
                ),
                {
                    "source": Term(_SOURCE_NAMES[decision.source]),
                    "form": Term(_form_name(decision)),
                    "date": decision.date,
                    "level": Level.NOT_COMPLETED,
                },
            )
        )
    flags = person.flags
    if flags.degeneration:
        reasons.append(
            Reason(
                "override.degeneration",
                N_(
                    "Concluded by the competent authority to show degeneration in political "
                    "ideology, ethics or lifestyle, “self-evolution” or “self-transformation”: "
                    "{level}."
                ),
                {"level": Level.NOT_COMPLETED},
            )
        )
    if flags.example_violation:
        reasons.append(
            Reason(
                "override.example_violation",
                N_("Violated the duty to set an example: {level}."),
                {"level": Level.NOT_COMPLETED},
            )
        )
    if flags.unit_corruption and person.role.is_leader:
        reasons.append(
            Reason(
                "override.unit_corruption",
                N_(
                    "Embezzlement, corruption or waste was dealt with in the unit this leader "
                    "directly heads: {level}."
                ),
                {"level": Level.NOT_COMPLETED},
            )
        )
    if (
        decisions
        or flags.degeneration
        or flags.example_violation
        or (flags.unit_corruption and person.role.is_leader)
    ):
        return Level.NOT_COMPLETED
    return level


def apply_review(level: Level, person: Person, reasons: list[Reason]) -> Level:
    """The reviewer's level (`review_level`, with its reason): it may lower the level the
    rules give, never raise it; a higher one is noted and has no effect."""
    wanted = person.review_level
    if wanted is None or wanted is level:
        return level
    if wanted.rank < level.rank:
        reasons.append(
            Reason(
                "review.level",
                N_("The reviewer set the level {level}, below the {computed} of the rules: {why}"),
                {"level": wanted, "computed": level, "why": person.review_reason},
            )
        )
        return wanted
    reasons.append(
        Reason(
            "review.level",
            N_(
                "The reviewer proposed {level}, above the {computed} of the rules; a reviewer "
                "may lower a level, not raise it, so the level stays {computed}."
            ),
            {"level": wanted, "computed": level},
        )
    )
    return level


def _form_name(decision: DisciplineDecision) -> str:
    if decision.source is DisciplineSource.PARTY and decision.form is DisciplineForm.DISMISSAL:
        return _EXPULSION
    return _FORM_NAMES[decision.form]
