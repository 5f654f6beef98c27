"""Rule 6: which discipline decisions make a period D, with the NĐ 48/2023 exceptions.

A decision counts in the period (month, quarter or year) that contains its date, and in
the year of its date; one for conduct outside public duty never counts. With the option
`discipline_exceptions = "nd48"`:
- a violation already used to rate an earlier period D (`counted_in` names it) does not
  count again when its decision comes later;
- a Party and an administrative decision for one violation count once, at the earlier
  date.
"""

from __future__ import annotations

from core.model import DisciplineDecision, Level, Period, Person, Reason
from locales import N_


def counting_decisions(
    person: Person, period: Period, nd48: bool = True
) -> tuple[list[DisciplineDecision], list[Reason]]:
    """The decisions that make `period` D, and the reasons for those set aside."""
    if not person.discipline:
        return [], []
    public = [d for d in person.discipline if d.public_duty]
    if not nd48:
        return sorted((d for d in public if period.contains(d.date)), key=lambda d: d.date), []
    by_violation: dict[str, list[DisciplineDecision]] = {}
    for decision in public:
        by_violation.setdefault(decision.violation, []).append(decision)
    counting: list[DisciplineDecision] = []
    notes: list[Reason] = []
    for decisions in by_violation.values():
        decisions.sort(key=lambda d: d.date)
        first = decisions[0]
        earlier = [
            d.counted_in
            for d in decisions
            if d.counted_in is not None and d.counted_in.end < period.start
        ]
        in_period = [d for d in decisions if period.contains(d.date)]
        if not in_period:
            continue
        if earlier:
            notes.append(
                Reason(
                    "discipline.exception",
                    N_(
                        "The discipline decision of {date} is not counted: the violation "
                        "already led to the level {level} in {counted_in}."
                    ),
                    {
                        "date": in_period[0].date,
                        "counted_in": earlier[0],
                        "level": Level.NOT_COMPLETED,
                    },
                )
            )
            continue
        if not period.contains(first.date):
            notes.append(
                Reason(
                    "discipline.exception",
                    N_(
                        "The discipline decision of {date} is not counted: the violation was "
                        "already disciplined on {first}, and one violation counts once."
                    ),
                    {"date": in_period[0].date, "first": first.date},
                )
            )
            continue
        counting.append(first)
    return counting, notes
