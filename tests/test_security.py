"""Secrets stay secret: with every log line captured (DEBUG, the libraries' too), a bot
serving each messenger through `bot.app.run` — starting, answering, failing calls that
are retried — never writes its token, nor the token's secret part, into a log line or
into the error kept on an outbox row, nor into a line of LOG_FORMAT=json (its tracebacks
included)."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from bot.app import run
from bot.config import Settings
from bot.logs import formatter
from cycle.steps import tick
from handlers.dispatcher import COMMANDS, FLOWS, ChatSettings, handle
from handlers.events import Incoming
from handlers.menu import failed
from handlers.registration import MAX_FAILURES
from storage.db import transaction
from storage.models import (
    AssessmentStatus,
    Initiative,
    Organization,
    OutboxMessage,
    Period,
    PeriodStatus,
    Person,
    Review,
    Role,
    RoleGroup,
    SelfAssessment,
    Task,
    TaskKind,
    TaskOutcome,
    Unit,
)
from tests.chat import NOW, Chat, add_people, database, small_organization
from tests.fake_telegram import FakeTelegram, fake_telegram_fixture  # noqa: F401
from tests.fake_zalo import FakeZalo, fake_zalo_fixture  # noqa: F401


async def _serve_and_fail(settings: Settings, engine, server, say) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run(engine, settings, with_cycle=False, stop=stop))
    try:
        await server.wait_for_call("getUpdates", timeout=10, **_unaccepted(server))
        server.fail_next("sendMessage", status=502, times=2)  # retried, with its error logged
        say("xin chào")
        await server.wait_for_call("sendMessage", timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=60)


def _unaccepted(server) -> dict:
    return {"accepted": False} if isinstance(server, FakeZalo) else {}


@pytest.mark.parametrize("messenger", ["aiogram", "ptb", "zalo"])
async def test_no_log_line_holds_the_token(messenger, fake_telegram, fake_zalo, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    engine = database(tmp_path)
    if messenger == "zalo":
        server = fake_zalo
        settings = Settings(
            ZALO_BOT_TOKEN=server.token,
            ZALO_API_URL=server.base_url,
            DATABASE_URL=str(engine.url),
        )
        say = lambda text: server.send_text("e4ea2cd5189df1c3a88c", text)  # noqa: E731
    else:
        server = fake_telegram
        settings = Settings(
            BOT_TOKEN=server.token,
            TELEGRAM_API_URL=server.base_url,
            DATABASE_URL=str(engine.url),
            MESSENGERS=messenger,
        )
        say = lambda text: server.send_text(9001, text)  # noqa: E731
    await _serve_and_fail(settings, engine, server, say)

    logged = "\n".join(r.getMessage() for r in caplog.records)
    as_json = [formatter("json").format(r) for r in caplog.records]  # LOG_FORMAT=json
    assert all(json.loads(line)["message"] == r.getMessage()
               for line, r in zip(as_json, caplog.records, strict=True))  # fmt: skip
    with Session(engine) as session:  # the error kept on the row, which admins see
        kept = [r.last_error for r in session.exec(select(OutboxMessage)) if r.last_error]
    assert kept and ("502" in kept[0] or "Bad Gateway" in kept[0])
    secret = server.token.split(":", 1)[1]
    for text in (logged, *as_json, *kept):
        assert server.token not in text and secret not in text


# -- what a chat may do, by who is in it ------------------------------------------------------
#
# Sở An ninh (November 2026, the default calendar: the self-assessment opens 26/11 08:00,
# deadline 30/11 17:00, heads' reviews by 2/12 17:00). Phòng Tổ chức: the head tp01, staff
# a1 and a2; Phòng Kế hoạch: the head tp02, staff b1; the director gd01. September is
# published: a2 has a task and a submission there. b1 reported a task as beyond their
# ability (it can be handed over by tp02 or the director only).

PEOPLE = [  # code, name, unit, role
    ("gd01", "Ngô Thị Hương", "bgd", Role.DIRECTOR),
    ("tp01", "Nguyễn Văn Hùng", "tc", Role.HEAD),
    ("a1", "Trần Thị Mai", "tc", Role.STAFF),
    ("a2", "Lê Minh Tuấn", "tc", Role.STAFF),
    ("tp02", "Phạm Quốc Bảo", "kh", Role.HEAD),
    ("b1", "Vũ Thị Lan", "kh", Role.STAFF),
]
REASON = "Nhiệm vụ cần chuyên môn kế toán, tôi chưa được đào tạo"
EXPLANATION = "Chờ ý kiến thẩm định của Sở Tài chính về kinh phí"
# What a chat may change without it being a change of anyone's data: the mark of a
# processed update, where the chat's conversation stands, the numbered menu last shown,
# and when the person last wrote from this chat.
BOOKKEEPING = {"processed_update", "conversation_state", "chat_menu", "identity.last_seen_at"}


def at(day: int, hour: int, month: int = 11) -> datetime:
    """A Hà Nội wall-clock time of 2026 (hour 7 or later), in UTC."""
    return datetime(2026, month, day, hour - 7, tzinfo=UTC)


class Agency:
    """The organization above, everyone registered, and the ids payloads name."""

    def __init__(self, tmp_path) -> None:
        self.engine = database(tmp_path)
        with transaction(self.engine) as s:
            org = Organization(code="so-an-ninh", name="Sở An ninh", ruleset="agency-monthly")
            s.add(org)
            s.flush()
            units = {
                code: Unit(organization_id=org.id, code=code, name=name)
                for code, name in [
                    ("bgd", "Ban Giám đốc"),
                    ("tc", "Phòng Tổ chức"),
                    ("kh", "Phòng Kế hoạch"),
                ]
            }
            group = RoleGroup(organization_id=org.id, code="cv", name="Chuyên viên")
            s.add_all([*units.values(), group])
            s.flush()
            september = Period(
                organization_id=org.id, code="2026-09", status=PeriodStatus.PUBLISHED
            )
            november = Period(
                organization_id=org.id,
                code="2026-11",
                status=PeriodStatus.PLANNING,
                plan_until=at(6, 17),
            )
            s.add_all([september, november])
            s.flush()
            people = [(c, name, units[u].id, group.id, role) for c, name, u, role in PEOPLE]
            made = add_people(s, org.id, people, november.id, invited_at=at(1, 8))
            codes = {code: invite for code, (_, invite) in made.items()}
            a2 = made["a2"][0]
            old = Task(person_id=a2.id, period_id=september.id, title="Nhiệm vụ tháng 9")
            done = SelfAssessment(
                person_id=a2.id,
                period_id=september.id,
                status=AssessmentStatus.SUBMITTED,
                general={"discipline": 5},
            )
            s.add_all([old, done])
            s.flush()
            s.add(TaskOutcome(assessment_id=done.id, task_id=old.id, status="on_time"))
        self.chats = {}
        for number, (code, *_) in enumerate(PEOPLE, start=1):
            chat = Chat(self.engine, chat_id=str(600 + number), now=at(2, 9))
            chat.send(f"/start {codes[code]}")
            assert "đã được đăng ký" in chat.text, chat.text
            self.chats[code] = chat

    def id_of(self, model, **where) -> int:
        with Session(self.engine) as s:
            query = select(model.id)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return s.exec(query.order_by(model.id)).first()

    def person(self, code: str) -> int:
        return self.id_of(Person, code=code)

    def tick(self, moment: datetime) -> None:
        tick(self.engine, moment)

    def report(self, code: str, number: int, when: datetime) -> None:
        """`code` reports planned task `number` as beyond their ability."""
        chat = self.chats[code]
        chat.now = when
        chat.send("/plan")
        chat.press(f"Không đủ khả năng: nhiệm vụ {number}")
        chat.send(REASON)
        assert "Đã ghi nhận" in chat.text, chat.text

    def assess(self, code: str, when: datetime, rich: bool = False) -> None:
        """`code` submits: task 1 not done (explained), an ad-hoc task and an initiative
        when `rich`; every task done on time otherwise."""
        chat = self.chats[code]
        chat.now = when
        chat.send("/assess")
        chat.score_all()
        if rich:
            chat.press("Không hoàn thành")
            chat.send(EXPLANATION)
        else:
            chat.press("Hoàn thành đúng tiến độ")
        chat.press("Hoàn thành đúng tiến độ")
        if rich:
            chat.send("Soạn thảo công văn trả lời kiến nghị của cử tri")
            chat.press("Hoàn thành vượt mức")
            chat.press("Không còn")
            chat.send("Đề xuất số hóa hồ sơ thi đua khen thưởng")
            chat.press("Không còn")
        else:
            chat.press("Không có")
            chat.press("Không có")
        chat.press("Đề xuất mức")
        chat.press("(C)")
        chat.press("Gửi")
        assert "Đã gửi bản tự đánh giá" in chat.text, chat.text


def snapshot(engine, ignore=BOOKKEEPING) -> dict[str, list[tuple]]:
    """Every row of every table, but for the bookkeeping named in `ignore` ("table" or
    "table.column")."""
    with Session(engine) as s:
        tables = {}
        for table in SQLModel.metadata.sorted_tables:
            if table.name in ignore:
                continue
            columns = [c for c in table.columns if f"{table.name}.{c.name}" not in ignore]
            rows = s.execute(sa_select(*columns)).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@pytest.fixture
def agency(tmp_path) -> Agency:
    return Agency(tmp_path)


def opened(agency: Agency) -> Agency:
    """b1 reported task 1; the self-assessment opened; a1 (richly) and b1 submitted; a2
    and tp02 have begun theirs."""
    agency.report("b1", 1, at(20, 10))
    agency.tick(at(26, 8))
    agency.assess("a1", at(26, 10), rich=True)
    agency.assess("b1", at(26, 11))
    for code in ("a2", "tp02"):
        chat = agency.chats[code]
        chat.now = at(26, 12)
        chat.send("/assess")
        chat.score_all()
        chat.press("Hoàn thành đúng tiến độ")
        chat.press("Hoàn thành đúng tiến độ")
        assert "Không có" in chat.labels()[-1]  # at the ad-hoc tasks: "as:rma" answers it
    return agency


def in_review(agency: Agency) -> Agency:
    """Past the deadline: the heads review (December has begun)."""
    agency.tick(at(30, 17))
    agency.tick(at(1, 9, month=12))
    for chat in agency.chats.values():
        chat.now = at(1, 10, month=12)
    return agency


def crafted(agency: Agency) -> dict[str, list[str]]:
    """Button payloads of every flow, naming rows that are not the presser's to act on:
    a1's submission, tasks, outcome and initiative; b1's reported task; a2's September."""
    a, i = agency, agency.id_of  # a row not there yet gives no payload
    mine = a.id_of(SelfAssessment, person_id=a.person("a1"))
    task = i(Task, person_id=a.person("a1"))
    ad_hoc = i(Task, person_id=a.person("a1"), kind=TaskKind.AD_HOC)
    outcome = i(TaskOutcome, assessment_id=mine, status="not_done")
    initiative = i(Initiative, assessment_id=mine)
    reported = i(Task, person_id=a.person("b1"), position=1)
    september = i(Period, code="2026-09")
    old_task = i(Task, period_id=september)
    old = i(SelfAssessment, period_id=september)
    unit = i(Unit, code="tc")
    payloads = {  # "as" first: a2 is at its ad-hoc tasks, which "as:rma" answers
        "as": [
            f"as:rma:{task}",
            f"as:t:{task}:n",
            f"as:d:{task}:2",
            f"as:rma:{ad_hoc}",
            f"as:rmi:{initiative}",
            f"as:go:t:{task}",
            f"as:t:{old_task}:n",
            f"as:go:t:{old_task}",
        ],
        "rv": [
            *(
                f"rv:{action}:{submission}"
                for submission in (mine, old)
                for action in ("open", "ok", "lv", "ret", "g", "star", "back", "rk")
            ),
            f"rv:set:{mine}:D",
            f"rv:gk:{mine}:discipline",
            f"rv:gs:{mine}:discipline:0",
            f"rv:lead:{mine}:dd:0.5",
            f"rv:x:{outcome}",
            f"rv:i:{initiative}",
        ],
        "pl": [
            *(
                f"pl:{action}:{which}"
                for which in (task, old_task)
                for action in ("edit", "del", "delok", "imp")
            ),
            f"pl:field:title:{task}",
            f"pl:hand:{reported}",
            f"pl:to:{reported}:{a.person('a2')}",
        ],
        "ag": [f"ag:to:{a.person('a1')}", "ag:free", "ag:due:end", "ag:w:1"],
        "rs": [f"rs:{old}", f"rs:{mine}"],
        "cc": ["cc:add", "cc:rm", f"cc:u:{unit}", f"cc:p:{a.person('a1')}", "cc:ok"],
        "ms": ["ms:use:zalo", "ms:use:last"],
        "mn": [f"mn:status:{unit}", "mn:result"],
        "yr": [  # (confirming one's own annual rating names nobody else: not crafted)
            "yr:rv",
            "yr:all",
            f"yr:p:{a.person('a1')}",
            f"yr:ag:{a.person('a1')}",
            f"yr:lv:{a.person('a1')}:D",
        ],
    }
    return {flow: [p for p in found if "None" not in p] for flow, found in payloads.items()}


def refused_politely(replies) -> str:
    text = "\n".join(r.text for r in replies)
    assert text.strip(), "no answer"
    assert failed("vi").text not in text, text  # not a failure rolled back
    return text


# -- a stranger ----------------------------------------------------------------------------


def test_a_stranger_can_do_nothing_but_register(agency):
    """Every command and every flow's buttons, sent by a chat nobody registered, get the
    registration prompt alone and change nothing but the mark of the processed update and
    the wrong codes counted."""
    opened(agency)
    stranger = Chat(agency.engine, chat_id="699", now=at(27, 10))
    payloads = crafted(agency)
    assert set(payloads) == set(FLOWS)  # every flow's buttons are tried
    before = snapshot(agency.engine, ignore={"processed_update", "code_attempts"})
    messages = [*COMMANDS, "/start", "/khong-co", "xin chào", ""]
    for text in messages:
        replies = stranger.send(text)
        assert len(replies) == 1 and "chưa được đăng ký" in replies[0].text, (text, replies)
        assert replies[0].buttons == ()
    for payload in [p for flow in payloads.values() for p in flow]:
        replies = stranger._handle(payload=payload, message_id=1)
        assert len(replies) == 1 and "chưa được đăng ký" in replies[0].text, (payload, replies)
    stranger.send("/start K7M3P9QX")  # a wrong code: counted, nothing else
    assert "không hợp lệ" in stranger.text
    after = snapshot(agency.engine, ignore={"processed_update", "code_attempts"})
    assert changed(before, after) == []


# -- crafted buttons -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["a2", "tp02"])
def test_crafted_buttons_naming_others_rows_are_refused_and_change_nothing(agency, who):
    """A staff member of the same unit (a2) and the head of another unit (tp02) press
    buttons they were never shown, naming a1's submission, tasks, outcome and initiative,
    b1's reported task, and a2's September: while the self-assessment is open, and in the
    heads' review (tp02 with a card of their own open); in the planning window too, with
    the rows there are then. Each is answered; nothing changes."""
    chat = agency.chats[who]
    for phase in ("planning", "open"):
        if phase == "open":
            opened(agency)
        chat.now = at(3, 10) if phase == "planning" else at(27, 10)  # the plan is open at first
        payloads = [p for flow in crafted(agency).values() for p in flow]
        before = snapshot(agency.engine)
        for payload in payloads:
            refused_politely(chat._handle(payload=payload, message_id=1))
            assert changed(before, snapshot(agency.engine)) == [], (phase, payload)
    in_review(agency)
    if who == "tp02":
        chat.send("/review")
        assert "Xem xét: Vũ Thị Lan" in chat.text  # b1's card, open in this chat
    before = snapshot(agency.engine)
    for payload in payloads:
        refused_politely(chat._handle(payload=payload, message_id=1))
        assert changed(before, snapshot(agency.engine)) == [], payload


def test_a_head_acts_on_the_units_cards_only(agency):
    """tp01 may agree to a1 (the unit's), and may not to b1 (another unit's) nor to a2's
    September (another period) by the same buttons."""
    in_review(opened(agency))
    head = agency.chats["tp01"]
    a1 = agency.id_of(SelfAssessment, person_id=agency.person("a1"))
    b1 = agency.id_of(SelfAssessment, person_id=agency.person("b1"))
    september = agency.id_of(SelfAssessment, person_id=agency.person("a2"))
    before = snapshot(agency.engine)
    for submission in (b1, september):
        head._handle(payload=f"rv:open:{submission}", message_id=1)
        assert "Vũ Thị Lan" not in head.text
        head._handle(payload=f"rv:ok:{submission}", message_id=1)
        refused_politely(head.replies)
    assert changed(before, snapshot(agency.engine)) == []
    head._handle(payload=f"rv:open:{a1}", message_id=1)
    assert "Xem xét: Trần Thị Mai" in head.text
    head.press("Đồng ý")
    with Session(agency.engine) as s:
        decided = s.exec(select(Review.assessment_id, Review.decision)).all()
    assert decided == [(a1, "agree")]


# -- a head sees the unit --------------------------------------------------------------------


def test_a_head_sees_only_the_units_people(agency):
    """/status and the review cards of a head name the unit's people, nobody else's."""
    opened(agency)
    others = {"tp01": ("Vũ Thị Lan", "Phạm Quốc Bảo", "Ngô Thị Hương")}
    others["tp02"] = ("Trần Thị Mai", "Lê Minh Tuấn", "Nguyễn Văn Hùng", "Ngô Thị Hương")
    unit = {"tp01": ("Trần Thị Mai", "Lê Minh Tuấn"), "tp02": ("Vũ Thị Lan",)}
    for head in ("tp01", "tp02"):
        chat = agency.chats[head]
        chat.now = at(27, 10)
        status = chat.send("/status")[0].text
        assert all(name in status for name in unit[head]), status
        assert not any(name in status for name in others[head]), status
    in_review(agency)
    for head in ("tp01", "tp02"):
        chat = agency.chats[head]
        seen = []
        chat.send("/review")
        while "Xem xét:" in chat.text:
            seen.append(chat.text.split("Xem xét: ", 1)[1].split(" —", 1)[0])
            chat.press("Đồng ý")
        submitted = {"tp01": ["Trần Thị Mai"], "tp02": ["Vũ Thị Lan"]}
        assert seen == submitted[head], (head, seen)
        assert not any(name in chat.text for name in others[head])


# -- invite guessing ---------------------------------------------------------------------------


def test_invite_guessing_is_locked_out_across_workers(tmp_path):
    """Two workers (two engines on one database, as two bot processes) take wrong codes
    from one chat at the same moment: the chat is locked after MAX_FAILURES of them, no
    wrong code is lost to a race (each is counted), and none fails."""
    engine = database(tmp_path)
    codes = small_organization(engine)
    workers = [engine, create_engine(engine.url, pool_size=2)]
    guesses = 12  # each worker's
    start = threading.Barrier(len(workers))
    update_ids = itertools.count(1)
    answers: list[str] = []

    def guess(worker) -> None:
        start.wait()
        for _ in range(guesses):
            incoming = Incoming(
                platform="test",
                chat_id="666",
                user_id="666",
                update_id=f"guess-{next(update_ids)}",
                text="/start K7M3P9QX",
            )
            answers.extend(r.text for r in handle(worker, incoming, ChatSettings(), now=NOW))

    try:
        threads = [threading.Thread(target=guess, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        workers[1].dispose()
    assert len(answers) == len(workers) * guesses
    assert not [a for a in answers if a == failed("vi").text]
    tries_left = [a for a in answers if "không hợp lệ" in a]
    locked = [a for a in answers if "thử lại sau" in a]
    assert len(tries_left) == MAX_FAILURES - 1, tries_left  # each counted once
    assert len(locked) == len(answers) - len(tries_left)
    right = Chat(engine, chat_id="666", now=NOW + timedelta(minutes=1))
    right.send(f"/start {codes['nv01']}")  # locked: even the right code waits
    assert "thử lại sau" in right.text
    right.later(minutes=16).send(f"/start {codes['nv01']}")
    assert "Trần Thị Mai" in right.text
