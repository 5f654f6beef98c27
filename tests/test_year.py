"""A new organization on the law (`nd335`), tracked by quarter, through a whole year of
the chat: set up by the administrator's commands, each quarter planned, self-assessed,
reviewed, classified and published by the cycle; then the year (NĐ 335 Điều 19-20) from
the stored quarter scores, by the core's JSON command.

The annual rating in the chat (proposal, confirmation, reviews, publication) belongs to
the year-end work; here the year is computed as that work will compute it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.admin import main as admin
from cycle.calendar import CalendarSettings, period_dates
from cycle.steps import tick
from storage import invites
from storage.db import ROOT, transaction
from storage.models import Organization, Period, PeriodStatus, Person, Result, Unit
from storage.queries import CATEGORIES
from tests.chat import Chat, database

ROSTER = """id,full_name,unit,group,role,category
tp01,Nguyễn Văn Hùng,Phòng Tổ chức,Lãnh đạo phòng,head,civil_servant
nv01,Trần Thị An,Phòng Tổ chức,Chuyên viên,staff,civil_servant
nv02,Lê Văn Bình,Phòng Tổ chức,Chuyên viên,staff,civil_servant
nv03,Phạm Thị Chi,Phòng Tổ chức,Chuyên viên,staff,civil_servant
nv04,Hoàng Văn Dũng,Phòng Tổ chức,Chuyên viên,staff,civil_servant
nv05,Vũ Thị Hà,Phòng Tổ chức,Chuyên viên,staff,civil_servant
nv06,Đặng Văn Khánh,Phòng Tổ chức,Chuyên viên,staff,civil_servant
"""

# General points (Mẫu 01, 30 at most) given as the 10 items' scores
G = {
    30: (5, 5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5),
    25: (5, 5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 0, 0),
    22.5: (5, 5, 2.5, 2.5, 2.5, 2.5, 2.5, 0, 0, 0),
    20: (5, 5, 2.5, 2.5, 2.5, 2.5, 0, 0, 0, 0),
    15: (5, 5, 2.5, 2.5, 0, 0, 0, 0, 0, 0),
}
# Each person's general points by quarter; None: away the whole quarter (no plan, no
# self-assessment). Every task is done on time (70 points), except Khánh's in Q3.
GENERAL = {
    "tp01": (15, 15, 15, 15),
    "nv01": (30, 30, 30, 30),
    "nv02": (25, 25, 25, 22.5),
    "nv03": (20, 15, 15, 15),
    "nv04": (15, 15, 15, 15),
    "nv05": (25, None, 25, 25),
    "nv06": (20, 20, 20, 20),
}
LEVELS = {"A": "(A)", "B": "(B)", "C": "(C)", "D": "(D)"}


def level_of(score: float) -> str:
    """NĐ 335 Điều 20's thresholds (rule 5)."""
    return "A" if score >= 90 else "B" if score >= 70 else "C" if score >= 50 else "D"


def test_a_new_organization_runs_a_year_of_quarters_on_the_law_through_the_chat(
    tmp_path, monkeypatch
):
    engine = database(tmp_path)
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    new_year = datetime(2026, 1, 2, 2, 0, tzinfo=UTC)  # 09:00 on Friday 02/01/2026
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert admin(["import-roster", str(tmp_path / "roster.csv"), "--org", "so-moi"]) == 0
    assert admin(["settings", "--org", "so-moi", "--tracking", "quarter"], lambda: new_year) == 0
    with transaction(engine) as s:
        organization = s.exec(select(Organization)).one()
        assert organization.ruleset is None  # a new organization: the law of each period
        settings = CalendarSettings.from_overrides(organization.calendar)
        people = s.exec(select(Person).order_by(Person.code)).all()
        codes = {p.code: invites.issue(s, p, now=new_year)[0] for p in people}
    chats: dict[str, Chat] = {}
    for number, (who, code) in enumerate(codes.items()):
        chats[who] = Chat(engine, chat_id=str(700 + number), now=new_year)
        chats[who].send(f"/start {code}")
    head = chats["tp01"]

    for quarter in range(1, 5):
        code = f"2026-Q{quarter}"
        dates = period_dates(code, settings)
        at_plan = dates.plan_until - timedelta(hours=3)
        tick(engine, at_plan)  # the quarter exists, its plan window open
        present = [p for p, g in GENERAL.items() if g[quarter - 1] is not None]
        for who in present:  # each registers the quarter's task
            chat = chats[who]
            chat.now = at_plan
            chat.send("/plan")
            assert (
                f"Kế hoạch công tác quý {['I', 'II', 'III', 'IV'][quarter - 1]} năm 2026"
                in chat.text
            )
            chat.press("Thêm nhiệm vụ")
            chat.send(f"Báo cáo công tác quý {quarter} của {who}")
            chat.press("Cuối quý")
        tick(engine, dates.opens_at)
        for who in present:
            general = GENERAL[who][quarter - 1]
            done = not (who == "nv06" and quarter == 3)
            assess(chats[who], dates.opens_at + timedelta(hours=1), G[general], done)
        tick(engine, dates.deadline)
        head.now = dates.deadline + timedelta(hours=16)  # the next morning
        head.send("/review")
        for _ in [p for p in present if p != "tp01"]:
            head.press("Đồng ý")
        assert "Đã xem xét hết" in head.text
        tick(engine, dates.publish_at)

    with Session(engine) as s:
        rows = s.exec(
            select(Result, Period, Person)
            .join(Period, col(Period.id) == col(Result.period_id))
            .join(Person, col(Person.id) == col(Result.person_id))
            .where(col(Period.code).startswith("2026-"))
        ).all()
        assert {p.code for _, p, _ in rows} == {f"2026-Q{q}" for q in (1, 2, 3, 4)}
        assert all(p.status is PeriodStatus.PUBLISHED for _, p, _ in rows)
        units = {u.id: u.code for u in s.exec(select(Unit))}
        groups = {p.code: p.group_id for _, _, p in rows}
        quarters = {(p.code, period.code): r for r, period, p in rows}
        people = {p.code: p for _, _, p in rows}
    # the quarter scores as the cycle published them, on nd335
    assert all(r.ruleset == "nd335" for r in quarters.values() if r.level is not None)
    assert quarters[("nv01", "2026-Q1")].score == 100  # 30 + 70
    assert quarters[("nv05", "2026-Q2")].level is None  # away: not rated
    assert quarters[("nv06", "2026-Q3")].score == 20  # the task not done: 20 + 0
    assert quarters[("nv06", "2026-Q3")].level == "D"
    # the head's d is 50% in Q3 (Khánh at D): 15 + 70 x (1 + 1 + 1 + 0.5 + 1 + 1) / 6
    assert quarters[("tp01", "2026-Q3")].score == 79.17
    assert quarters[("tp01", "2026-Q1")].score == 85

    # the year, from the rated quarters, by the core's JSON command
    year = {
        "period": "2026",
        "ruleset": "nd335",
        "people": [
            {
                "id": who,
                "name": person.full_name,
                "unit": units[person.unit_id],
                "group": str(groups[who]),
                "role": person.role.value,
                "category": CATEGORIES[person.category],
                "periods": [
                    {"period": period, "score": r.score}
                    for (code, period), r in sorted(quarters.items())
                    if code == who and r.level is not None
                ],
            }
            for who, person in people.items()
        ],
    }
    run = subprocess.run(
        [sys.executable, "-m", "core", "classify", "--locale", "vi"],
        input=json.dumps(year),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    annual = {p["id"]: p for p in json.loads(run.stdout)["people"]}
    expected = {
        "nv01": 100,  # (100 x 4) / 4
        "nv02": 94.38,  # (95 + 95 + 95 + 92.5) / 4 = 94.375, half-up
        "nv03": 86.25,  # (90 + 85 + 85 + 85) / 4
        "nv04": 85,
        "nv05": 95,  # the three quarters worked: no minimum in nd335
        "nv06": 72.5,  # (90 + 90 + 20 + 90) / 4
        "tp01": 83.54,  # (85 + 85 + 79.17 + 85) / 4 = 83.5425
    }
    assert {who: annual[who]["score"] for who in expected} == expected
    assert {who: annual[who]["computed_level"] for who in expected} == {
        who: level_of(score) for who, score in expected.items()
    }
    # the 20% quota over the year, per group of similar duties: the 6 chuyên viên have
    # 3 A proposed and 3 B, so N = 6 and k = floor(6 / 6) = 1: An (100) keeps A; Hà
    # (95) and Bình (94.38) become B with the reason QUOTA
    final = {who: annual[who]["level"] for who in expected}
    assert final == {
        "nv01": "A",
        "nv02": "B",
        "nv03": "B",
        "nv04": "B",
        "nv05": "B",
        "nv06": "B",
        "tp01": "B",
    }
    for who in ("nv02", "nv05"):
        assert any(r["rule"].startswith("quota") for r in annual[who]["reasons"]), annual[who]


def assess(chat: Chat, now: datetime, general: tuple, done: bool) -> None:
    """The quarter's self-assessment, proposing the level of the provisional score."""
    chat.now = now
    chat.send("/assess")
    chat.score_all(general)
    if done:
        chat.press("Hoàn thành đúng tiến độ")
    else:
        chat.press("Không hoàn thành")
        chat.send("Chờ ý kiến thẩm định của Sở Tài chính về kinh phí")
    chat.press("Không có")  # ad-hoc tasks
    chat.press("Không có")  # initiatives
    provisional = next(line for line in chat.text.splitlines() if "Điểm tạm tính" in line)
    chat.press("Đề xuất mức")
    chat.press(LEVELS[provisional[-2]])
    chat.press("Gửi")
    assert "Đã gửi bản tự đánh giá" in chat.text, chat.text
