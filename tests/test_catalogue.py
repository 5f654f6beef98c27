"""The gettext catalogues: every message of the code translated, compiled and consistent."""

import gettext
import re
import string

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT, person, result_of, run, task

PO = ROOT / "locales/vi/LC_MESSAGES/messages.po"
MO = ROOT / "locales/vi/LC_MESSAGES/messages.mo"


def extracted_ids(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    return {_key(m.id) for m in read_po(pot.open("rb")) if m.id}


def _key(msgid: str | tuple[str, ...]) -> str:
    """A message's key: its msgid, or the singular of a plural message."""
    return msgid[0] if isinstance(msgid, tuple | list) else msgid


def _text(msgstr: str | tuple[str, ...]) -> str:
    return msgstr[0] if isinstance(msgstr, tuple | list) else msgstr


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    catalogue = read_po(PO.open("rb"))
    translated = {_key(m.id) for m in catalogue if m.id and _text(m.string) and not m.fuzzy}
    missing = sorted(extracted_ids(tmp_path) - translated)
    assert not missing, f"untranslated (run the README's Babel steps): {missing}"


def test_compiled_catalogue_is_up_to_date_with_the_po_file():
    po = {_key(m.id): _text(m.string) for m in read_po(PO.open("rb")) if m.id}
    mo = {_key(m.id): _text(m.string) for m in read_mo(MO.open("rb")) if m.id}
    assert mo == po, "run: pybabel compile -d locales"


def test_translations_keep_the_placeholders_of_the_message():
    for message in read_po(PO.open("rb")):
        if not message.id:
            continue
        source, target = _key(message.id), _text(message.string)
        fields = {f for _, f, _, _ in string.Formatter().parse(source) if f}
        translated = {f for _, f, _, _ in string.Formatter().parse(target) if f}
        assert fields == translated, source


def test_vietnamese_is_the_default_language_of_the_reasons():
    from core import classify

    tasks = [task(f"t{i}") for i in range(9)] + [task("t9", "not_done")]
    data = {"period": "2026-10", "ruleset": "agency-monthly", "people": [person(tasks=tasks)]}
    texts = " ".join(r["text"] for r in classify(data)["people"][0]["reasons"])
    assert "Hoàn thành nhiệm vụ (C)" in texts
    assert "báo cáo giải trình được chấp thuận" in texts


def test_official_level_names_in_vietnamese():
    names = {
        p: result_of(run([person(general=g)], locale="vi"))["reasons"][1]["text"]
        for p, g in [("A", None)]
    }
    assert "Hoàn thành xuất sắc nhiệm vụ" in names["A"]
    vi = gettext.translation("messages", ROOT / "locales", languages=["vi"])
    assert vi.gettext("Good completion of duties (B)") == "Hoàn thành tốt nhiệm vụ (B)"
    assert vi.gettext("Non-completion of duties (D)") == "Không hoàn thành nhiệm vụ (D)"


def test_vietnamese_texts_contain_no_untranslated_english():
    english = set()
    for message in read_po(PO.open("rb")):
        english |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", _key(message.id))}
    result = run(
        [
            person(
                tasks=[
                    task("t1", "late", delays=1),
                    task("t2", "not_done"),
                    task("x", extra=True),
                    task("y", "not_done", extra=True),
                ],
                self_level="A",
                exemplary=True,
                deductions=[{"code": "late_report"}],
                initiatives=[{"id": "i", "approved": True}],
            ),
            person("tp", role="head", discipline=[{"form": "demotion", "date": "2026-10-02"}]),
            person("nv03", tasks=[]),
        ],
        locale="vi",
        ruleset="agency-monthly",
    )
    texts = [r["text"] for p in result["people"] for r in p["reasons"]]
    texts += [w["detail"] for w in result["warnings"]]
    assert len(texts) >= 6
    for text in texts:
        words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
        assert not words & english, text
