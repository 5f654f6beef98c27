"""The console chat: the same conversations in a terminal, as any person of the database."""

from __future__ import annotations

import io

from sqlmodel import Session, select

from bot import console
from handlers.dispatcher import ChatSettings
from storage.models import AssessmentStatus, Identity, SelfAssessment
from tests.chat import NOW, database, small_organization


def run_console(engine, code: str, lines: list[str]) -> str:
    person = console.find_person(engine, code)
    stdout = io.StringIO()
    console.run(
        engine,
        ChatSettings(),
        person,
        stdin=io.StringIO("\n".join(lines) + "\n"),
        stdout=stdout,
        clock=lambda: NOW,
    )
    return stdout.getvalue()


def test_a_full_self_assessment_in_the_console(tmp_path):
    engine = database(tmp_path)
    small_organization(engine)
    # numbers press the buttons shown last: menu → self-assessment, the ten criteria at
    # their maximum, a task on time, one exceeded, no ad-hoc task, no initiative, propose A,
    # submit
    script = ["2", *["1"] * 10, "2", "1", "2", "2", "1", "1", "3", "/quit"]
    output = run_console(engine, "nv01", script)
    assert "Trần Thị Mai" in output
    assert "Tiêu chí chung 1/10" in output and "Tiêu chí chung 10/10" in output
    assert "Hoàn thành xuất sắc nhiệm vụ (A)" in output
    assert "Đã gửi bản tự đánh giá" in output
    with Session(engine) as s:
        assessment = s.exec(select(SelfAssessment)).one()
        assert assessment.status is AssessmentStatus.SUBMITTED
        assert assessment.proposed_level == "A"
        assert s.exec(select(Identity)).one().platform == "console"


def test_a_full_self_assessment_in_the_console_in_english(tmp_path):
    engine = database(tmp_path)
    small_organization(engine, language="en")
    script = ["2", *["1"] * 10, "1", "1", "2", "2", "1", "1", "3", "/quit"]
    output = run_console(engine, "nv01", script)
    assert "General criterion 1/10" in output
    assert "Provisional score: 100/100 — Excellent completion of duties (A)" in output
    assert "is submitted" in output
    with Session(engine) as s:
        assert s.exec(select(SelfAssessment)).one().status is AssessmentStatus.SUBMITTED


def test_text_typed_in_the_console_is_sent_as_a_message(tmp_path):
    engine = database(tmp_path)
    small_organization(engine)
    output = run_console(engine, "nv01", ["2", "sáu điểm", "/quit"])
    assert "trả lời bằng các nút" in output
