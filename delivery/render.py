"""The one renderer: the replies of an outbox row fitted to what a messenger can show.

Each `Out` is one call to the messenger. Texts longer than the messenger's limit are cut
at line ends; without buttons, the buttons of a row become one numbered menu (numbers
running on across its replies) that the person answers with a number, the option's words,
or 0 to go back (`choose`); without documents, a file becomes a short text naming it;
without edits, an edited question is sent as a new message; without a command menu, the
commands are left out (they can still be typed). Handlers never ask which messenger runs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from delivery.messenger import Capabilities, Out
from handlers.events import Button, Document, Reply
from locales import translations


@dataclass(frozen=True, slots=True)
class Rendered:
    outs: list[Out]
    menu: tuple[Button, ...] | None  # the numbered options shown (no buttons), in order


BACK_WORDS = ("0", "quay lại", "quay lai", "trở lại", "back")


def render(replies: list[Reply], capabilities: Capabilities, language: str) -> Rendered:
    """The calls that show `replies` on a messenger with `capabilities`."""
    _ = translations(language).gettext
    outs: list[Out] = []
    options: list[Button] = []
    for reply in replies:
        if reply.commands is not None:
            if capabilities.commands:
                outs.append(Out(commands=reply.commands))
            continue
        if reply.document is not None:
            if _shows(reply.document, capabilities):
                outs.append(Out(document=reply.document))
            else:
                text = _(
                    "📎 The file “{name}” cannot be sent in this messenger; it can be "
                    "opened on Telegram, or asked for from the office."
                ).format(name=reply.document.filename)
                caption = reply.document.caption.strip()
                outs += [Out(text=t) for t in split(_join(caption, text), capabilities)]
            continue
        text = reply.text or "…"
        buttons = reply.buttons
        if buttons and not capabilities.buttons:
            shown = [b for row in buttons for b in row]
            options += shown
            text = _join(text, _menu(shown, len(options) - len(shown), _))
            buttons = ()
        edit = reply.edit and capabilities.edits
        chunks = split(text, capabilities)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            outs.append(
                Out(text=chunk, buttons=buttons if last else (), edit=edit and len(chunks) == 1)
            )
    return Rendered(outs, tuple(options) if options else None)


def choose(text: str, menu: tuple[Button, ...] | list[Button]) -> Button | None:
    """The option a typed answer picks from a menu shown as text: the option's words
    (without emoji, case and tone marks; a value such as "4,5" as written), its number
    where the options are numbered, 0 or "quay lại" for the option that goes back; None
    when it picks nothing (the text then goes to the conversation as typed)."""
    answer = _plain(text)
    if not answer or not menu:
        return None
    exact = [b for b in menu if _plain(b.label) == answer]
    if exact:
        return exact[0]
    if answer.isdigit() and not any(_is_value(b) for b in menu):
        number = int(answer)
        if number == 0:
            return _back(menu)
        return menu[number - 1] if number <= len(menu) else None
    if answer in {_plain(w) for w in BACK_WORDS}:
        return _back(menu)
    words = [b for b in menu if not _is_value(b) and answer in _plain(b.label)]
    return words[0] if len(words) == 1 else None


def split(text: str, capabilities: Capabilities) -> list[str]:
    """Pieces within the messenger's limit, cut at line ends where possible."""
    limit = capabilities.text_limit
    text = text or "…"
    chunks = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks


def _shows(document: Document, capabilities: Capabilities) -> bool:
    if document.filename.lower().endswith((".png", ".jpg", ".jpeg")):
        return capabilities.images
    return capabilities.documents


def _menu(shown: list[Button], before: int, _) -> str:
    """Options as text. Values (scores: "5", "4,5") are answered as written, so they are
    listed as they are and the other options by their words; otherwise every option is
    numbered (on from `before`, the options of the row's earlier replies)."""
    values = [b.label for b in shown if _is_value(b)]
    if values:
        others = [f"• {b.label}" for b in shown if not _is_value(b)]
        hint = _("Reply with one of the values, or the words of an option.")
        return "\n".join([" · ".join(values), *others, hint])
    lines = [f"{before + n}. {b.label}" for n, b in enumerate(shown, start=1)]
    last = before + len(shown)
    hint = (
        _("Reply with a number (1–{n}) or the option's words; 0 to go back.")
        if _back(shown) is not None
        else _("Reply with a number (1–{n}) or the option's words.")
    ).format(n=last)
    return "\n".join([*lines, hint])


def _is_value(button: Button) -> bool:
    return button.label.strip().replace(",", "").replace(".", "").isdigit()


def _back(options) -> Button | None:
    return next((b for b in options if b.label.lstrip().startswith(("⬅", "↩", "🔙"))), None)


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _plain(text: str) -> str:
    """Lower case, no tone marks (đ kept as d), letters, digits and single spaces only."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())
