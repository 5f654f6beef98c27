"""/conclusions, for the director: the discipline decisions and the conclusions of the
competent authority that make a person's level D regardless of the score (NĐ 335 Điều 20
khoản 4), recorded in the chat as the import records them (`admin import-conclusions`).

    /conclusions ─▶ the entries of the year
       ├─ ➕ record ─▶ unit ─▶ person ─▶ kind
       │              ├─ discipline ─▶ source ─▶ form ─▶ public duty ─▶ violation (typed,
       │              │               or one already recorded for the person) ─┐
       │              └─ a conclusion ─────────────────────────────────────────┤
       │                                          date (typed) ◀──────────────┘
       │                                          ─▶ number (typed) ─▶ confirm ─▶ recorded,
       │                                             the person and the head are told
       └─ 🗑 remove a mistake ─▶ entry ─▶ confirm ─▶ removed, the person and the head told

Only the director may use it. Each question's buttons act only while it is asked: a
button of another question is answered "not valid any more" with the question asked now.
Every entry and every removal goes to the audit log (`storage.conclusions`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from core.model import Level
from core.texts import level_name
from handlers import menu, menu_buttons, notices
from handlers.context import Context, reply, short_label, whole_number
from handlers.events import Button, Reply
from locales import N_, format_moment, name_sort_key, periods, text_sort_key, translations
from storage.conclusions import (
    DISCIPLINE,
    EARLIEST,
    FORM_NAMES,
    FORMS,
    KIND_NAMES,
    MAX_NUMBER,
    MAX_VIOLATION,
    SOURCE_NAMES,
    SOURCES,
    Entry,
    allowed_kinds,
    core_applies,
    duplicate_of,
    earlier_for_violation,
    entries_of_year,
    entry_by_tag,
    kind_of,
    parse_date,
    record,
    remove,
    tag_of,
    violations_of,
)
from storage.models import (
    Conclusion,
    DisciplineDecision,
    PeriodStatus,
    Person,
    Role,
    Unit,
)
from storage.people import active_people_of_unit, units_with_active_people
from storage.periods import period_by_code
from storage.queries import identities_of, period_code, reviewer_of, tracking_of

PREFIX = "cc"
MIN_VIOLATION = 3

# The decree's own words for each ground of D (NĐ 335 Điều 20 khoản 4; VIETNAMESE.md).
WORDING = {
    "degeneration": N_(
        "Concluded by the competent authority to show degeneration in political ideology, "
        "ethics or lifestyle, “self-evolution” or “self-transformation”"
    ),
    "party_prohibition": N_("Violated what Party members must not do"),
    "example_violation": N_("Violated the duty to set an example"),
    "unit_corruption": N_(
        "Embezzlement, corruption or waste was dealt with in the agency or unit they directly "
        "lead or manage"
    ),
}


# -- texts, in any language (the notices go in the recipient's) ------------------------------


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe(entry: Entry, language: str) -> str:
    """The entry in one line, named as the document names it (never by a code):
    "Khiển trách (kỷ luật hành chính), Quyết định số 12/QĐ-SNV ngày 05/11/2026; ..."."""
    _ = translations(language).gettext
    if isinstance(entry, DisciplineDecision):
        text = _("{form} ({source}), decision No. {number} of {date}").format(
            form=_capitalized(_(FORM_NAMES[entry.form])),
            source=_(SOURCE_NAMES[entry.source]),
            number=entry.number,
            date=_day(entry.dated),
        )
        if entry.violation:
            duty = (
                _("violation “{violation}”, related to public duty")
                if entry.public_duty
                else _("violation “{violation}”, outside public duty")
            )
        else:
            duty = (
                _("a violation related to public duty")
                if entry.public_duty
                else _("conduct outside public duty")
            )
        return text + "; " + duty.format(violation=entry.violation)
    return _("{kind}, document No. {number} of {date}").format(
        kind=_(KIND_NAMES[entry.kind]), number=entry.number, date=_day(entry.dated)
    )


def meaning(
    entry: Entry, language: str, earlier: DisciplineDecision | None, name: str | None
) -> str:
    """What the entry means for the rating, in the decree's words: the month and the year
    of its date at D; or why it changes nothing. `name`: of the person, when the reader is
    someone else (None: the person reads it)."""
    _ = translations(language).gettext
    if isinstance(entry, DisciplineDecision) and not entry.public_duty:
        text = (
            _("The decision concerns conduct outside public duty: it does not change your rating.")
            if name is None
            else _(
                "The decision concerns conduct outside public duty: it does not change the "
                "rating of {name}."
            )
        )
        return text.format(name=name)
    if earlier is not None:
        return _(
            "This violation was already disciplined by the decision of {date}; one violation "
            "counts once, so this decision does not change the rating again."
        ).format(date=_day(earlier.dated))
    if isinstance(entry, DisciplineDecision):
        ground = _(
            "A violation related to public duty was disciplined with {form} (decision of {date})."
        ).format(form=_(FORM_NAMES[entry.form]), date=_day(entry.dated))
    else:
        ground = _(WORDING[entry.kind]) + "."
    consequence = (
        _(
            "Under Decree 335/2025/NĐ-CP (Article 20, clause 4), your assessment of {period} "
            "and your quality rating of the year {year} are {level}, regardless of the "
            "score."
        )
        if name is None
        else _(
            "Under Decree 335/2025/NĐ-CP (Article 20, clause 4), the assessment of {period} "
            "and the quality rating of the year {year} of {name} are {level}, "
            "regardless of the score."
        )
    ).format(
        **periods(entry.dated.strftime("%Y-%m"), language),
        year=entry.dated.year,
        name=name,
        level=level_name(Level.NOT_COMPLETED, language),
    )
    return ground + "\n" + consequence


def _notice(session: Session, entry: Entry, person: Person, reader: Person, removed: bool) -> Reply:
    """The message to the person, or to the person's head, in the reader's language."""
    language = reader.language
    _ = translations(language).gettext
    about = None if reader.id == person.id else person.full_name
    if about is not None:
        unit = session.get(Unit, person.unit_id)
        about = f"{person.full_name} ({unit.name})"
    if removed:
        head = (
            _("Removed, as recorded by mistake: {entry}.")
            if about is None
            else _("Removed, as recorded by mistake, about {name}: {entry}.")
        )
        text = head.format(name=about, entry=describe(entry, language))
        return Reply(text + "\n" + _("It no longer counts in the rating."))
    head = (
        _("Recorded about you: {entry}.") if about is None else _("Recorded about {name}: {entry}.")
    )
    earlier = (
        earlier_for_violation(session, entry) if isinstance(entry, DisciplineDecision) else None
    )
    text = head.format(name=about, entry=describe(entry, language))
    return Reply(
        text + "\n" + meaning(entry, language, earlier, None if about is None else person.full_name)
    )


def announce(
    session: Session,
    entry: Entry,
    actor_id: int | None,
    not_before: datetime,
    removed: bool = False,
) -> tuple[list[Person], list[Person]]:
    """Tell the person and the person's head (their reviewer), through the outbox, that the
    entry was recorded (or removed); not the one who did it. Returns (told, without a
    registered chat)."""
    person = session.get(Person, entry.person_id)
    head = reviewer_of(session, person)
    readers = [person] + ([head] if head is not None and head.id != person.id else [])
    told, unreachable = [], []
    kind = "conclusion_removed" if removed else "conclusion"
    for reader in readers:
        if reader.id == actor_id:
            continue
        if not identities_of(session, reader.id):
            unreachable.append(reader)
            continue
        notices.deliver(
            session,
            reader.id,
            f"{kind}:{tag_of(entry)}:{reader.id}",
            _notice(session, entry, person, reader, removed),
            not_before,
        )
        told.append(reader)
    return told, unreachable


# -- the conversation ---------------------------------------------------------------------------


def start(ctx: Context) -> list[Reply]:
    """/conclusions: the entries of the year, to record or remove one."""
    if not _is_director(ctx):
        return [_refusal(ctx)]
    return [listing(ctx)]


def listing(ctx: Context, note: str | None = None, edit: bool = False) -> Reply:
    ctx.go(PREFIX, "list")
    year = ctx.local_now().year
    rows = _entries(ctx)
    lines = [note] if note else []
    if rows:
        lines.append(
            ctx._("Discipline decisions and conclusions of {year} ({count}):").format(
                year=year, count=len(rows)
            )
        )
        lines += [f"{n}. {_line(ctx, entry, person)}" for n, (entry, person) in enumerate(rows, 1)]
    else:
        lines.append(
            ctx._("No discipline decision or conclusion is recorded for {year}.").format(year=year)
        )
    buttons = [[Button(ctx._("➕ Record a decision or conclusion"), "cc:add")]]
    if rows:
        buttons.append([Button(ctx._("🗑 Remove an entry recorded by mistake"), "cc:rm")])
    return reply("\n".join(lines), *buttons, edit=edit)


def on_button(ctx: Context, parts: list[str]) -> list[Reply]:
    if not _is_director(ctx):
        ctx.go(None)
        return [_refusal(ctx)]
    match parts:
        case ["list"]:
            return [listing(ctx, edit=True)]
        case ["cancel"]:
            return [listing(ctx, note=ctx._("Cancelled; nothing was recorded or removed."))]
        case ["add"]:
            return [_ask_unit(ctx)]
        case ["rm"]:
            return [_ask_removal(ctx)]
    wanted = {
        "u": "unit",
        "p": "person",
        "k": "kind",
        "s": "source",
        "f": "form",
        "d": "duty",
        "v": "violation",
        "ok": "confirm",
        "rm": "rmlist",
        "rmok": "remove",
    }.get(parts[0] if parts else "")
    if wanted is None or len(parts) > 2:
        return [menu.not_understood(ctx)]
    if ctx.state.flow != PREFIX or ctx.state.step != wanted:
        return [reply(ctx._("This button is not valid any more.")), _current(ctx)]
    value = parts[1] if len(parts) == 2 else None
    match wanted:
        case "unit":
            unit = _unit(ctx, value)
            if unit is not None:
                return [_ask_person(ctx, unit)]
        case "person":
            person = _person(ctx, value, ctx.recall("unit"))
            if person is not None:
                ctx.go(PREFIX, "kind", unit=person.unit_id, person=person.id)
                return [_ask_kind(ctx, person)]
        case "kind":
            person = _chosen(ctx)
            if person is not None and value in allowed_kinds(person):
                ctx.remember(kind=value)
                if value == DISCIPLINE:
                    return [_ask(ctx, "source")]
                return [_ask(ctx, "date")]
        case "source" if value in SOURCES:
            ctx.remember(source=value)
            return [_ask(ctx, "form")]
        case "form" if value in FORMS.get(ctx.recall("source"), ()):
            ctx.remember(form=value)
            return [_ask(ctx, "duty")]
        case "duty" if value in ("0", "1"):
            ctx.remember(duty=value == "1")
            return [_ask(ctx, "violation")]
        case "violation":
            decision = _own_decision(ctx, value)
            if decision is not None:
                ctx.remember(violation=decision.violation)
                return [_ask(ctx, "date")]
        case "confirm" if value is None:
            return _record(ctx)
        case "rmlist":
            entry = entry_by_tag(ctx.session, ctx.person.organization_id, value or "")
            if entry is not None:
                return [_confirm_removal(ctx, entry)]
        case "remove" if value == ctx.recall("entry"):
            entry = entry_by_tag(ctx.session, ctx.person.organization_id, value or "")
            if entry is not None:
                return _remove(ctx, entry)
    return [reply(ctx._("This button is not valid any more.")), _current(ctx)]


def on_text(ctx: Context, text: str) -> list[Reply]:
    if not _is_director(ctx):
        ctx.go(None)
        return [_refusal(ctx)]
    step = ctx.state.step
    if step not in ("violation", "date", "number") or _chosen(ctx) is None:
        return [reply(ctx._("Please use the buttons.")), _current(ctx)]
    text = " ".join(text.split())
    if step == "violation":
        if not MIN_VIOLATION <= len(text) <= MAX_VIOLATION or not any(c.isalpha() for c in text):
            return [
                reply(
                    ctx._("Please describe the violation in {low} to {high} characters.").format(
                        low=MIN_VIOLATION, high=MAX_VIOLATION
                    )
                ),
                _ask(ctx, "violation"),
            ]
        ctx.remember(violation=text)
        return [_ask(ctx, "date")]
    if step == "date":
        day = parse_date(text) if len(text) <= 20 else None
        today = ctx.local_now().date()
        if day is None:
            return [
                reply(
                    ctx._("Please type the date as dd/mm/yyyy, for example {example}.").format(
                        example=_day(today)
                    )
                ),
                _ask(ctx, "date"),
            ]
        if not EARLIEST <= day <= today:
            return [
                reply(
                    ctx._(
                        "The date {date} is not possible: it must be between {earliest} and "
                        "today ({today})."
                    ).format(date=_day(day), earliest=_day(EARLIEST), today=_day(today))
                ),
                _ask(ctx, "date"),
            ]
        ctx.remember(date=day.isoformat())
        return [_ask(ctx, "number")]
    if not 1 <= len(text) <= MAX_NUMBER or not any(c.isalnum() for c in text):
        return [
            reply(
                ctx._(
                    "Please type the number as the document writes it, at most {limit} characters."
                ).format(limit=MAX_NUMBER)
            ),
            _ask(ctx, "number"),
        ]
    ctx.remember(number=text)
    entry = _pending(ctx)
    same = duplicate_of(ctx.session, entry)
    if same is not None:
        return [
            reply(
                ctx._(
                    "This number is already recorded for {name}: {entry}. An entry is never "
                    "changed: to correct it, remove it and record it again."
                ).format(name=_chosen(ctx).full_name, entry=describe(same, ctx.language))
            ),
            _ask(ctx, "number"),
        ]
    return [_confirm(ctx, entry)]


# -- questions ---------------------------------------------------------------------------------


def _cancel(ctx: Context) -> list[Button]:
    return [Button(ctx._("✖️ Cancel"), "cc:cancel")]


def _ask_unit(ctx: Context) -> Reply:
    ctx.go(PREFIX, "unit")
    units = units_with_active_people(ctx.session, ctx.person.organization_id)
    rows = [
        [Button(short_label(u.name), f"cc:u:{u.id}")]
        for u in sorted(units, key=lambda u: text_sort_key(u.name))
    ]
    return reply(ctx._("Record a decision or conclusion. Which unit?"), *rows, _cancel(ctx))


def _ask_person(ctx: Context, unit: Unit) -> Reply:
    ctx.go(PREFIX, "person", unit=unit.id)
    people = _people(ctx, unit.id)
    rows = [[Button(short_label(p.full_name), f"cc:p:{p.id}")] for p in people]
    return reply(
        ctx._("{unit}: who is it about?").format(unit=unit.name),
        *rows,
        [Button(ctx._("⬅️ Another unit"), "cc:add")],
        _cancel(ctx),
    )


def _ask_kind(ctx: Context, person: Person) -> Reply:
    rows = [[Button(ctx._(KIND_NAMES[k]), f"cc:k:{k}")] for k in allowed_kinds(person)]
    return reply(
        ctx._("{name}: what is to be recorded?").format(name=person.full_name), *rows, _cancel(ctx)
    )


def _ask(ctx: Context, step: str) -> Reply:
    """The question of a step after the kind (the answers so far are in the state)."""
    ctx.state.step = step
    person = _chosen(ctx)
    kind = ctx.recall("kind")
    if step == "source":
        rows = [[Button(_capitalized(ctx._(SOURCE_NAMES[s])), f"cc:s:{s}")] for s in SOURCES]
        return reply(
            ctx._("{name}: administrative or Party discipline?").format(name=person.full_name),
            *rows,
            _cancel(ctx),
        )
    if step == "form":
        rows = [
            [Button(_capitalized(ctx._(FORM_NAMES[f])), f"cc:f:{f}")]
            for f in FORMS[ctx.recall("source")]
        ]
        return reply(ctx._("The form of discipline:"), *rows, _cancel(ctx))
    if step == "duty":
        return reply(
            ctx._("Is the violation related to public duty?"),
            [Button(ctx._("Yes, in public duty"), "cc:d:1")],
            [Button(ctx._("No, outside public duty"), "cc:d:0")],
            _cancel(ctx),
        )
    if step == "violation":
        text = ctx._(
            "Which violation is it? Please describe it briefly, for example “Vi phạm quy định "
            "về quản lý hồ sơ cán bộ”."
        )
        rows = []
        seen = set()
        for decision in violations_of(ctx.session, person.id):
            if decision.violation in seen:
                continue
            seen.add(decision.violation)
            rows.append([Button(short_label(decision.violation), f"cc:v:{decision.id}")])
        if rows:
            text += "\n" + ctx._(
                "If a decision for the same violation is recorded already (a Party and an "
                "administrative decision for one violation count once), choose it:"
            )
        return reply(text, *rows, _cancel(ctx))
    if step == "date":
        question = (
            ctx._("The date of the decision (dd/mm/yyyy):")
            if kind == DISCIPLINE
            else ctx._("The date of the conclusion (dd/mm/yyyy):")
        )
        return reply(question, _cancel(ctx))
    question = (
        ctx._("The number of the decision, as written on it (for example 12/QĐ-SNV):")
        if kind == DISCIPLINE
        else ctx._("The number of the document that concludes it (for example 05-KL/UBKT):")
    )
    return reply(question, _cancel(ctx))


def _confirm(ctx: Context, entry: Entry) -> Reply:
    ctx.state.step = "confirm"
    person = _chosen(ctx)
    unit = ctx.session.get(Unit, person.unit_id)
    earlier = earlier_for_violation(ctx.session, entry) if kind_of(entry) == DISCIPLINE else None
    lines = [
        ctx._("Please check before recording:"),
        ctx._("Person: {name} ({unit})").format(name=person.full_name, unit=unit.name),
        describe(entry, ctx.language),
        meaning(entry, ctx.language, earlier, person.full_name),
    ]
    counts = earlier is None and (kind_of(entry) != DISCIPLINE or entry.public_duty)
    if counts and not core_applies(kind_of(entry)):
        lines.append(
            ctx._(
                "The classification rules in use do not apply this conclusion by themselves "
                "yet: until they do, the person's reviewer sets the level {level} in the review "
                "(/review), giving this conclusion as the reason."
            ).format(level=level_name(Level.NOT_COMPLETED, ctx.language))
        )
    elif counts:
        note = _period_note(ctx, entry.dated)
        if note:
            lines.append(note)
    return reply(
        "\n".join(lines),
        [Button(ctx._("✅ Record"), "cc:ok"), Button(ctx._("✖️ Cancel"), "cc:cancel")],
    )


def _record(ctx: Context) -> list[Reply]:
    entry = _pending(ctx)
    if entry is None:
        return [reply(ctx._("This button is not valid any more.")), _current(ctx)]
    if duplicate_of(ctx.session, entry) is not None:  # recorded meanwhile (an import)
        return [listing(ctx, note=ctx._("This entry is recorded already; nothing was changed."))]
    record(ctx.session, entry, ctx.person.id, ctx.now)
    person = ctx.session.get(Person, entry.person_id)
    told, unreachable = announce(ctx.session, entry, ctx.person.id, ctx.now)
    note = ctx._("Recorded: {name}, {entry}.").format(
        name=person.full_name, entry=describe(entry, ctx.language)
    )
    return [reply(note + _told(ctx, told, unreachable), edit=True), listing(ctx)]


def _ask_removal(ctx: Context) -> Reply:
    rows = _entries(ctx)
    if not rows:
        return listing(ctx)
    ctx.go(PREFIX, "rmlist")
    lines = [
        ctx._(
            "Which entry was recorded by mistake? Its removal is kept in the audit log, and "
            "the person and their head are told."
        )
    ]
    lines += [f"{n}. {_line(ctx, entry, person)}" for n, (entry, person) in enumerate(rows, 1)]
    buttons = [
        [Button(short_label(f"{n}. {person.full_name}"), f"cc:rm:{tag_of(entry)}")]
        for n, (entry, person) in enumerate(rows, 1)
    ]
    return reply("\n".join(lines), *buttons, _cancel(ctx))


def _confirm_removal(ctx: Context, entry: Entry) -> Reply:
    ctx.go(PREFIX, "remove", entry=tag_of(entry))
    person = ctx.session.get(Person, entry.person_id)
    recorder = ctx.session.get(Person, entry.recorded_by) if entry.recorded_by else None
    text = "\n".join(
        [
            ctx._("Remove this entry, recorded by mistake?"),
            _line(ctx, entry, person),
            (
                ctx._("Recorded at {time} by {who}.")
                if recorder
                else ctx._("Recorded at {time} from a file the administrator imported.")
            ).format(
                time=format_moment(entry.recorded_at, ctx.timezone, ctx.language),
                who=recorder.full_name if recorder else None,
            ),
        ]
    )
    return reply(
        text,
        [
            Button(ctx._("🗑 Remove"), f"cc:rmok:{tag_of(entry)}"),
            Button(ctx._("✖️ Cancel"), "cc:cancel"),
        ],
    )


def _remove(ctx: Context, entry: Entry) -> list[Reply]:
    person = ctx.session.get(Person, entry.person_id)
    remove(ctx.session, entry, ctx.person.id, ctx.now)
    told, unreachable = announce(ctx.session, entry, ctx.person.id, ctx.now, removed=True)
    note = ctx._("Removed: {name}, {entry}.").format(
        name=person.full_name, entry=describe(entry, ctx.language)
    )
    return [reply(note + _told(ctx, told, unreachable), edit=True), listing(ctx)]


def _current(ctx: Context) -> Reply:
    """The question the conversation is at, asked again."""
    step = ctx.state.step if ctx.state.flow == PREFIX else None
    person = _chosen(ctx)
    if step == "unit":
        return _ask_unit(ctx)
    if step == "person":
        unit = _unit(ctx, str(ctx.recall("unit")))
        return _ask_person(ctx, unit) if unit is not None else _ask_unit(ctx)
    if step == "kind" and person is not None:
        return _ask_kind(ctx, person)
    if step in ("source", "form", "duty", "violation", "date", "number") and person is not None:
        return _ask(ctx, step)
    if step == "confirm" and _pending(ctx) is not None:
        return _confirm(ctx, _pending(ctx))
    if step == "rmlist":
        return _ask_removal(ctx)
    if step == "remove":
        entry = entry_by_tag(ctx.session, ctx.person.organization_id, ctx.recall("entry") or "")
        if entry is not None:
            return _confirm_removal(ctx, entry)
    return listing(ctx)


# -- helpers -----------------------------------------------------------------------------------


def _is_director(ctx: Context) -> bool:
    return ctx.person is not None and ctx.person.role is Role.DIRECTOR


def _refusal(ctx: Context) -> Reply:
    return reply(
        ctx._(
            "/conclusions is for the head of the organization, to record discipline decisions "
            "and conclusions; nothing was changed."
        ),
        *menu_buttons.buttons(ctx),
    )


def _entries(ctx: Context) -> list[tuple[Entry, Person]]:
    """The entries of the year (dated in it, or recorded since it began)."""
    local = ctx.local_now()
    year_start = datetime(local.year, 1, 1, tzinfo=ctx.timezone)
    return entries_of_year(ctx.session, ctx.person.organization_id, local.year, year_start)


def _line(ctx: Context, entry: Entry, person: Person) -> str:
    unit = ctx.session.get(Unit, person.unit_id)
    return f"{person.full_name} ({unit.name}): {describe(entry, ctx.language)}"


def _people(ctx: Context, unit_id: int) -> list[Person]:
    people = active_people_of_unit(ctx.session, ctx.person.organization_id, unit_id)
    return sorted(people, key=lambda p: name_sort_key(p.full_name))


def _unit(ctx: Context, value: str | None) -> Unit | None:
    unit = ctx.session.get(Unit, whole_number(value)) if whole_number(value) is not None else None
    if unit is None or unit.organization_id != ctx.person.organization_id:
        return None
    return unit


def _person(ctx: Context, value: str | None, unit_id: int | None) -> Person | None:
    key = whole_number(value)
    person = ctx.session.get(Person, key) if key is not None else None
    if (
        person is None
        or person.organization_id != ctx.person.organization_id
        or not person.active
        or person.unit_id != unit_id
    ):
        return None
    return person


def _chosen(ctx: Context) -> Person | None:
    """The person the entry being recorded is about (still of the organization, active)."""
    key = ctx.recall("person")
    person = ctx.session.get(Person, key) if isinstance(key, int) else None
    if person is None or person.organization_id != ctx.person.organization_id or not person.active:
        return None
    return person


def _own_decision(ctx: Context, value: str | None) -> DisciplineDecision | None:
    """A decision in force about the chosen person that names a violation."""
    person = _chosen(ctx)
    key = whole_number(value)
    if person is None or key is None:
        return None
    return next((d for d in violations_of(ctx.session, person.id) if d.id == key), None)


def _pending(ctx: Context) -> Entry | None:
    """The entry the answers so far describe (not in the database), or None."""
    person = _chosen(ctx)
    kind, number = ctx.recall("kind"), ctx.recall("number")
    dated = ctx.recall("date")
    if person is None or kind not in allowed_kinds(person) or not number or not dated:
        return None
    day = date.fromisoformat(dated)
    if kind != DISCIPLINE:
        return Conclusion(person_id=person.id, kind=kind, dated=day, number=number)
    source, form = ctx.recall("source"), ctx.recall("form")
    if source not in SOURCES or form not in FORMS[source] or ctx.recall("duty") is None:
        return None
    return DisciplineDecision(
        person_id=person.id,
        form=form,
        dated=day,
        source=source,
        violation=ctx.recall("violation"),
        public_duty=bool(ctx.recall("duty")),
        number=number,
    )


def _period_note(ctx: Context, day: date) -> str | None:
    """Whether the month of the entry's date is still to be computed: published results
    are not computed again; after the run, the results are computed again before
    publication."""
    period = period_by_code(
        ctx.session, ctx.person.organization_id, period_code(day, tracking_of(ctx.organization))
    )
    if period is None:
        return None
    if period.status is PeriodStatus.PUBLISHED:
        return ctx._(
            "The results of {period} are published already; published results are not "
            "computed again."
        ).format(**periods(period.code, ctx.language))
    if period.run.get("at") and period.publish_at is not None:
        return ctx._(
            "The results are computed again with it before they are published at {time}."
        ).format(time=format_moment(period.publish_at, ctx.timezone, ctx.language))
    return None


def _told(ctx: Context, told: list[Person], unreachable: list[Person]) -> str:
    text = ""
    if told:
        text += "\n" + ctx._("Told now: {names}.").format(
            names=", ".join(p.full_name for p in told)
        )
    if unreachable:
        text += "\n" + ctx._("Not registered with the bot, so not told: {names}.").format(
            names=", ".join(p.full_name for p in unreachable)
        )
    return text
