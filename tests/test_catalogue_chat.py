"""Adding a task with the task catalogue: the person searches the products of their job
position by words (any case, without diacritics), picks one by its button, and the factor
is the product's (points ÷ 5); a free task stays possible where the organization allows
it, marked as such, and is refused politely where not. The same for a head assigning a
task to a person of the unit (`/assign`: the catalogue of THAT person's job position) and
for the ad-hoc tasks of the self-assessment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from handlers.events import payload_to_replies
from storage import invites
from storage.catalogue import TABLE, check_catalogue, import_catalogue
from storage.db import transaction
from storage.models import (
    AuditLog,
    CatalogueItem,
    Organization,
    OutboxMessage,
    Period,
    PeriodStatus,
    Person,
    Role,
    Task,
    TaskKind,
    Unit,
)
from storage.tables import parse_table
from tests.chat import NOW, Chat, database, small_organization

CATALOGUE = """Vị trí việc làm,Mã sản phẩm,Tên sản phẩm,Điểm
Chuyên viên tổng hợp,TH-01,Chương trình công tác tháng của Sở,"7,5"
Chuyên viên tổng hợp,TH-02,Báo cáo kết quả công tác tháng của Sở,5
Chuyên viên tổng hợp,TH-03,"Báo cáo sơ kết, tổng kết công tác năm",15
Thanh tra viên,TT-04,Báo cáo công tác tiếp công dân tháng,5
"""


def setup(
    tmp_path,
    free_tasks: bool = True,
    language: str = "en",
    status: PeriodStatus = PeriodStatus.PLANNING,
):
    engine = database(tmp_path)
    codes = small_organization(engine, status=status, tasks=0, language=language)
    products = check_catalogue(parse_table(CATALOGUE.encode(), "so-tay.csv", TABLE))
    with transaction(engine) as s:
        org = s.exec(select(Organization)).one()
        org.free_tasks = free_tasks
        s.add(org)
        nv01 = s.exec(select(Person).where(Person.code == "nv01")).one()
        nv01.job_position = "Chuyên viên tổng hợp"
        s.add(nv01)
        import_catalogue(s, org, products, date(2026, 1, 1), "so-tay.csv", NOW)
    return engine, codes


def registered(engine, codes, who: str = "nv01") -> Chat:
    chat = Chat(engine, chat_id=who)
    chat.send(f"/start {codes[who]}")
    return chat


def only_task(engine) -> Task:
    with Session(engine) as s:
        return s.exec(select(Task)).one()


def test_a_product_found_by_words_becomes_the_task_with_its_factor(tmp_path):
    engine, codes = setup(tmp_path)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Add a task")
    assert "catalogue of your job position (Chuyên viên tổng hợp)" in chat.text
    chat.send("CHUONG trinh")  # any case, without diacritics
    assert "1. Chương trình công tác tháng của Sở (TH-01) — 7.5 points, factor 1.5" in chat.text
    assert "Báo cáo" not in chat.text
    chat.press("1")
    assert "Product: Chương trình công tác tháng của Sở (TH-01), factor 1.5." in chat.text
    assert "When is it due?" in chat.text
    chat.send("20/11")
    task = only_task(engine)
    assert (task.title, task.weight, task.free) == (
        "Chương trình công tác tháng của Sở",
        1.5,
        False,
    )
    assert task.catalogue_item_id is not None and task.deadline == date(2026, 11, 20)
    assert "(free task)" not in chat.text
    assert "1. Chương trình công tác tháng của Sở — due 20/11 — factor 1.5" in chat.text


def test_several_products_are_offered_and_a_search_without_match_is_asked_again(tmp_path):
    engine, codes = setup(tmp_path)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Add a task")
    chat.send("tiếp công dân")  # another job position's product
    assert "No product of the catalogue matches “tiếp công dân”" in chat.text
    assert "Send a few words of the product" in chat.text  # the question again
    chat.send("báo cáo")
    assert "TH-02" in chat.text and "TH-03" in chat.text and "TT-04" not in chat.text
    assert {"1", "2"} <= set(chat.labels())
    chat.press("2")
    chat.press("End of month")
    task = only_task(engine)
    assert (task.title, task.weight) == ("Báo cáo sơ kết, tổng kết công tác năm", 3.0)
    chat.press("Menu")  # an older button of the search, pressed again, changes nothing
    chat._handle(payload=f"pl:pick:{task.catalogue_item_id}", message_id=1)
    assert "already answered" in chat.text
    with Session(engine) as s:
        assert len(s.exec(select(Task)).all()) == 1


def test_a_free_task_is_possible_where_allowed_and_marked_as_free(tmp_path):
    engine, codes = setup(tmp_path)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Add a task")
    chat.press("A task outside the catalogue")
    chat.send("Rà soát danh mục hồ sơ lưu trữ")
    chat.press("No deadline")
    task = only_task(engine)
    assert (task.free, task.catalogue_item_id, task.weight) == (True, None, 1.0)
    assert "1. Rà soát danh mục hồ sơ lưu trữ (free task)" in chat.text
    chat.press("Edit 1")  # a title typed while editing renames the task, adds none
    chat.press("Title")
    chat.send("🙂")
    assert "an emoji or a sticker is not a title" in chat.text
    chat.send("Rà soát hồ sơ lưu trữ năm 2026")
    task = only_task(engine)
    assert (task.title, task.free, task.deadline) == ("Rà soát hồ sơ lưu trữ năm 2026", True, None)
    assert "1. Rà soát hồ sơ lưu trữ năm 2026 (free task)" in chat.text


def test_a_free_task_is_refused_politely_where_the_organization_allows_none(tmp_path):
    engine, codes = setup(tmp_path, free_tasks=False)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Add a task")
    assert "A task outside the catalogue" not in " ".join(chat.labels())
    chat._handle(payload="pl:free", message_id=1)  # an old button, or a forged one
    assert "adds tasks only from the catalogue" in chat.text
    assert "Send a few words of the product" in chat.text  # the question again
    with Session(engine) as s:
        assert s.exec(select(Task)).all() == []


def test_a_person_whose_position_has_no_products_is_told_why(tmp_path):
    engine, codes = setup(tmp_path, free_tasks=False)
    chat = registered(engine, codes, "nv02")  # no job position
    chat.send("/plan")
    chat.press("Add a task")
    assert "no product of your job position" in chat.text
    assert "Send the task's title" not in chat.text
    allowed, allowed_codes = setup(tmp_path / "allowed")
    chat = registered(allowed, allowed_codes, "nv02")
    chat.send("/plan")
    chat.press("Add a task")
    assert "Send the task's title" in chat.text  # a free task, as before the catalogue
    chat.send("Chuẩn bị hội trường")
    chat.press("No deadline")
    assert only_task(allowed).free is True


@pytest.mark.parametrize("language, expected", [("vi", "danh mục sản phẩm")])
def test_the_search_question_reads_in_vietnamese(tmp_path, language, expected):
    engine, codes = setup(tmp_path, language=language)
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Thêm nhiệm vụ")
    assert expected in chat.text and "Đồng chí" in chat.text


# -- a head assigns a task to a person of the unit ---------------------------------------------


def person(engine, code: str) -> Person:
    with Session(engine) as s:
        return s.exec(select(Person).where(Person.code == code)).one()


def notices_of(engine, code: str, kind: str) -> list[str]:
    """The texts of the outbox messages of `kind` to the person."""
    with Session(engine) as s:
        rows = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.person_id == person(engine, code).id, OutboxMessage.kind == kind
            )
        ).all()
    return ["\n".join(r.text for r in payload_to_replies(row.payload)) for row in rows]


def all_tasks(engine) -> list[Task]:
    with Session(engine) as s:
        return list(s.exec(select(Task)).all())


def test_a_head_assigns_a_product_of_the_members_catalogue_and_the_member_is_told(tmp_path):
    engine, codes = setup(tmp_path)
    member = registered(engine, codes, "nv01")  # Trần Thị Mai, Chuyên viên tổng hợp
    head = registered(engine, codes, "tp01")
    head.send("/assign")
    labels = head.labels()
    # by given name: Mai before Tuấn; the head is not among them
    assert labels.index("Trần Thị Mai") < labels.index("Lê Minh Tuấn")
    assert "Nguyễn Văn Hùng" not in labels
    head.press("Trần Thị Mai")
    assert "job position of Trần Thị Mai (Chuyên viên tổng hợp)" in head.text
    head.send("chuong trinh")
    assert "1. Chương trình công tác tháng của Sở (TH-01) — 7.5 points, factor 1.5" in head.text
    head.press("1")
    assert "Product: Chương trình công tác tháng của Sở (TH-01), factor 1.5." in head.text
    head.send("20/11")
    assert "is added to Trần Thị Mai's plan of month 11/2026" in head.text
    assert "Trần Thị Mai is told" in head.text
    task = only_task(engine)
    assert (task.person_id, task.kind, task.weight, task.free, task.deadline) == (
        person(engine, "nv01").id,
        TaskKind.PLANNED,
        1.5,
        False,
        date(2026, 11, 20),
    )
    assert task.catalogue_item_id is not None
    assert task.assigned_by == person(engine, "tp01").id
    (notice,) = notices_of(engine, "nv01", "assigned")
    assert "assigned you the task “Chương trình công tác tháng của Sở”" in notice
    assert "Deadline: 20/11/2026." in notice and "Conversion factor: 1.5." in notice
    member.send("/plan")
    assert (
        "1. Chương trình công tác tháng của Sở (assigned by Head of Division Tổ chức) — "
        "due 20/11 — factor 1.5" in member.text
    )
    with Session(engine) as s:
        audit = s.exec(select(AuditLog).where(AuditLog.field == "assigned")).one()
        assert audit.entity_id == task.id


def in_another_unit(engine, unit: str, code: str, name: str, role: Role) -> tuple[int, str]:
    """A person of a new unit of the organization: their id and registration code."""
    with transaction(engine) as s:
        org = s.exec(select(Organization)).one()
        other = Unit(organization_id=org.id, code=code, name=unit)
        s.add(other)
        s.flush()
        group = s.exec(select(Person).where(Person.code == "tp01")).one().group_id
        found = Person(
            organization_id=org.id,
            code=code,
            full_name=name,
            unit_id=other.id,
            group_id=group,
            role=role,
            language="en",
        )
        s.add(found)
        s.flush()
        return found.id, invites.issue(s, found, now=NOW)[0]


def test_a_heads_free_task_where_allowed_and_refused_where_not(tmp_path):
    engine, codes = setup(tmp_path)
    head = registered(engine, codes, "tp01")
    head.send("/assign")
    head.press("Trần Thị Mai")
    head.press("A task outside the catalogue")
    head.send("Chuẩn bị hội nghị tổng kết")
    head.press("No deadline")
    task = only_task(engine)
    assert (task.free, task.catalogue_item_id, task.assigned_by) == (
        True,
        None,
        person(engine, "tp01").id,
    )
    refused, refused_codes = setup(tmp_path / "refused", free_tasks=False)
    head = registered(refused, refused_codes, "tp01")
    head.send("/assign")
    head.press("Trần Thị Mai")
    assert "A task outside the catalogue" not in " ".join(head.labels())
    head._handle(payload="ag:free", message_id=1)  # an old button, or a forged one
    assert "adds tasks only from the catalogue" in head.text
    assert "job position of Trần Thị Mai" in head.text  # the question again
    head.send("/assign")
    head.press("Lê Minh Tuấn")  # no job position: no product of theirs
    assert "no product of the job position of Lê Minh Tuấn" in head.text
    assert "Send the task's title" not in head.text
    assert all_tasks(refused) == []


def test_a_head_is_refused_for_a_person_outside_the_unit_and_a_closed_plan(tmp_path):
    engine, codes = setup(tmp_path)
    outsider_id, _ = in_another_unit(engine, "Văn phòng", "vp01", "Phạm Thu Hà", Role.STAFF)
    head = registered(engine, codes, "tp01")
    head.send("/assign")
    assert "Phạm Thu Hà" not in head.labels()
    head._handle(payload=f"ag:to:{outsider_id}", message_id=1)  # a forged button
    assert "Phạm Thu Hà is not among the people you lead" in head.text
    staff = registered(engine, codes, "nv01")
    staff.send("/assign")
    assert "assigned by the leaders" in staff.text
    head.send("/assign")
    head.press("Lê Minh Tuấn")
    with Session(engine) as s:  # the plan closes while the head is typing
        period = s.exec(select(Period)).one()
        period.plan_until = NOW - timedelta(hours=1)
        s.add(period)
        s.commit()
    head.send("Chuẩn bị hội trường")
    assert "The plan of month 11/2026 was closed at" in head.text
    with Session(engine) as s:
        period = s.exec(select(Period)).one()
        period.plan_until, period.status = None, PeriodStatus.OPEN
        s.add(period)
        s.commit()
    head.send("/assign")
    assert "The self-assessment of month 11/2026 has opened" in head.text
    assert all_tasks(engine) == []


# -- the ad-hoc tasks of the self-assessment ------------------------------------------------


def at_ad_hoc_tasks(engine, codes, who: str = "nv01") -> Chat:
    chat = registered(engine, codes, who)
    chat.send("/assess")
    chat.score_all()  # no planned task: the ad-hoc tasks come next
    assert "Were you assigned ad-hoc tasks" in chat.text
    return chat


def ad_hoc_tasks(engine) -> list[Task]:
    with Session(engine) as s:
        return list(s.exec(select(Task).where(Task.kind == TaskKind.AD_HOC).order_by(Task.id)))


def test_an_ad_hoc_task_is_picked_from_the_catalogue_or_kept_free(tmp_path):
    engine, codes = setup(tmp_path, status=PeriodStatus.OPEN)
    chat = at_ad_hoc_tasks(engine, codes)
    chat.send("bao cao tong ket")  # the title typed is searched in the catalogue
    assert "1. Báo cáo sơ kết, tổng kết công tác năm (TH-03) — 15 points, factor 3" in chat.text
    chat.press("1")
    assert "Ad-hoc task 1: “Báo cáo sơ kết, tổng kết công tác năm”" in chat.text
    chat.press("Done on time")
    assert "Báo cáo sơ kết" in chat.text  # back to the list of ad-hoc tasks
    chat.send("Tiếp đoàn kiểm tra của Bộ")
    assert "No product of the catalogue matches “Tiếp đoàn kiểm tra của Bộ”" in chat.text
    chat.press("A task outside the catalogue")
    assert "Ad-hoc task 2: “Tiếp đoàn kiểm tra của Bộ”" in chat.text
    chat.press("Exceeded")
    picked, free = ad_hoc_tasks(engine)
    assert (picked.title, picked.weight, picked.free) == (
        "Báo cáo sơ kết, tổng kết công tác năm",
        3.0,
        False,
    )
    assert picked.catalogue_item_id is not None
    assert (free.title, free.weight, free.free, free.catalogue_item_id) == (
        "Tiếp đoàn kiểm tra của Bộ",
        1.0,
        True,
        None,
    )


def test_a_free_ad_hoc_task_is_refused_where_the_organization_allows_none(tmp_path):
    engine, codes = setup(tmp_path, free_tasks=False, status=PeriodStatus.OPEN)
    chat = at_ad_hoc_tasks(engine, codes)
    chat.send("Tiếp đoàn kiểm tra của Bộ")
    assert "No product of the catalogue matches" in chat.text
    assert "A task outside the catalogue" not in " ".join(chat.labels())
    chat._handle(payload="as:free", message_id=1)  # an old button, or a forged one
    assert "adds tasks only from the catalogue" in chat.text
    assert "Send a few words of the product" in chat.text  # the question again
    chat.press("Cancel")
    assert "Were you assigned ad-hoc tasks" in chat.text
    assert ad_hoc_tasks(engine) == []
    other = at_ad_hoc_tasks(engine, codes, "nv02")  # no job position: no product of theirs
    other.send("Chuẩn bị hội trường")
    assert "no product of your job position" in other.text
    assert "Were you assigned ad-hoc tasks" in other.text  # the question again
    assert ad_hoc_tasks(engine) == []


def test_the_heads_assignment_and_the_members_notice_read_in_vietnamese(tmp_path):
    engine, codes = setup(tmp_path, language="vi")
    registered(engine, codes, "nv01")
    head = registered(engine, codes, "tp01")
    head.press("Giao nhiệm vụ")  # the menu's button
    assert "Giao nhiệm vụ trong kế hoạch công tác tháng 11/2026" in head.text
    head.press("Trần Thị Mai")
    assert "vị trí việc làm của đồng chí Trần Thị Mai (Chuyên viên tổng hợp)" in head.text
    head.send("chương trình")
    head.press("1")
    head.send("20/11")
    assert "đồng chí Trần Thị Mai đã được báo" in head.text
    (notice,) = notices_of(engine, "nv01", "assigned")
    assert notice.startswith(
        "Trưởng phòng Tổ chức đã giao đồng chí nhiệm vụ “Chương trình công tác tháng của Sở” "
        "trong kế hoạch công tác tháng 11/2026."
    )
    assert "Hệ số quy đổi: 1,5." in notice


def test_the_director_assigns_to_the_heads_not_to_their_units_people(tmp_path):
    engine, codes = setup(tmp_path)
    _, code = in_another_unit(engine, "Ban Giám đốc", "gd01", "Đỗ Văn Bình", Role.DIRECTOR)
    registered(engine, codes, "tp01")
    chat = Chat(engine, chat_id="gd01")
    chat.send(f"/start {code}")
    chat.send("/assign")
    # the head only: the unit's people are the head's to review
    assert [label for label in chat.labels() if label != "Cancel"] == ["Nguyễn Văn Hùng"]
    chat.press("Nguyễn Văn Hùng")  # no job position: a free task, where allowed
    chat.send("Chuẩn bị báo cáo giao ban")
    chat.press("No deadline")
    task = only_task(engine)
    assert (task.person_id, task.assigned_by, task.free) == (
        person(engine, "tp01").id,
        person(engine, "gd01").id,
        True,
    )
    (notice,) = notices_of(engine, "tp01", "assigned")
    assert notice.startswith("Director of the Department assigned you the task")


def test_a_product_of_another_job_position_is_refused_with_the_reason(tmp_path):
    engine, codes = setup(tmp_path)
    with Session(engine) as s:
        other = s.exec(select(CatalogueItem).where(CatalogueItem.code == "TT-04")).one().id
    chat = registered(engine, codes)
    chat.send("/plan")
    chat.press("Add a task")
    chat._handle(payload=f"pl:pick:{other}", message_id=1)  # a crafted button
    assert "This product is not in the catalogue in force; nothing was chosen." in chat.text
    assert "Send a few words of the product" in chat.text  # the search again
    head = registered(engine, codes, "tp01")
    head.send("/assign")
    head.press("Trần Thị Mai")
    head._handle(payload=f"ag:pick:{other}", message_id=1)
    assert "This product is not in the catalogue in force; nothing was chosen." in head.text
    assert "job position of Trần Thị Mai" in head.text
    assert all_tasks(engine) == []
