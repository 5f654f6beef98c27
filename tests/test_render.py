"""The renderer (`delivery.render`): replies fitted to what a messenger can show, and
typed answers mapped back to the option they pick."""

from __future__ import annotations

from delivery.messenger import Capabilities
from delivery.render import choose, render, split
from handlers.events import Button, Document, Reply

TELEGRAM = Capabilities()
ZALO = Capabilities(
    buttons=False, text_limit=2000, documents=False, images=False, edits=False, commands=False
)

PLAN = Button("📋 Kế hoạch công tác", "mn:plan")
ASSESS = Button("📝 Tự đánh giá", "mn:as")
RESULT = Button("📊 Kết quả", "mn:res")
BACK = Button("⬅️ Quay lại", "as:back")
SUMMARY = Button("📋 Tóm tắt", "as:sum")
SCORES = tuple(Button(label, f"as:c:k:{label.replace(',', '.')}") for label in ("5", "4,5", "0"))


def test_buttons_stay_buttons_where_the_messenger_has_them():
    rendered = render([Reply("Danh mục", ((PLAN, ASSESS),), edit=True)], TELEGRAM, "vi")
    assert rendered.menu is None
    [out] = rendered.outs
    assert (out.text, out.buttons, out.edit) == ("Danh mục", ((PLAN, ASSESS),), True)


def test_without_buttons_a_numbered_menu_with_its_hint_in_the_readers_language():
    rendered = render([Reply("Danh mục", ((PLAN, ASSESS), (RESULT,)), edit=True)], ZALO, "vi")
    [out] = rendered.outs
    assert out.buttons == () and out.edit is False
    assert out.text == (
        "Danh mục\n\n"
        "1. 📋 Kế hoạch công tác\n2. 📝 Tự đánh giá\n3. 📊 Kết quả\n"
        "Đồng chí trả lời bằng số (1–3) hoặc nội dung của lựa chọn."
    )
    assert rendered.menu == (PLAN, ASSESS, RESULT)
    english = render([Reply("Menu", ((PLAN,),))], ZALO, "en").outs[0].text
    assert english.endswith("Reply with a number (1–1) or the option's words.")


def test_a_menu_with_a_back_option_says_0_goes_back():
    text = render([Reply("Kế hoạch", ((PLAN,), (BACK,)))], ZALO, "vi").outs[0].text
    assert text.endswith(
        "Đồng chí trả lời bằng số (1–2) hoặc nội dung của lựa chọn; gõ 0 để quay lại."
    )


def test_numbers_run_on_across_the_replies_of_one_row():
    rendered = render([Reply("A", ((PLAN,),)), Reply("B", ((ASSESS, RESULT),))], ZALO, "vi")
    assert "1. 📋 Kế hoạch công tác" in rendered.outs[0].text
    assert "2. 📝 Tự đánh giá\n3. 📊 Kết quả" in rendered.outs[1].text
    assert rendered.menu == (PLAN, ASSESS, RESULT)


def test_values_are_listed_as_written_and_the_other_options_by_their_words():
    text = render([Reply("Điểm?", (SCORES, (BACK, SUMMARY)))], ZALO, "vi").outs[0].text
    assert text == (
        "Điểm?\n\n5 · 4,5 · 0\n• ⬅️ Quay lại\n• 📋 Tóm tắt\n"
        "Đồng chí trả lời bằng một trong các giá trị trên, hoặc nội dung của lựa chọn."
    )


def test_long_texts_are_cut_at_line_ends_within_the_limit():
    lines = [f"{n}. " + "công việc " * 20 for n in range(1, 41)]
    rendered = render([Reply("\n".join(lines), ((PLAN,),))], ZALO, "vi")
    texts = [o.text for o in rendered.outs]
    assert len(texts) >= 3 and all(0 < len(t) <= 2000 for t in texts)
    assert all(t.split("\n", 1)[0][0].isdigit() for t in texts)  # each piece starts a line
    assert "1. 📋 Kế hoạch công tác" in texts[-1]  # the menu comes last
    assert "\n".join(texts).count("công việc") == 40 * 20


def test_a_line_longer_than_the_limit_is_cut_where_it_must():
    assert split("x" * 4500, ZALO) == ["x" * 2000, "x" * 2000, "x" * 500]
    assert split("", ZALO) == ["…"]


def test_on_telegram_only_the_last_piece_of_a_split_text_has_the_buttons():
    rendered = render([Reply("a\n" * 3000, ((PLAN,),), edit=True)], TELEGRAM, "vi")
    assert [bool(o.buttons) for o in rendered.outs] == [False, True]
    assert not any(o.edit for o in rendered.outs)  # a split text is never an edit


def test_documents_become_a_short_text_where_files_cannot_be_sent():
    report = Document("bao-cao-11-2026.xlsx", b"PK...", caption="Bảng tổng hợp tháng 11/2026")
    chart = Document("bieu-do.png", b"\x89PNG")
    assert render([Reply("", document=report)], TELEGRAM, "vi").outs[0].document == report
    outs = render([Reply("", document=report), Reply("", document=chart)], ZALO, "vi").outs
    assert [o.document for o in outs] == [None, None]
    assert outs[0].text.startswith("Bảng tổng hợp tháng 11/2026\n\n📎 Không gửi được tệp")
    assert "“bao-cao-11-2026.xlsx”" in outs[0].text and "“bieu-do.png”" in outs[1].text


def test_command_menus_are_left_out_where_the_messenger_has_none():
    commands = Reply("", commands=(("menu", "Danh mục"),))
    assert render([commands], TELEGRAM, "vi").outs[0].commands == (("menu", "Danh mục"),)
    assert render([commands, Reply("Xin chào")], ZALO, "vi").outs[0].text == "Xin chào"
    assert len(render([commands], ZALO, "vi").outs) == 0


def test_choose_by_number_by_words_and_going_back():
    menu = (PLAN, ASSESS, RESULT, BACK)
    assert choose("2", menu) == ASSESS
    assert choose(" 4 ", menu) == BACK
    assert choose("5", menu) is None
    assert choose("0", menu) == BACK
    assert choose("quay lại", menu) == BACK
    assert choose("Quay lai", menu) == BACK
    assert choose("Tự đánh giá", menu) == ASSESS
    assert choose("tu danh gia", menu) == ASSESS  # without tone marks
    assert choose("KẾT QUẢ", menu) == RESULT
    assert choose("kế hoạch", menu) == PLAN  # a part of one option's words
    assert choose("xin chào", menu) is None  # goes to the conversation as typed
    assert choose("", menu) is None
    assert choose("2", ()) is None


def test_choose_without_a_back_option_picks_nothing_for_0():
    assert choose("0", (PLAN, ASSESS)) is None
    assert choose("quay lại", (PLAN, ASSESS)) is None


def test_choose_takes_values_as_written_not_as_numbers():
    menu = (*SCORES, BACK, SUMMARY)
    assert choose("4,5", menu) == SCORES[1]
    assert choose("5", menu) == SCORES[0]
    assert choose("0", menu) == SCORES[2]  # a score of 0, not "go back"
    assert choose("2", menu) is None  # not a value, and values are not numbered
    assert choose("quay lại", menu) == BACK
    assert choose("tóm tắt", menu) == SUMMARY


def test_choose_picks_nothing_when_the_words_fit_several_options():
    first = Button("⚠️ Không đủ khả năng: nhiệm vụ 1", "pl:x:1")
    second = Button("⚠️ Không đủ khả năng: nhiệm vụ 2", "pl:x:2")
    assert choose("không đủ khả năng", (first, second)) is None
    assert choose("Không đủ khả năng: nhiệm vụ 2", (first, second)) == second
