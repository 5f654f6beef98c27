"""The queries about an organization's people, units, groups and chat accounts that the
conversations, the monthly cycle and the admin commands ask (the statements stay in
storage/; the callers get rows)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Identity, Organization, Person, RoleGroup, Unit


def organization_ids(session: Session) -> list[int]:
    """The id of every organization."""
    return list(session.exec(select(Organization.id)).all())


def people_of(session: Session, organization_id: int) -> list[Person]:
    """Everyone on the organization's roster, the inactive too."""
    return list(session.exec(select(Person).where(Person.organization_id == organization_id)))


def active_people(session: Session, organization_id: int, *, by_code: bool = False) -> list[Person]:
    """The organization's active people (`by_code`: ordered by roster code)."""
    query = select(Person).where(Person.organization_id == organization_id, Person.active)
    if by_code:
        query = query.order_by(Person.code)
    return list(session.exec(query).all())


def active_people_of_unit(session: Session, organization_id: int, unit_id: int) -> list[Person]:
    """The active people of one unit of the organization."""
    return list(
        session.exec(
            select(Person).where(
                Person.organization_id == organization_id,
                Person.unit_id == unit_id,
                Person.active,
            )
        ).all()
    )


def count_people(session: Session, organization_id: int) -> int:
    """How many people the organization's roster holds, the inactive too."""
    return session.exec(
        select(func.count()).select_from(Person).where(Person.organization_id == organization_id)
    ).one()


def person_by_code(session: Session, code: str) -> Person | None:
    """The person with this roster code (the first found)."""
    return session.exec(select(Person).where(Person.code == code)).first()


def units_of(session: Session, organization_id: int) -> list[Unit]:
    """The organization's units."""
    return list(session.exec(select(Unit).where(Unit.organization_id == organization_id)))


def unit_by_code(session: Session, organization_id: int, code: str) -> Unit | None:
    """The organization's unit with this code, if any."""
    return session.exec(
        select(Unit).where(Unit.organization_id == organization_id, Unit.code == code)
    ).first()


def units_with_active_people(session: Session, organization_id: int) -> list[Unit]:
    """The organization's units that have at least one active person."""
    return list(
        session.exec(
            select(Unit)
            .where(Unit.organization_id == organization_id)
            .where(
                col(Unit.id).in_(
                    select(Person.unit_id).where(
                        Person.organization_id == organization_id, Person.active
                    )
                )
            )
        ).all()
    )


def count_units(session: Session, organization_id: int) -> int:
    """How many units the organization has."""
    return session.exec(
        select(func.count()).select_from(Unit).where(Unit.organization_id == organization_id)
    ).one()


def groups_of(session: Session, organization_id: int) -> list[RoleGroup]:
    """The organization's role groups."""
    return list(session.exec(select(RoleGroup).where(RoleGroup.organization_id == organization_id)))


def names_by_id(
    session: Session, table: type[Unit] | type[RoleGroup], organization_id: int
) -> dict[int, str]:
    """The names of the organization's units (`Unit`) or role groups (`RoleGroup`), by id."""
    return {
        row.id: row.name
        for row in session.exec(select(table).where(table.organization_id == organization_id))
    }


def registered_person_ids(session: Session) -> set[int]:
    """The ids of the people who registered at least one chat account."""
    return set(session.exec(select(Identity.person_id)).all())


def identity_of(session: Session, platform: str, user_id: str) -> Identity | None:
    """The registration of a chat account, if any."""
    return session.exec(
        select(Identity).where(Identity.platform == platform, Identity.user_id == user_id)
    ).first()


def identities_of_people(session: Session, person_ids: Iterable[int]) -> list[Identity]:
    """The chat accounts of these people."""
    return list(session.exec(select(Identity).where(col(Identity.person_id).in_(list(person_ids)))))


def identities_replaced(
    session: Session, platform: str, person_id: int, user_id: str
) -> list[Identity]:
    """What a new registration on `platform` replaces: the person's account there, and
    whatever person this chat account was registered to."""
    return list(
        session.exec(
            select(Identity).where(
                Identity.platform == platform,
                (Identity.person_id == person_id) | (Identity.user_id == user_id),
            )
        )
    )
