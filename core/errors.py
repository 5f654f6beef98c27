"""Errors the core reports to its caller, translated when shown."""

from __future__ import annotations

from typing import Any

from core.texts import render
from locales import N_


class CoreError(Exception):
    """An error with an English msgid and parameters; `render` gives the text."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params

    def render(self, locale: str) -> str:
        return render(self.message, self.params, locale)


class InputError(CoreError):
    """The input names an unknown value, misses a field, or contradicts itself.

    `field` is the path of the field (`tasks[1].status`); `person` the id of the person
    it belongs to, with `index` their position in `people` (or `history`).
    """

    def __init__(
        self,
        field: str,
        problem: str,
        *,
        person: str | None = None,
        index: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(problem, **params)
        self.field = field
        self.person = person
        self.index = index

    def render(self, locale: str) -> str:
        problem = super().render(locale)
        if self.person is not None:
            return render(
                N_("person {person} ({index}), field {field}: {problem}"),
                {
                    "person": self.person,
                    "index": self.index,
                    "field": self.field,
                    "problem": problem,
                },
                locale,
            )
        if self.index is not None:
            return render(
                N_("{index}, field {field}: {problem}"),
                {"index": self.index, "field": self.field, "problem": problem},
                locale,
            )
        return render(
            N_("field {field}: {problem}"), {"field": self.field, "problem": problem}, locale
        )


class RulesetError(CoreError):
    """A ruleset file is missing, unreadable, or has a wrong key or value."""

    def __init__(self, source: str, key: str, problem: str, **params: Any) -> None:
        super().__init__(problem, **params)
        self.source = source
        self.key = key

    def render(self, locale: str) -> str:
        return render(
            N_("ruleset {source}, key {key}: {problem}"),
            {"source": self.source, "key": self.key, "problem": super().render(locale)},
            locale,
        )
