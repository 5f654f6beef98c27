"""Rules 5, 6 and 9: the level from the score, the D overrides, the caps and gates, and
the reviewer's level."""

from __future__ import annotations

from core.discipline import counting_decisions
from core.model import (
    DisciplineDecision,
    DisciplineForm,
    Level,
    Period,
    Person,
    Reason,
)
from core.ruleset import Ruleset
from core.texts import Percent, Term, quoted
from locales import N_

_FORM_NAMES = {
    DisciplineForm.REPRIMAND: N_("reprimand"),
    DisciplineForm.WARNING: N_("warning"),
    DisciplineForm.SALARY_DOWNGRADE: N_("salary downgrade"),
    DisciplineForm.DEMOTION: N_("demotion"),
    DisciplineForm.DISMISSAL_FROM_POST: N_("dismissal from post"),
    DisciplineForm.DISMISSAL: N_("dismissal"),
}
_EXPULSION = N_("expulsion")  # the Party's heaviest form, mapped onto dismissal
_SOURCE_NAMES = {"admin": N_("administrative discipline"), "party": N_("Party discipline")}
_A, _B, _C, _D = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED


def level_for_score(score: float, ruleset: Ruleset, rule: str) -> tuple[Level, Reason]:
    """Rule 5 (9 for the year): A from 90, B from 70, C from 50, D below."""
    for level, threshold in ruleset.thresholds:
        if score >= threshold:
            return level, Reason(
                rule,
                N_("A score of {score} reaches the threshold of {threshold} points for {level}."),
                {"score": score, "threshold": threshold, "level": level},
            )
    lowest_threshold = ruleset.thresholds[-1][1]
    return _D, Reason(
        rule,
        N_("A score of {score} is below {threshold} points: {level}."),
        {"score": score, "threshold": lowest_threshold, "level": _D},
    )


def apply_cap_unexplained(
    level: Level, capped: tuple[str, ...], ruleset: Ruleset, reasons: list[Reason]
) -> Level:
    """Agency rule 8: a task not done without an explanation approved before its deadline
    caps the period level (at C in `agency-monthly`); noted only where it lowers."""
    cap = ruleset.cap_unexplained
    if cap is None or not capped or level.rank <= cap.rank:
        return level
    reasons.append(
        Reason(
            "cap.unexplained_undone",
            N_(
                "Tasks not done without an explanation approved before their deadline "
                "({tasks}): the level is at most {level}."
            ),
            {"tasks": quoted(capped), "level": cap},
        )
    )
    return cap


def apply_gates(
    level: Level,
    ruleset: Ruleset,
    total: float,
    done: float,
    on_time: float,
    exceeded: float,
    reasons: list[Reason],
) -> Level:
    """Option gates = "qd366" (Quy định 366-QĐ/TW, Điều 11), on the weights of the tasks
    counted: each level needs its condition; a level whose condition fails is lowered to
    the highest one whose condition holds, with a reason naming the condition."""
    gates = ruleset.gates
    if gates is None or total <= 0:
        return level
    done_share = done / total
    on_time_share = on_time / total
    late_share = (done - on_time) / total
    not_done_share = 1.0 - done_share
    exceeded_share = exceeded / total
    shares = {
        "done": Percent(done_share),
        "on_time": Percent(on_time_share),
        "exceeded": Percent(exceeded_share),
        "late": Percent(late_share),
    }
    if not_done_share > gates.d_over_not_done + 1e-12:
        if level is not _D:
            reasons.append(
                Reason(
                    "gate.qd366",
                    N_("{not_done} of the tasks not done, more than {limit}: {level}."),
                    {
                        "not_done": Percent(not_done_share),
                        "limit": Percent(gates.d_over_not_done),
                        "level": _D,
                    },
                )
            )
        return _D
    every_on_time = on_time_share >= 1 - 1e-12
    every_done = done_share >= 1 - 1e-12
    gate_ok = {
        _A: every_on_time and exceeded_share >= gates.a_exceeded - 1e-12,
        _B: every_on_time,
        _C: every_done and late_share <= gates.c_max_late + 1e-12,
        _D: True,
    }
    lowered = level
    for candidate in (_A, _B, _C, _D):
        if candidate.rank <= lowered.rank and gate_ok[candidate]:
            lowered = candidate
            break
    if lowered is level:
        return level
    messages = {
        _A: N_(
            "{level_a} needs every task done on time with at least {limit} exceeded "
            "(done on time: {on_time}, exceeded: {exceeded})."
        ),
        _B: N_("{level_b} needs every task done on time (done on time: {on_time})."),
        _C: N_(
            "{level_c} needs every task done with at most {limit} late (done: {done}, "
            "late: {late})."
        ),
    }
    limits = {_A: gates.a_exceeded, _B: 0.0, _C: gates.c_max_late}
    failed = [lv for lv in (_A, _B, _C) if lowered.rank < lv.rank <= level.rank]
    for lv in failed:
        reasons.append(
            Reason(
                "gate.qd366",
                messages[lv],
                shares
                | {"limit": Percent(limits[lv]), "level_a": _A, "level_b": _B, "level_c": _C},
            )
        )
    reasons.append(
        Reason(
            "gate.qd366",
            N_("By the conditions of Quy định 366-QĐ/TW, the level is {level}."),
            {"level": lowered},
        )
    )
    return lowered


def apply_overrides(
    level: Level, person: Person, period: Period, ruleset: Ruleset, reasons: list[Reason]
) -> Level:
    """Rule 6: D regardless of the score."""
    decisions, notes = counting_decisions(person, period, ruleset.nd48)
    reasons.extend(notes)
    for decision in decisions:
        reasons.append(
            Reason(
                "override.discipline",
                N_(
                    "A violation related to public duty was disciplined with {form} ({source}, "
                    "decision of {date}): {level} regardless of the score."
                ),
                {
                    "source": Term(_SOURCE_NAMES[decision.source]),
                    "form": Term(_form_name(decision)),
                    "date": decision.date,
                    "level": _D,
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
                {"level": _D},
            )
        )
    if flags.party_prohibition:
        reasons.append(
            Reason(
                "override.party_prohibition",
                N_("Violated what Party members must not do: {level}."),
                {"level": _D},
            )
        )
    if flags.example_violation:
        reasons.append(
            Reason(
                "override.example_violation",
                N_("Violated the duty to set an example: {level}."),
                {"level": _D},
            )
        )
    if flags.unit_corruption and person.role.is_leader:
        reasons.append(
            Reason(
                "override.unit_corruption",
                N_(
                    "Embezzlement, corruption or waste was dealt with in the unit this leader "
                    "heads: {level}."
                ),
                {"level": _D},
            )
        )
    if (
        decisions
        or flags.degeneration
        or flags.party_prohibition
        or flags.example_violation
        or (flags.unit_corruption and person.role.is_leader)
    ):
        return _D
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
    if decision.party_form:
        return _EXPULSION
    return _FORM_NAMES[decision.form]
