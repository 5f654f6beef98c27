"""Rules 15-16: the year (`period: "YYYY"`).

Eligibility by months worked (NĐ 90 Điều 2 khoản 3, kept by later texts): fewer than
6 months worked, not rated, unless on maternity leave, who is rated on the months worked;
3 to under 6 months away caps the year at C. The annual score is the mean of the monthly
scores of the months worked.
"""

from __future__ import annotations

from typing import NamedTuple

from core.model import Level, Month, MonthStatus, Reason
from core.ruleset import Ruleset
from core.scoring import round2
from locales import N_


class Eligibility(NamedTuple):
    rated: bool
    worked: int
    maternity: int
    away: int
    ceiling: Level  # the best level the months allow

    @property
    def breakdown(self) -> dict[str, int]:
        return {
            "months_worked": self.worked,
            "months_maternity": self.maternity,
            "months_away": self.away,
        }


def eligibility(
    months: tuple[Month, ...] | None, ruleset: Ruleset, reasons: list[Reason]
) -> Eligibility:
    """Whether the year is rated, and its ceiling; `None` months means a full year."""
    if months is None:
        return Eligibility(True, 12, 0, 0, Level.EXCELLENT)
    worked = sum(1 for m in months if m.status is MonthStatus.WORKED)
    maternity = sum(1 for m in months if m.status is MonthStatus.MATERNITY)
    away = sum(1 for m in months if m.status is MonthStatus.AWAY)
    minimum = ruleset.year_min_months
    if worked == 0 or (worked < minimum and not maternity):
        reasons.append(
            Reason(
                "year.not_rated",
                N_(
                    "{worked} months worked in the year, fewer than {minimum}: not rated this year "
                    "(the time worked is still reviewed)."
                ),
                {"worked": worked, "minimum": minimum},
            )
        )
        return Eligibility(False, worked, maternity, away, Level.NOT_COMPLETED)
    if worked < minimum:
        reasons.append(
            Reason(
                "year.maternity",
                N_(
                    "On maternity leave for {maternity} months: rated on the {worked} months "
                    "worked."
                ),
                {"maternity": maternity, "worked": worked},
            )
        )
    ceiling = Level.EXCELLENT
    if ruleset.away_cap_months <= away < minimum:
        ceiling = ruleset.away_cap_level
    return Eligibility(True, worked, maternity, away, ceiling)


def apply_away_cap(
    level: Level, elig: Eligibility, ruleset: Ruleset, reasons: list[Reason]
) -> Level:
    if elig.ceiling.rank < level.rank:
        reasons.append(
            Reason(
                "year.away_cap",
                N_(
                    "Away from work for {away} months of the year ({low} to under {high}): the "
                    "level is at most {level}."
                ),
                {
                    "away": elig.away,
                    "low": ruleset.away_cap_months,
                    "high": ruleset.year_min_months,
                    "level": elig.ceiling,
                },
            )
        )
        return elig.ceiling
    return level


def annual_score(months: tuple[Month, ...], reasons: list[Reason]) -> float:
    """Rule 16: the mean of the monthly scores of the months worked."""
    scores = [m.score for m in months if m.status is MonthStatus.WORKED]
    mean = round2(sum(scores) / len(scores))
    reasons.append(
        Reason(
            "year.mean",
            N_("Annual score {score}: the mean of {count} monthly scores."),
            {"score": mean, "count": len(scores)},
        )
    )
    return mean
