"""Thousands of random events through `handle()` over a whole month, as staff, a head, the
director and a stranger would send them — texts of any kind, commands, and button payloads
both real and forged (ids of other people's rows, huge numbers, digits that are not ASCII).

After every event: it was answered; nothing failed inside (no error logged, no "nothing
was saved" answer); nobody's data changed but what the sender may change (their own
answers; a reviewer's decisions on the submissions they review; the director's discipline
decisions and conclusions); the results were not touched; and every change of a score, a
level or a decision, every entry recorded or removed, is in the audit log.
"""

from __future__ import annotations

import itertools
import logging
import os
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select

from cycle.steps import tick
from handlers.dispatcher import COMMANDS, ChatSettings, handle
from handlers.events import Incoming
from storage.db import transaction
from storage.models import (
    AuditLog,
    Conclusion,
    DisciplineDecision,
    Identity,
    Initiative,
    Organization,
    Period,
    PeriodStatus,
    Person,
    Result,
    Review,
    Role,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskOutcome,
    Unit,
)
from tests.chat import Chat, add_people, copy_of, database

PEOPLE = [  # code, name, unit, role
    ("gd01", "Ngô Thị Hương", "bgd", Role.DIRECTOR),
    ("tp01", "Nguyễn Văn Hùng", "tc", Role.HEAD),
    ("nv01", "Trần Thị Mai", "tc", Role.STAFF),
    ("nv02", "Lê Minh Tuấn", "tc", Role.STAFF),
]
REVIEWER = {"nv01": "tp01", "nv02": "tp01", "tp01": "gd01"}
CHATS = {"gd01": "701", "tp01": "702", "nv01": "703", "nv02": "704", "stranger": "799"}


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour - 7, tzinfo=UTC)


# The month's phases, in order: (the moment events happen, the moments the cycle ticks
# at before it). November 2026: opening 26/11, deadline 30/11 17:00, heads' reviews by
# 2/12, the run 4/12 17:00, publication 7/12 09:00.
PHASES = [
    ("planning", at(20, 10), []),
    ("open", at(27, 10), [at(26, 8), at(27, 8)]),
    ("heads' review", at(1, 10, 12), [at(30, 17)]),
    ("director's review", at(3, 10, 12), [at(2, 17, 12)]),
    ("after the run", at(5, 10, 12), [at(4, 17, 12)]),
    ("published", at(8, 10, 12), [at(7, 9, 12)]),
]


# Who is busy in each phase (weights of gd01, tp01, nv01, nv02, the stranger).
BUSY = {
    "planning": (1, 2, 3, 3, 1),
    "open": (1, 2, 4, 4, 1),
    "heads' review": (1, 5, 2, 2, 1),
    "director's review": (4, 3, 1, 1, 1),
    "after the run": (3, 3, 1, 1, 1),
    "published": (1, 1, 2, 2, 1),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Engine:
    """A migrated database with the organization and everyone registered, made once."""
    folder = tmp_path_factory.mktemp("month")
    engine = database(folder)
    with transaction(engine) as s:
        org = Organization(code="so-x", name="Sở Nội vụ tỉnh X")
        s.add(org)
        s.flush()
        units = {
            "bgd": Unit(organization_id=org.id, code="bgd", name="Ban Giám đốc"),
            "tc": Unit(organization_id=org.id, code="to-chuc", name="Phòng Tổ chức"),
        }
        group = RoleGroup(organization_id=org.id, code="cv", name="Chuyên viên")
        s.add_all([*units.values(), group])
        s.flush()
        period = Period(organization_id=org.id, code="2026-11", status=PeriodStatus.PLANNING)
        s.add(period)
        s.flush()
        people = [(code, name, units[unit].id, group.id, role) for code, name, unit, role in PEOPLE]
        made = add_people(s, org.id, people, period.id, invited_at=at(20, 8))
        codes = {code: invite for code, (_, invite) in made.items()}
    for code, chat_id in CHATS.items():
        if code != "stranger":
            Chat(engine, chat_id=chat_id, now=at(20, 9)).send(f"/start {codes[code]}")
    engine.dispose()
    return engine


# -- the events ----------------------------------------------------------------------------

WORDS = [
    "start",
    "c",
    "t",
    "d",
    "x",
    "p",
    "skip",
    "rma",
    "rmi",
    "back",
    "next",
    "sum",
    "edit",
    "go",
    "submit",
    "list",
    "menu",
    "add",
    "due",
    "end",
    "none",
    "w",
    "field",
    "title",
    "del",
    "delok",
    "ok",
    "lv",
    "set",
    "ret",
    "i",
    "star",
    "g",
    "gk",
    "gs",
    "rk",
    "open",
    "politics_ethics_culture",
    "competence",
    "discipline",
    "responsibility",
    "service",
    "innovation",
    "A",
    "B",
    "C",
    "D",
    "E",
    "e",
    "o",
    "l",
    "n",
    "adhoc",
    "init",
    "prop",
    "why",
    "lang",
    "vi",
    "en",
    "help",
    "result",
    "show",
    "status",
    "u",
    "k",
    "s",
    "f",
    "v",
    "rm",
    "rmok",
    "cancel",
    "discipline",
    "degeneration",
    "unit_corruption",
    "reprimand",
    "expulsion",
    "admin",
    "party",
]
PIECE = st.one_of(
    st.sampled_from(WORDS),
    st.integers(0, 40).map(str),  # ids of real rows, anyone's
    st.integers(2**62, 2**80).map(str),
    st.text(alphabet="0123456789²①٣₅", min_size=1, max_size=4),
    st.text(max_size=6),
)
ID = st.integers(1, 12).map(str)
KEY = st.sampled_from(["politics_ethics_culture", "discipline", "competence", "initiative", "nope"])
LEVEL = st.sampled_from(["A", "B", "C", "D", "Z"])
# buttons as the screens make them, with ids that may be anyone's
PLAUSIBLE = st.one_of(
    st.builds("rv:{}:{}".format, st.sampled_from(["ok", "lv", "ret", "g", "star", "back"]), ID),
    st.builds("rv:{}:{}".format, st.sampled_from(["open", "x", "i", "rk"]), ID),
    st.builds("rv:set:{}:{}".format, ID, LEVEL),
    st.builds("rv:gk:{}:{}".format, ID, KEY),
    st.builds("rv:gs:{}:{}:{}".format, ID, KEY, st.sampled_from(["0", "1.5", "2.5", "5", "7"])),
    st.just("rv:next"),
    st.builds(
        "as:c:{}:{}".format, KEY, st.sampled_from(["0", "0.5", "2.5", "4.5", "5", "6", "2.25"])
    ),
    st.builds("as:t:{}:{}".format, ID, st.sampled_from(["e", "o", "l", "n", "q"])),
    st.builds("as:d:{}:{}".format, ID, st.integers(0, 5)),
    st.builds("as:p:{}".format, LEVEL),
    st.builds("as:{}:{}".format, st.sampled_from(["rma", "rmi", "skip", "go"]), ID),
    st.sampled_from(["as:start", "as:sum", "as:edit", "as:next", "as:back", "as:submit"]),
    st.sampled_from(["as:skip:adhoc", "as:skip:init", "as:go:prop", "mn:lang:en", "mn:lang:vi"]),
    st.sampled_from(["mn:year", "mn:forms"]),
    st.builds("pl:{}:{}".format, st.sampled_from(["edit", "del", "delok", "w", "due"]), ID),
    st.sampled_from(["pl:add", "pl:list", "pl:menu", "pl:due:end", "pl:due:none", "pl:w:1"]),
    st.builds("ag:{}:{}".format, st.sampled_from(["to", "pick"]), ID),
    st.sampled_from(["ag:start", "ag:free", "ag:cancel", "ag:due:end", "ag:due:none", "ag:w:1"]),
    st.builds("as:pick:{}".format, ID),
    st.sampled_from(["as:free", "as:ac"]),
    st.builds("cc:{}:{}".format, st.sampled_from(["u", "p", "v", "d"]), ID),
    st.builds("cc:rm:{}{}".format, st.sampled_from(["d", "c", "x"]), ID),
    st.builds("cc:rmok:{}{}".format, st.sampled_from(["d", "c"]), ID),
    st.builds(
        "cc:k:{}".format,
        st.sampled_from(["discipline", "degeneration", "unit_corruption", "party_prohibition"]),
    ),
    st.builds("cc:f:{}".format, st.sampled_from(["reprimand", "expulsion", "demotion"])),
    st.sampled_from(["cc:add", "cc:list", "cc:rm", "cc:ok", "cc:cancel", "cc:s:admin"]),
)
PAYLOAD = st.one_of(
    PLAUSIBLE,
    PLAUSIBLE,
    st.builds(
        lambda prefix, parts: ":".join([prefix, *parts]),
        st.sampled_from(["as", "pl", "rv", "mn", "rs", "cc", "xx"]),
        st.lists(PIECE, max_size=4),
    ),
    st.text(max_size=64),
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from([*COMMANDS, "/start", "/start ABCD2345", "/xyz", "6", "0", "99", "25/11"]),
    st.sampled_from(["05/11/2026", "31/12/2026", "12/QĐ-SNV", "Vi phạm quy định về hồ sơ"]),
    st.text(alphabet="0123456789²①,./", max_size=8),
    st.just("Đề nghị bổ sung hồ sơ minh chứng kết quả thực hiện nhiệm vụ"),
    st.just("x" * 2500),
)
EVENT = st.tuples(
    st.sampled_from(list(CHATS)),
    st.one_of(st.tuples(st.just("text"), TEXT), st.tuples(st.just("payload"), PAYLOAD)),
)
_updates = itertools.count(1)


# -- what may change -----------------------------------------------------------------------


def snapshot(engine) -> dict:
    """Everything a person's events could change, keyed by owner and audited field."""
    with Session(engine) as s:
        owner = {p.id: p.code for p in s.exec(select(Person))}
        of_assessment = {a.id: owner[a.person_id] for a in s.exec(select(SelfAssessment))}
        data: dict = {}
        for a in s.exec(select(SelfAssessment)):
            who = owner[a.person_id]
            for key, value in a.general.items():
                data[(who, "self_assessment", a.id, f"general.{key}")] = value
            data[(who, "self_assessment", a.id, "proposed_level")] = a.proposed_level
            if a.status.value != "draft":
                data[(who, "self_assessment", a.id, "status")] = a.status.value
        for o in s.exec(select(TaskOutcome)):
            who = of_assessment[o.assessment_id]
            data[(who, "task_outcome", o.id, "status")] = o.status
            if o.delays:
                data[(who, "task_outcome", o.id, "delays")] = o.delays
            if o.explanation_status != "none":
                data[(who, "task_outcome", o.id, "explanation_status")] = o.explanation_status
        for i in s.exec(select(Initiative)):
            if i.approved is not None:
                data[(of_assessment[i.assessment_id], "initiative", i.id, "approved")] = i.approved
        for r in s.exec(select(Review)):
            who = of_assessment[r.assessment_id]
            for name in ("decision", "level", "rank"):
                if getattr(r, name) is not None:
                    data[(who, "review", r.assessment_id, f"{r.stage}.{name}")] = getattr(r, name)
            if r.exemplary:
                data[(who, "review", r.assessment_id, f"{r.stage}.exemplary")] = True
            for key, value in r.general.items():
                data[(who, "review", r.assessment_id, f"{r.stage}.general.{key}")] = value
        data["results"] = sorted((r.person_id, r.level, r.score) for r in s.exec(select(Result)))
        data["identities"] = sorted((i.platform, i.user_id) for i in s.exec(select(Identity)))
        data["tasks"] = {
            (owner[t.person_id], t.id, t.title, t.weight, t.deadline, owner.get(t.assigned_by))
            for t in s.exec(select(Task))
        }
        for table, entity in (
            (DisciplineDecision, "discipline_decision"),
            (Conclusion, "conclusion"),
        ):
            for entry in s.exec(select(table)):
                who = owner[entry.person_id]
                data[(who, entity, entry.id, "recorded")] = entry.recorded_at
                if entry.removed_at is not None:
                    data[(who, entity, entry.id, "removed")] = entry.removed_at
        data["audit"] = s.exec(select(AuditLog.id).order_by(AuditLog.id.desc())).first() or 0
    return data


def allowed(actor: str, who: str, entity: str, field: str) -> bool:
    """May `actor` change this field of `who`'s submission? The person their own answers;
    the reviewer the review, a return for correction, the acceptance of an explanation or
    an initiative; the director also the ranking of people tied across reviewers, and the
    discipline decisions and conclusions of anyone."""
    if entity in ("discipline_decision", "conclusion"):
        return actor == "gd01"
    if actor == who:
        return entity in ("self_assessment", "task_outcome", "initiative")
    if REVIEWER.get(who) == actor:
        return entity == "review" or field in ("status", "explanation_status", "approved")
    return actor == "gd01" and entity == "review" and field.endswith(".rank")


def check(engine, actor: str, before: dict, after: dict, replies) -> None:
    assert replies, f"{actor}: no answer"
    assert all(r.text or r.document or r.commands is not None for r in replies)
    assert after["results"] == before["results"], "a result changed outside the cycle"
    if actor == "stranger":
        assert after["identities"] == before["identities"]
    changed = {
        key
        for key in (set(before) | set(after)) - {"results", "identities", "tasks", "audit"}
        if before.get(key) != after.get(key)
    }
    for who, entity, _, field in changed:
        assert allowed(actor, who, entity, field), f"{actor} changed {who}'s {entity}.{field}"
    for who, *_, assigned_by in {t for t in after["tasks"] ^ before["tasks"]}:
        # a person's own tasks, or one their reviewer assigned them (`/assign`)
        by_reviewer = assigned_by == actor and REVIEWER.get(who) == actor
        assert who == actor or by_reviewer, f"{actor} changed a task of {who}"
    with Session(engine) as s:
        logged = {
            (e.entity, e.entity_id, e.field)
            for e in s.exec(select(AuditLog).where(AuditLog.id > before["audit"]))
        }
    for _, entity, entity_id, field in changed:
        assert (entity, entity_id, field) in logged, f"{entity} {entity_id} {field} not audited"


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# -- the property ----------------------------------------------------------------------------


@settings(
    max_examples=int(os.environ.get("RANDOM_EVENTS_EXAMPLES", "15")),  # more: a deeper search
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_random_events_over_a_month_are_answered_and_change_only_what_they_may(
    template, tmp_path_factory, data
):
    """Each actor taps the buttons the bot last showed them (as a person does, in any
    order, old messages included) or sends anything else: texts, commands, forged
    payloads; in each phase of the month."""
    engine = copy_of(template, tmp_path_factory.mktemp("run"))
    errors = Errors()
    logging.getLogger("handlers").addHandler(errors)
    shown: dict[str, list[str]] = {actor: [] for actor in CHATS}  # buttons seen, newest last
    latest: dict[str, list[str]] = {actor: [] for actor in CHATS}  # of the last answer
    rnd = data.draw(st.randoms(use_true_random=False), label="taps")
    try:
        for name, moment, ticks in PHASES:
            for step_time in ticks:
                tick(engine, step_time)
            if name == "open":  # one staff member submits, so the reviews have work
                _submit(engine, moment)
            for _ in range(rnd.randint(40, 80)):
                actor = rnd.choices(list(CHATS), weights=BUSY[name])[0]
                if rnd.random() < 0.75 and shown[actor]:
                    # a tap on a button of the last screen, sometimes of an older one
                    offered = latest[actor] if rnd.random() < 0.7 else shown[actor][-12:]
                    kind, content = "payload", rnd.choice(offered or shown[actor])
                else:
                    kind, content = data.draw(EVENT, label="event")[1]
                before = snapshot(engine)
                incoming = Incoming(
                    platform="test",
                    chat_id=CHATS[actor],
                    user_id=CHATS[actor],
                    update_id=f"u{next(_updates)}",
                    text=content if kind == "text" else None,
                    payload=content if kind == "payload" else None,
                    message_id=3 if kind == "payload" else None,
                )
                replies = handle(engine, incoming, ChatSettings(), now=moment)
                assert not errors.records, errors.records[0].getMessage()
                assert not any("chưa được lưu" in r.text for r in replies), (actor, content)
                check(engine, actor, before, snapshot(engine), replies)
                latest[actor] = [b.payload for r in replies for row in r.buttons for b in row]
                shown[actor] += latest[actor]
    finally:
        logging.getLogger("handlers").removeHandler(errors)
        engine.dispose()


def _submit(engine, moment: datetime) -> None:
    """nv01 answers every question (whatever the random taps of the planning phase made of
    the plan) and submits, proposing D so that no reason is asked."""
    chat = Chat(engine, chat_id=CHATS["nv01"], now=moment)
    chat._handle(payload="mn:lang:vi")  # a random tap may have chosen English
    chat.send("/assess")
    for _ in range(100):
        labels = chat.labels()
        if "✅ Gửi tự đánh giá" in labels:
            if "🎯 Đề xuất mức xếp loại" in labels and "Mức đề xuất" not in chat.text:
                chat.press("Đề xuất mức")
                chat.press("(D)")
                continue
            chat.press("Gửi tự đánh giá")
            break
        if "Không hoàn thành" in labels:
            chat.press("Hoàn thành đúng tiến độ")
        elif any(label.isdigit() for label in labels):
            chat.press(next(label for label in labels if label.isdigit()))
        elif "Không có ➡️" in labels or "Không còn ➡️" in labels:
            chat.press("➡️")
        else:
            chat.press("Tiếp tục")
    assert "Đã gửi bản tự đánh giá" in chat.text, chat.text
