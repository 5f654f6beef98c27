"""The annual rating of 2026 walked through the chat with a controlled clock (NĐ 335 Điều
19-20; cycle/year.py, handlers/year.py).

Default calendar (Hà Nội), done by Tue 15/12/2026: opening Tue 1/12 08:00, confirmations
by Mon 7/12 17:00, heads' reviews by Wed 9/12 17:00, the director's (then the quota) by
Fri 11/12 17:00, publication Mon 14/12 09:00.

Phòng Tổ chức, group "Chuyên viên": six people whose months of 2026 are published with
the scores below; b6 came from another agency in July, which sent its months January to
June (`ExternalScore`). Under `nd335` the quota is annual, over the organization and per
group of similar duties (RULES.md rule 10).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.admin import main
from cycle.calendar import CalendarSettings, period_dates
from cycle.steps import steps_of, tick
from handlers.events import payload_to_replies
from storage.db import transaction
from storage.models import (
    AuditLog,
    CycleStep,
    ExternalScore,
    Identity,
    OutboxMessage,
    Period,
    PeriodStatus,
    Person,
    Result,
    Role,
    RoleGroup,
    Unit,
    YearRating,
    YearRound,
)
from storage.models import Organization as Org
from tests.chat import Chat, database


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    """A Hà Nội wall-clock time (hour 7 or later), in UTC."""
    return datetime(year, month, day, hour - 7, minute, tzinfo=UTC)


# code, name, group, role, the monthly score of each month published (Jan-Nov)
PEOPLE = [
    ("gd01", "Ngô Thị Hương", "lds", Role.DIRECTOR, 95),
    ("tp01", "Nguyễn Văn Hùng", "ldp", Role.HEAD, 92),
    ("a1", "Trần Thị Mai", "cv", Role.STAFF, 96),
    ("a2", "Lê Minh Tuấn", "cv", Role.STAFF, 94),
    ("a3", "Phạm Thu Hà", "cv", Role.STAFF, 91),
    ("b1", "Đỗ Văn Bình", "cv", Role.STAFF, 85),
    ("b2", "Vũ Thị Lan", "cv", Role.STAFF, 80),
    ("d1", "Hoàng Văn Nam", "cv", Role.STAFF, 45),
    ("b6", "Bùi Thị Thảo", "cv", Role.STAFF, 70),
]
MONTHS = [f"2026-{m:02d}" for m in range(1, 12)]


class Year:
    """An organization with eleven published months, everyone registered in a chat."""

    def __init__(self, tmp_path) -> None:
        self.engine = database(tmp_path)
        with transaction(self.engine) as s:
            org = Org(code="so-noi-vu", name="Sở Nội vụ tỉnh Thử nghiệm", ruleset="nd335")
            s.add(org)
            s.flush()
            units = {
                code: Unit(organization_id=org.id, code=code, name=name)
                for code, name in [("bgd", "Ban Giám đốc"), ("tc", "Phòng Tổ chức")]
            }
            groups = {
                code: RoleGroup(organization_id=org.id, code=code, name=name)
                for code, name in [
                    ("lds", "Lãnh đạo Sở"),
                    ("ldp", "Lãnh đạo phòng"),
                    ("cv", "Chuyên viên"),
                ]
            }
            s.add_all([*units.values(), *groups.values()])
            s.flush()
            periods = []
            for code in MONTHS:
                period = Period(organization_id=org.id, code=code, status=PeriodStatus.PUBLISHED)
                s.add(period)
                periods.append(period)
            s.flush()
            self.ids = {}
            for n, (code, name, group, role, score) in enumerate(PEOPLE):
                person = Person(
                    organization_id=org.id,
                    code=code,
                    full_name=name,
                    unit_id=units["bgd" if role is Role.DIRECTOR else "tc"].id,
                    group_id=groups[group].id,
                    role=role,
                )
                s.add(person)
                s.flush()
                self.ids[code] = person.id
                s.add(
                    Identity(person_id=person.id, platform="test", user_id=str(n), chat_id=str(n))
                )
                # b6 joined in July: the previous agency's months come as ExternalScore
                for period in periods[6:] if code == "b6" else periods:
                    s.add(
                        Result(
                            person_id=person.id,
                            period_id=period.id,
                            score=score,
                            level="B",
                            published_at=at(5, 9, month=int(period.code[5:]) % 12 + 1),
                        )
                    )
            # the months were carried out: their steps are in the ledger
            settings = CalendarSettings()
            for code in MONTHS[-2:]:
                for step in steps_of(period_dates(code, settings)):
                    s.add(CycleStep(organization_id=org.id, period_code=code, step=step.name))
            s.add(
                ExternalScore(
                    person_id=self.ids["b6"],
                    period_code="2026-03",
                    score=100,
                    agency="UBND huyện Thử nghiệm",
                    document="Công văn số 12/UBND",
                )
            )
        self.chats = {
            code: Chat(self.engine, chat_id=str(n)) for n, (code, *_) in enumerate(PEOPLE)
        }

    def tick(self, moment: datetime) -> list[str]:
        """The steps of the year the scheduler carried out (December's own are left out)."""
        return [s.split(" ", 1)[1] for s in tick(self.engine, moment) if " 2026 " in s]

    def rating(self, code: str) -> YearRating:
        with Session(self.engine) as s:
            return s.exec(select(YearRating).where(YearRating.person_id == self.ids[code])).one()

    def received(self, code: str, kind: str) -> str:
        with Session(self.engine) as s:
            rows = s.exec(
                select(OutboxMessage).where(
                    OutboxMessage.person_id == self.ids[code], OutboxMessage.kind == kind
                )
            ).all()
        return "\n".join(r.text for row in rows for r in payload_to_replies(row.payload))

    def chat(self, code: str, moment: datetime) -> Chat:
        chat = self.chats[code]
        chat.now = moment
        return chat


@pytest.fixture
def year(tmp_path) -> Year:
    return Year(tmp_path)


def test_the_year_from_the_proposal_to_publication(year):
    assert year.tick(at(30, 9, month=11)) == []  # before the opening: nothing
    assert year.tick(at(1, 8)) == ["2026 open"]
    assert year.tick(at(1, 9)) == []  # once

    # the proposal: the mean of the periods, with the previous agency's month
    b6 = year.rating("b6")
    assert [p["period"] for p in b6.periods] == ["2026-03", *MONTHS[6:]]
    assert b6.periods[0]["source"] == "UBND huyện Thử nghiệm"
    assert b6.score == round((100 + 70 * 5) / 6, 2) == 75
    assert year.rating("a1").score == 96 and year.rating("a1").computed_level == "A"
    told = year.received("a1", "year_open")
    assert "Đánh giá, xếp loại chất lượng năm 2026: kết quả đề xuất" in told
    assert "Điểm: 96/100" in told and "17:00 ngày 07/12/2026" in told

    # a1 confirms, a2 comments, a3 says nothing
    a1 = year.chat("a1", at(2, 10))
    a1.send("/year")
    a1.press("Xác nhận")
    assert "đã xác nhận" in a1.text
    a2 = year.chat("a2", at(2, 11))
    a2.send("/menu")
    a2.press("📅 Xếp loại năm")  # the main menu's button: the same as /year
    a2.press("Góp ý")
    a2.send("Đề nghị tính thêm sáng kiến tháng 12")
    assert "ý kiến đã được ghi nhận" in a2.text
    assert year.rating("a2").comment == "Đề nghị tính thêm sáng kiến tháng 12"
    assert year.rating("a1").self_level == "A"

    assert year.tick(at(7, 8)) == ["2026 remind:confirm"]
    assert "chưa xác nhận" in year.received("a3", "year_remind")
    assert year.received("a1", "year_remind") == ""  # confirmed: no reminder

    # after the deadline a confirmation is refused with the reason
    late = year.chat("a3", at(7, 18))
    late.send("/year")
    assert "Xác nhận" not in late.labels()
    late.send("/year")
    assert year.tick(at(7, 17)) == ["2026 close"]
    assert "7 người chờ đồng chí xem xét" in year.received("tp01", "year_close")

    # the head lowers a2 with a reason, agrees with the rest
    head = year.chat("tp01", at(8, 9))
    head.send("/year")
    head.press("Xem xét kết quả năm")
    head.press("Lê Minh Tuấn")
    assert "Đề nghị tính thêm sáng kiến tháng 12" in head.text  # the person's comment
    head.press("(B)")
    head.send("Chưa hoàn thành đề án vị trí việc làm")
    assert "Đã lưu mức Hoàn thành tốt nhiệm vụ (B)" in head.text
    assert "Chưa hoàn thành đề án vị trí việc làm" in year.received("a2", "year_lowered")
    head.press("Đồng ý với những người còn lại")
    assert "6 người" in head.text
    assert year.rating("a1").head_decision == "agree"

    # the head's time is over: the director decides, until publication
    assert year.tick(at(9, 17)) == ["2026 remind:head_review", "2026 close:head_review"]
    head.now = at(9, 18)
    head.send("/year")
    assert not any("Xem xét kết quả năm" in label for label in head.labels())
    boss = year.chat("gd01", at(10, 9))
    boss.send("/year")
    boss.press("Xem xét kết quả năm")
    boss.press("Nguyễn Văn Hùng")
    boss.press("Đồng ý")

    # the quota, per group over the organization: "Chuyên viên" has a1 and a3 proposed A
    # and a2 (lowered), b1, b2, b6 at B: N = 4 + 2 = 6, k = floor(6 / 6) = 1; a1 keeps A
    # by the higher score, a3 becomes B
    assert year.tick(at(11, 17)) == ["2026 classify"]
    assert year.rating("a1").level == "A"
    assert year.rating("a3").level == "B" and year.rating("a3").computed_level == "A"
    assert year.rating("a2").level == "B"
    assert year.rating("d1").level == "D"

    assert year.tick(at(14, 9)) == ["2026 publish"]
    result = year.received("d1", "year_result")
    assert "Không hoàn thành nhiệm vụ (D)" in result and "cho thôi việc" in result  # KHT_YEAR
    assert "Hoàng Văn Nam" in year.received("tp01", "year_kht")
    assert "Hoàng Văn Nam" in year.received("gd01", "year_kht")
    assert "năm 2026" in year.received("gd01", "year_digest")
    with Session(year.engine) as s:
        assert s.exec(select(YearRound)).one().status == "published"
        audited = s.exec(
            select(AuditLog).where(AuditLog.entity == "year_rating", AuditLog.field == "head_level")
        ).all()
        assert any(
            a.after == "B" and a.reason == "Chưa hoàn thành đề án vị trí việc làm" for a in audited
        )
        steps = [c.step for c in s.exec(select(CycleStep).where(CycleStep.period_code == "2026"))]
        assert len(steps) == len(set(steps)) == 7
    assert year.tick(at(15, 9)) == []  # published: the round is over


def test_nothing_opens_without_a_published_period_of_the_year(tmp_path):
    engine = database(tmp_path)
    with transaction(engine) as s:
        s.add(Org(code="moi", name="Cơ quan mới", ruleset="nd335"))
    assert tick(engine, at(1, 9)) == []
    with Session(engine) as s:
        assert s.exec(select(YearRound)).all() == []


# -- the office's commands -----------------------------------------------------------------


@pytest.fixture
def admin(year, monkeypatch):
    """`python -m bot admin` on the year's database, at 10:00 on 1/12/2026."""
    monkeypatch.setenv("DATABASE_URL", year.engine.url.render_as_string(hide_password=False))

    def run(*args: str) -> int:
        return main(list(args), clock=lambda: at(1, 10))

    return run


def test_scores_from_a_previous_agency_are_imported_all_or_nothing(year, admin, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Mã,Kỳ,Điểm,Cơ quan cũ,Văn bản\n"
        'a1,04/2026,"88,5",UBND huyện A,CV 1\n'
        "a1,2026-13,90,UBND huyện A,CV 1\n"
        "zz9,2026-05,90,UBND huyện A,\n"
        "a2,2026-Q1,120,,\n",
        encoding="utf-8",
    )
    assert admin("import-scores", str(bad), "--org", "so-noi-vu") == 2
    problems = capsys.readouterr().err
    assert "dòng 3" in problems and "2026-13" in problems
    assert "dòng 4" in problems and "zz9" in problems
    assert "dòng 5" in problems
    with Session(year.engine) as s:
        assert len(s.exec(select(ExternalScore)).all()) == 1  # only the fixture's

    good = tmp_path / "good.csv"
    good.write_text(
        "Mã,Kỳ,Điểm,Cơ quan cũ,Văn bản\n"
        'a1,04/2026,"88,5",UBND huyện A,CV 1\n'
        "b6,2026-03,100,UBND huyện Thử nghiệm,Công văn số 12/UBND\n",  # as recorded
        encoding="utf-8",
    )
    assert admin("import-scores", str(good), "--org", "so-noi-vu", "--dry-run") == 0
    assert "1 điểm sẽ được ghi" in capsys.readouterr().out
    assert admin("import-scores", str(good), "--org", "so-noi-vu") == 0
    with Session(year.engine) as s:
        scores = {e.period_code: e.score for e in s.exec(select(ExternalScore))}
        assert scores == {"2026-04": 88.5, "2026-03": 100}
        audited = s.exec(select(AuditLog).where(AuditLog.entity == "external_score")).one()
        assert audited.after == 88.5 and audited.reason == "import-scores good.csv:2"

    # a1's April now has two scores: the organization's own counts
    assert admin("year", "open", "--org", "so-noi-vu") == 0
    assert [p["source"] for p in year.rating("a1").periods].count("ours") == 11


def test_the_office_runs_a_step_of_the_year_by_hand_in_order(year, admin, capsys):
    assert admin("year", "close", "--org", "so-noi-vu") == 2
    assert "chưa mở" in capsys.readouterr().err
    assert admin("year", "open", "--org", "so-noi-vu") == 0
    assert "9 tin nhắn" in capsys.readouterr().out  # a proposal to each person
    assert admin("year", "open", "--org", "so-noi-vu") == 2
    assert admin("year", "remind", "--org", "so-noi-vu") == 0
    assert admin("year", "close", "--org", "so-noi-vu") == 0
    assert admin("year", "publish", "--org", "so-noi-vu") == 0
    assert year.rating("d1").level == "D" and year.rating("d1").published_at is not None
    assert year.tick(at(14, 9)) == []  # the scheduler finds the round published
    assert admin("year", "open", "--org", "so-noi-vu", "--year", "2025") == 2
