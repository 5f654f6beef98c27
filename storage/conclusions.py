"""Discipline decisions and conclusions (NĐ 335 Điều 20 khoản 4): what makes a person's
level D regardless of the score, as the organization's office records it — by an import
(`storage.conclusions_import`) or in the director's chat (`handlers.conclusions`).

An entry is never changed once recorded: a mistake is removed (kept, marked removed) and
recorded again. Recording and removing are audited here. `core_entries` turns a person's
entries into the core's `discipline` and `flags`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from core.model import DisciplineForm as CoreForm
from core.model import Flags as CoreFlags
from locales import N_, name_sort_key
from storage.audit import audit
from storage.db import in_batches
from storage.models import Conclusion, DisciplineDecision, Person, Role

DISCIPLINE = "discipline"
# The kinds of entry: a discipline decision, or a conclusion of one of these kinds.
CONCLUSION_KINDS = ("degeneration", "party_prohibition", "example_violation", "unit_corruption")
KINDS = (DISCIPLINE, *CONCLUSION_KINDS)
LEADERS_ONLY = frozenset({"unit_corruption"})  # corruption dealt with in the unit one leads

SOURCES = ("admin", "party")
# The forms each source has, lightest first: Luật Cán bộ, công chức Điều 79 (administrative,
# for công chức; viên chức have a subset) and Điều lệ Đảng Điều 35 (Party).
FORMS = {
    "admin": (
        "reprimand",
        "warning",
        "salary_downgrade",
        "demotion",
        "dismissal_from_post",
        "dismissal",
    ),
    "party": ("reprimand", "warning", "dismissal_from_post", "expulsion"),
}
ALL_FORMS = tuple(dict.fromkeys(FORMS["admin"] + FORMS["party"]))

# The names of the kinds, forms and sources, as /conclusions and the exports show them
KIND_NAMES = {
    DISCIPLINE: N_("Discipline decision"),
    "degeneration": N_("Degeneration in ideology, ethics, lifestyle"),
    "party_prohibition": N_("Violation of Party prohibitions"),
    "example_violation": N_("Violation of the duty to set an example"),
    "unit_corruption": N_("Corruption in the unit they lead"),
}
FORM_NAMES = {
    "reprimand": N_("reprimand"),
    "warning": N_("warning"),
    "salary_downgrade": N_("salary downgrade"),
    "demotion": N_("demotion"),
    "dismissal_from_post": N_("dismissal from post"),
    "dismissal": N_("dismissal"),
    "expulsion": N_("expulsion"),
}
SOURCE_NAMES = {"admin": N_("administrative discipline"), "party": N_("Party discipline")}

MAX_NUMBER = 50  # "123/QĐ-UBND" has 11 characters
MAX_VIOLATION = 200
MAX_NOTE = 500
EARLIEST = date(2000, 1, 1)  # an earlier date is a typing error ("05/11/0226")

Entry = DisciplineDecision | Conclusion

_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?: 00:00:00)?")  # a date cell of Excel


def parse_date(text: str) -> date | None:
    """A date written dd/mm/yyyy (05/11/2026, 5/11/2026) or YYYY-MM-DD, or None."""
    text = text.strip()
    if found := _DMY.fullmatch(text):
        day, month, year = (int(x) for x in found.groups())
    elif found := _ISO.fullmatch(text):
        year, month, day = (int(x) for x in found.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 31/02/2026
        return None


def kind_of(entry: Entry) -> str:
    return DISCIPLINE if isinstance(entry, DisciplineDecision) else entry.kind


def entity_of(entry: Entry) -> str:
    """The entry's table, as the audit log names it."""
    return "discipline_decision" if isinstance(entry, DisciplineDecision) else "conclusion"


def tag_of(entry: Entry) -> str:
    """A short reference for buttons and outbox keys: d12 (decision 12), c5 (conclusion 5)."""
    return ("d" if isinstance(entry, DisciplineDecision) else "c") + str(entry.id)


def allowed_kinds(person: Person) -> tuple[str, ...]:
    """The kinds an entry about this person may have (unit corruption: leaders only)."""
    return tuple(k for k in KINDS if k not in LEADERS_ONLY or person.role is not Role.STAFF)


def same_key(entry: Entry) -> tuple:
    """What identifies an entry: the person, the kind (and source) and the number. Two
    entries with one key are one document: the second is a duplicate, never an update."""
    if isinstance(entry, DisciplineDecision):
        return (entry.person_id, DISCIPLINE, entry.source, entry.number.casefold())
    return (entry.person_id, entry.kind, None, entry.number.casefold())


def details(entry: Entry) -> dict[str, Any]:
    """The entry as the audit log keeps it (what was recorded, or removed)."""
    data: dict[str, Any] = {
        "person_id": entry.person_id,
        "kind": kind_of(entry),
        "date": entry.dated.isoformat(),
        "number": entry.number,
    }
    if isinstance(entry, DisciplineDecision):
        data |= {
            "form": entry.form,
            "source": entry.source,
            "violation": entry.violation,
            "public_duty": entry.public_duty,
        }
    if entry.note:
        data["note"] = entry.note
    return data


def same_content(a: Entry, b: Entry) -> bool:
    """Whether two entries record the same thing (who recorded them aside)."""
    return type(a) is type(b) and details(a) == details(b)


# -- reading -----------------------------------------------------------------------------


def entries_of_people(session: Session, person_ids: list[int]) -> list[Entry]:
    """The entries in force (not removed) about these people, in two queries for every
    IN_BATCH people."""
    found: list[Entry] = []
    for ids in in_batches(person_ids):
        for table in (DisciplineDecision, Conclusion):
            found += session.exec(
                select(table).where(col(table.person_id).in_(ids), col(table.removed_at).is_(None))
            ).all()
    return found


def entries_of_year(
    session: Session, organization_id: int, year: int, recorded_from: datetime
) -> list[tuple[Entry, Person]]:
    """The organization's entries in force dated in `year`, or recorded since
    `recorded_from` (a date typed wrong stays findable, to be removed), by date, then by
    name as Vietnamese lists sort them."""
    rows: list[tuple[Entry, Person]] = []
    for table in (DisciplineDecision, Conclusion):
        rows += session.exec(
            select(table, Person)
            .join(Person, col(Person.id) == col(table.person_id))
            .where(
                Person.organization_id == organization_id,
                col(table.removed_at).is_(None),
                or_(
                    col(table.dated).between(date(year, 1, 1), date(year, 12, 31)),
                    col(table.recorded_at) >= recorded_from,
                ),
            )
        ).all()
    rows.sort(key=lambda row: (row[0].dated, name_sort_key(row[1].full_name), tag_of(row[0])))
    return rows


def entry_by_tag(session: Session, organization_id: int, tag: str) -> Entry | None:
    """The entry in force of the organization that `tag` (d12, c5) names, or None."""
    table = {"d": DisciplineDecision, "c": Conclusion}.get(tag[:1])
    digits = tag[1:]
    if table is None or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    entry = session.get(table, int(digits))
    if entry is None or entry.removed_at is not None:
        return None
    person = session.get(Person, entry.person_id)
    return entry if person is not None and person.organization_id == organization_id else None


def duplicate_of(session: Session, entry: Entry) -> Entry | None:
    """An entry in force with the same key (`same_key`) as this new one, if any."""
    key = same_key(entry)
    for other in entries_of_people(session, [entry.person_id]):
        if other is not entry and same_key(other) == key:
            return other
    return None


def violations_of(session: Session, person_id: int) -> list[DisciplineDecision]:
    """The person's decisions in force that name a violation, newest first: a new decision
    for one of these violations is linked to it (they count once)."""
    return list(
        session.exec(
            select(DisciplineDecision)
            .where(
                DisciplineDecision.person_id == person_id,
                col(DisciplineDecision.removed_at).is_(None),
                col(DisciplineDecision.violation).is_not(None),
            )
            .order_by(col(DisciplineDecision.dated).desc(), col(DisciplineDecision.id).desc())
        ).all()
    )


def earlier_for_violation(session: Session, entry: DisciplineDecision) -> DisciplineDecision | None:
    """An earlier decision in force, for conduct in public duty, for the same violation:
    then this one does not count again (one violation counts once, NĐ 48/2023)."""
    if entry.violation is None or not entry.public_duty:
        return None
    return session.exec(
        select(DisciplineDecision)
        .where(
            DisciplineDecision.person_id == entry.person_id,
            DisciplineDecision.violation == entry.violation,
            DisciplineDecision.public_duty,
            col(DisciplineDecision.removed_at).is_(None),
            DisciplineDecision.dated < entry.dated,
            DisciplineDecision.id != entry.id,
        )
        .order_by(DisciplineDecision.dated)
    ).first()


# -- writing -----------------------------------------------------------------------------


def record(
    session: Session,
    entry: Entry,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> Entry:
    """Record a new entry, audited as `actor_id` (None: the system, for an import)."""
    entry.recorded_by, entry.recorded_at = actor_id, now
    session.add(entry)
    session.flush()
    audit(
        session,
        actor_id,
        entity_of(entry),
        entry.id,
        "recorded",
        None,
        details(entry),
        reason=reason,
        at=now,
    )
    return entry


def remove(session: Session, entry: Entry, actor_id: int | None, now: datetime) -> None:
    """Remove an entry recorded by mistake: it is kept, marked removed, and audited."""
    entry.removed_by, entry.removed_at = actor_id, now
    session.add(entry)
    audit(
        session,
        actor_id,
        entity_of(entry),
        entry.id,
        "removed",
        details(entry),
        None,
        reason="recorded by mistake",
        at=now,
    )
    session.flush()


# -- into the core -----------------------------------------------------------------------

# The core's vocabulary (RULES.md, the core's input). Core v1 knows the forms of its
# DisciplineForm — one `demotion` for hạ bậc lương and giáng chức, `dismissal` for the
# Party's khai trừ too (it names a Party dismissal "expulsion") — and the flags of its
# Flags: no `party_prohibition`. Core v2 adds the form `salary_downgrade` and the flag
# `party_prohibition`. Both sets are read from the core, so that these pass as they are
# once the core knows them; until then a salary downgrade goes in as `demotion` (as heavy:
# D alike) and a Party prohibition stays out (v1 refuses an unknown flag, and with it the
# whole month). When v2 lands, this is the one place to look at.
_CORE_FORMS = frozenset(form.value for form in CoreForm)
_CORE_FLAGS = frozenset(CoreFlags._fields)
_OLDER_FORMS = {"salary_downgrade": "demotion", "expulsion": "dismissal"}


def core_applies(kind: str) -> bool:
    """Whether the classification core applies a conclusion of this kind."""
    return kind == DISCIPLINE or kind in _CORE_FLAGS


def core_entries(
    decisions: list[DisciplineDecision], conclusions: list[Conclusion], role: Role
) -> dict[str, Any]:
    """A person's `discipline` (every decision; the core decides in which period each
    counts) and `flags` (the conclusions given, those dated within the period classified),
    as the core's input; empty when there are none."""
    data: dict[str, Any] = {}
    if decisions:
        data["discipline"] = []
        for decision in sorted(decisions, key=lambda d: (d.dated, d.id or 0)):
            form = decision.form
            if form not in _CORE_FORMS:
                form = _OLDER_FORMS[form]
            item = {
                "form": form,
                "date": decision.dated.isoformat(),
                "source": decision.source,
                "public_duty": decision.public_duty,
            }
            if decision.violation:
                item["violation"] = decision.violation
            data["discipline"].append(item)
    flags = {
        c.kind: True
        for c in conclusions
        if c.kind in _CORE_FLAGS and (c.kind not in LEADERS_ONLY or role is not Role.STAFF)
    }
    if flags:
        data["flags"] = flags
    return data


def core_entries_by_person(
    session: Session, people: list[Person], start: date, end: date
) -> dict[int, dict[str, Any]]:
    """`core_entries` of each of these people for the period from `start` to `end`: the
    decisions dated up to its end, the conclusions dated within it; in two queries."""
    decisions: dict[int, list[DisciplineDecision]] = defaultdict(list)
    conclusions: dict[int, list[Conclusion]] = defaultdict(list)
    for entry in entries_of_people(session, [p.id for p in people]):
        if entry.dated > end:
            continue
        if isinstance(entry, DisciplineDecision):
            decisions[entry.person_id].append(entry)
        elif entry.dated >= start:
            conclusions[entry.person_id].append(entry)
    return {
        p.id: core_entries(decisions[p.id], conclusions[p.id], p.role)
        for p in people
        if p.id in decisions or p.id in conclusions
    }
