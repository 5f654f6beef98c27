"""The year (`period: "YYYY"`).

`nd335` (rule 8): the annual score is the mean of the scores of the rated periods (months
or quarters), with no minimum number of months; no rated period, not rated.
`nd90`: eligibility by months worked (NĐ 90 Điều 2 khoản 3): fewer than 6 months worked,
not rated, unless on maternity leave; 3 to under 6 months away caps the year at C.
"""

from __future__ import annotations

from typing import NamedTuple

from core.model import Level, PeriodScore, PeriodStatus, Reason
from core.ruleset import Ruleset
from core.scoring import round2
from core.texts import Term
from locales import N_

_WORKED = PeriodStatus.WORKED


class YearScore(NamedTuple):
    rated: bool
    score: float | None
    breakdown: dict[str, object]
    total: float  # the task weights of the periods, for the gates
    done: float
    on_time: float
    exceeded: float


def year_score(periods: tuple[PeriodScore, ...], reasons: list[Reason]) -> YearScore:
    """Rule 8: the mean of the period scores, rounded half-up to 2 decimals."""
    worked = [p for p in periods if p.status is _WORKED]
    away = [p for p in periods if p.status is not _WORKED]
    quarters = any(p.period.is_quarter for p in periods)
    breakdown: dict[str, object] = {
        "periods_rated": len(worked),
        "periods_not_worked": len(away),
    }
    if away:
        reasons.append(
            Reason(
                "year.mean",
                N_("Periods not worked (leave, sickness, maternity) are left out: {periods}."),
                {"periods": tuple(p.period for p in away)},
            )
        )
    if not worked:
        reasons.append(
            Reason(
                "year.not_rated",
                N_("No rated period in the year: not rated this year."),
                {},
            )
        )
        return YearScore(False, None, breakdown, 0.0, 0.0, 0.0, 0.0)
    mean = round2(sum(p.score for p in worked) / len(worked))
    reasons.append(
        Reason(
            "year.mean",
            N_("Annual score {score}: the mean of the scores of {count} {periods}."),
            {
                "score": mean,
                "count": len(worked),
                "periods": Term(N_("quarters") if quarters else N_("months")),
            },
        )
    )
    totals = [p.tasks for p in worked if p.tasks is not None]
    return YearScore(
        True,
        mean,
        breakdown,
        sum(t.total for t in totals),
        sum(t.done for t in totals),
        sum(t.on_time for t in totals),
        sum(t.exceeded for t in totals),
    )


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
    months: tuple[PeriodScore, ...] | None, ruleset: Ruleset, reasons: list[Reason]
) -> Eligibility:
    """nd90: whether the year is rated, and its ceiling; `None` months means a full year."""
    if months is None:
        return Eligibility(True, 12, 0, 0, Level.EXCELLENT)
    worked = sum(1 for m in months if m.status is _WORKED)
    maternity = sum(1 for m in months if m.status is PeriodStatus.MATERNITY)
    away = sum(1 for m in months if m.status is PeriodStatus.AWAY)
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
    if ruleset.away_cap_months and ruleset.away_cap_months <= away < minimum:
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
