"""Rule 7: which discipline decisions make a period D, with the NĐ 48/2023 exceptions.

A decision counts in the period (month or year) of its date. Two exceptions:
- a violation already used to rate an earlier period D (`counted_in` names it) does not
  count again when its decision comes later;
- a Party and an administrative decision for one violation count once, at the earlier
  date.
"""

from __future__ import annotations

from core.model import DisciplineDecision, Level, Period, Person, Reason
from locales import N_


def counting_decisions(
    person: Person, period: Period
) -> tuple[list[DisciplineDecision], list[Reason]]:
    """The decisions that make `period` D, and the reasons for those set aside."""
    if not person.discipline:
        return [], []
    by_violation: dict[str, list[DisciplineDecision]] = {}
    for decision in person.discipline:
        if decision.public_duty:
            by_violation.setdefault(decision.violation, []).append(decision)
    counting: list[DisciplineDecision] = []
    notes: list[Reason] = []
    for violation, decisions in by_violation.items():
        decisions.sort(key=lambda d: d.date)
        first = decisions[0]
        earlier = [
            d.counted_in
            for d in decisions
            if d.counted_in is not None and d.counted_in.end < period.start
        ]
        in_period = [d for d in decisions if period.start <= d.date <= period.end]
        if not in_period:
            continue
        if earlier:
            notes.append(
                Reason(
                    "discipline.exception",
                    N_(
                        "The discipline decision of {date} is not counted: violation {violation} "
                        "already led to the level {level} in {counted_in}."
                    ),
                    {
                        "date": in_period[0].date,
                        "violation": violation,
                        "counted_in": earlier[0],
                        "level": Level.NOT_COMPLETED,
                    },
                )
            )
            continue
        if not (period.start <= first.date <= period.end):
            notes.append(
                Reason(
                    "discipline.exception",
                    N_(
                        "The discipline decision of {date} is not counted: violation {violation} "
                        "was already disciplined on {first}, and one violation counts once."
                    ),
                    {
                        "date": in_period[0].date,
                        "violation": violation,
                        "first": first.date,
                    },
                )
            )
            continue
        counting.append(first)
    return counting, notes
