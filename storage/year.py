"""The annual rating's rows (NĐ 335 Điều 19-20): an organization's round for a year, each
person's rating in it, the period scores it is the mean of (ours, and those a previous
agency sent after a transfer), and the core's input for the year.

The statements stay here; the year's steps (cycle/year.py) and the conversation
(handlers/year.py) get rows. Every change of a level goes to the audit log (entity
`year_rating`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.conclusions import core_entries_by_person
from storage.models import (
    ExternalScore,
    Organization,
    Period,
    Person,
    Result,
    RoleGroup,
    Unit,
    YearRating,
    YearRound,
)
from storage.queries import CATEGORIES, Classification

OPEN, CLOSED, PUBLISHED = "open", "closed", "published"
STAGES = ("head", "director")


def round_of(session: Session, organization_id: int, year: int) -> YearRound | None:
    return session.exec(
        select(YearRound).where(
            YearRound.organization_id == organization_id, YearRound.year == year
        )
    ).first()


def latest_round(session: Session, organization_id: int) -> YearRound | None:
    """The organization's most recent annual round, whatever its status."""
    return session.exec(
        select(YearRound)
        .where(YearRound.organization_id == organization_id)
        .order_by(col(YearRound.year).desc())
    ).first()


def ratings_of(session: Session, round_id: int) -> dict[int, YearRating]:
    """The round's ratings by person id."""
    return {
        r.person_id: r
        for r in session.exec(select(YearRating).where(YearRating.round_id == round_id))
    }


def rating_of(session: Session, round_id: int, person_id: int) -> YearRating | None:
    return session.exec(
        select(YearRating).where(YearRating.round_id == round_id, YearRating.person_id == person_id)
    ).first()


def period_scores(
    session: Session, organization_id: int, year: int, person_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """Each person's scores of the year's rated periods, in order: the published results of
    the organization's months or quarters, then those a previous agency sent (a period the
    person has both of counts ours). Two queries."""
    found: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    rows = session.exec(
        select(Result.person_id, Period.code, Result.score)
        .join(Period, col(Period.id) == col(Result.period_id))
        .where(
            Period.organization_id == organization_id,
            col(Period.code).startswith(f"{year}-"),
            col(Result.published_at).is_not(None),
            col(Result.score).is_not(None),
            col(Result.person_id).in_(person_ids),
        )
    )
    for person_id, code, score in rows:
        found[person_id][code] = {"period": code, "score": score, "source": "ours"}
    external = session.exec(
        select(ExternalScore).where(
            col(ExternalScore.person_id).in_(person_ids),
            col(ExternalScore.period_code).startswith(f"{year}-"),
        )
    )
    for entry in external:
        found[entry.person_id].setdefault(
            entry.period_code,
            {"period": entry.period_code, "score": entry.score, "source": entry.agency},
        )
    return {pid: [by_code[c] for c in sorted(by_code)] for pid, by_code in found.items()}


def has_rated_period(session: Session, organization_id: int, year: int) -> bool:
    """Whether the organization published any period of the year (a round has something to
    take the mean of)."""
    return (
        session.exec(
            select(Period.id).where(
                Period.organization_id == organization_id,
                col(Period.code).startswith(f"{year}-"),
                Period.status == "published",
            )
        ).first()
        is not None
    )


def final_review(rating: YearRating) -> tuple[str | None, str | None]:
    """The level the reviewers set and its reason: the director's change, else the head's
    (a change only ever lowers the level); (None, None) when both agreed or did not decide."""
    if rating.director_decision == "change" and rating.director_level:
        return rating.director_level, rating.director_comment
    if rating.head_decision == "change" and rating.head_level:
        return rating.head_level, rating.head_comment
    return None, None


def year_request(
    session: Session,
    organization: Organization,
    year_round: YearRound,
    people: list[Person],
    ratings: dict[int, YearRating] | None = None,
) -> tuple[Classification, dict[int, list[dict[str, Any]]]]:
    """The core's input for the year (RULES.md rules 8-13): per person the period scores,
    the discipline decisions and conclusions of the year, the self-rating and the level the
    reviewers set; with the period scores by person id (their sources too), in a bounded
    number of queries."""
    units = {
        u.id: u for u in session.exec(select(Unit).where(Unit.organization_id == organization.id))
    }
    groups = {
        g.id: g
        for g in session.exec(select(RoleGroup).where(RoleGroup.organization_id == organization.id))
    }
    year = year_round.year
    scores = period_scores(session, organization.id, year, [p.id for p in people])
    entries = core_entries_by_person(session, people, date(year, 1, 1), date(year, 12, 31))
    inputs = []
    for person in people:
        data: dict[str, Any] = {
            "id": person.code,
            "name": person.full_name,
            "unit": units[person.unit_id].code,
            "group": groups[person.group_id].code,
            "role": person.role.value,
            "category": CATEGORIES[person.category],
            "periods": [
                {"period": p["period"], "score": p["score"]} for p in scores.get(person.id, [])
            ],
            **entries.get(person.id, {}),
        }
        rating = (ratings or {}).get(person.id)
        if rating is not None:
            if rating.self_level:
                data["self_level"] = rating.self_level
            level, reason = final_review(rating)
            if level:
                data["review_level"] = level
                data["review_reason"] = reason or "-"
        inputs.append(data)
    request: dict[str, Any] = {
        "period": str(year),
        "people": inputs,
        "unit_names": {u.code: u.name for u in units.values()},
        "group_names": {g.code: g.name for g in groups.values()},
    }
    return Classification(request, {p.code: p for p in people}, {}, organization), scores


def record_external(
    session: Session,
    person: Person,
    period_code: str,
    score: float,
    agency: str,
    document: str | None,
    now: datetime,
) -> ExternalScore:
    """A period score from a previous agency (kept or replaced; the caller audits)."""
    entry = session.exec(
        select(ExternalScore).where(
            ExternalScore.person_id == person.id, ExternalScore.period_code == period_code
        )
    ).first()
    if entry is None:
        entry = ExternalScore(
            person_id=person.id, period_code=period_code, score=score, agency=agency
        )
    entry.score, entry.agency, entry.document, entry.recorded_at = score, agency, document, now
    session.add(entry)
    session.flush()
    return entry
