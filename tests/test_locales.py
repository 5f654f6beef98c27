"""Vietnamese as the product writes it: names in the order of Vietnamese lists."""

from locales import name_sort_key


def test_names_sort_by_given_name_then_family_and_middle_names():
    names = ["Nguyễn Văn Vân", "Trần Thị Mai", "Lê Minh Tuấn", "Đỗ Văn Mai", "Bùi An"]
    assert sorted(names, key=name_sort_key) == [
        "Bùi An",
        "Đỗ Văn Mai",
        "Trần Thị Mai",
        "Lê Minh Tuấn",
        "Nguyễn Văn Vân",
    ]


def test_letters_with_marks_have_their_own_place_after_the_plain_letter():
    # "Đ" comes after "D", not after "V" (as a byte or code point order would put it)
    assert sorted(["Trần Đào", "Lê Dung", "Phạm Vân"], key=name_sort_key) == [
        "Lê Dung",
        "Trần Đào",
        "Phạm Vân",
    ]
    assert sorted(["Phạm Ân", "Ngô Ăn", "Hoàng Anh", "Lý Bình"], key=name_sort_key) == [
        "Hoàng Anh",
        "Ngô Ăn",
        "Phạm Ân",
        "Lý Bình",
    ]


def test_tones_decide_only_between_equal_letters():
    # ngang, huyền, hỏi, ngã, sắc, nặng; and "Anh" comes after "Án" whatever the tones
    names = ["Lê Án", "Lê Anh", "Lê Ạn", "Lê An", "Lê Àn", "Lê Ãn", "Lê Ản"]
    assert sorted(names, key=name_sort_key) == [
        "Lê An",
        "Lê Àn",
        "Lê Ản",
        "Lê Ãn",
        "Lê Án",
        "Lê Ạn",
        "Lê Anh",
    ]


def test_digits_and_other_characters_do_not_break_the_order():
    assert sorted(["Nguyễn Văn 2", "Nguyễn Văn A", "", "Zoë"], key=name_sort_key)[0] == ""
