"""Input validation: JSON data in, the core's records out, or an `InputError`.

Every problem is reported with the person (id and position) and the field, and nothing
is guessed: an unknown status, a missing field or a contradiction stops the run.
Optional fields have the defaults of RULES.md (weight 1.0, no delays, no explanation).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from core.errors import InputError
from core.model import (
    Deduction,
    DisciplineDecision,
    DisciplineForm,
    DisciplineSource,
    Explanation,
    Flags,
    HistoryEntry,
    Leadership,
    Level,
    Month,
    MonthStatus,
    Period,
    Person,
    QuotaOverride,
    Request,
    Role,
    Task,
    TaskStatus,
)
from core.ruleset import Ruleset, parse_month
from core.texts import shown
from locales import N_

_STATUS = {s.value: s for s in TaskStatus}
_EXPLANATION = {e.value: e for e in Explanation}
_ROLE = {r.value: r for r in Role}
_LEVEL = {lv.value: lv for lv in Level}
# Party forms map onto the administrative ones; "expulsion" (khai trừ) is the heaviest.
_FORM = {f.value: f for f in DisciplineForm} | {"expulsion": DisciplineForm.DISMISSAL}
_SOURCE = {s.value: s for s in DisciplineSource}
_MONTH_STATUS = {s.value: s for s in MonthStatus}
_FLAG_KEYS = frozenset(Flags._fields)
_INFINITY = float("inf")
_new_tuple = tuple.__new__
_LATE = TaskStatus.LATE  # enum member look-ups are slow in the hot path
_NOT_DONE = TaskStatus.NOT_DONE
_HISTORY_KEYS = frozenset({"id", "period", "level", "score", "unexplained_undone"})

_PERSON_KEYS = frozenset(
    {
        "id",
        "unit",
        "group",
        "role",
        "general",
        "general_review",
        "tasks",
        "initiatives",
        "deductions",
        "discipline",
        "flags",
        "self_level",
        "head_rank",
        "exemplary",
        "months",
        "leadership",
        "name",
        "review_level",
        "review_reason",
    }
)
_TASK_KEYS = frozenset(
    {
        "id",
        "weight",
        "status",
        "quality_failures",
        "delays",
        "explanation",
        "explanation_late",
        "objective_reason",
        "title",
        "kind",
    }
)


def parse_period(value: Any) -> Period:
    """`YYYY-MM` or `YYYY`, else an InputError naming the field `period`."""
    period = _period(value) if isinstance(value, str) else None
    if period is None:
        raise InputError(
            "period",
            N_("must be a month (YYYY-MM) or a year (YYYY), not {value}"),
            value=_show(value),
        )
    return period


@lru_cache(maxsize=4096)
def _period(text: str) -> Period | None:
    if len(text) == 4 and text.isdigit() and int(text) >= 1:
        return Period(int(text))
    return parse_month(text)


def parse_request(data: dict[str, Any], period: Period, ruleset: Ruleset) -> Request:
    """Validate the whole input against `ruleset` (its criteria and method)."""
    people_data = data.get("people")
    if not isinstance(people_data, list):
        raise InputError("people", N_("missing or not a list"))
    people = []
    seen: set[str] = set()
    for index, item in enumerate(people_data):
        person = _Person(item, index, period, ruleset).parse()
        if person.id in seen:
            raise InputError(
                "id", N_("duplicate person id"), person=person.id, index=f"people[{index}]"
            )
        seen.add(person.id)
        people.append(person)
    history = _history(data.get("history", []))
    overrides = _overrides(data.get("quota_overrides", []))
    unknown = set(data) - {
        "period",
        "ruleset",
        "people",
        "history",
        "quota_overrides",
        "organization",
        "unit_names",
        "group_names",
    }
    if unknown:
        raise InputError(sorted(unknown)[0], N_("unknown field"))
    return Request(
        period,
        tuple(people),
        history,
        overrides,
        _names(data, "unit_names"),
        _names(data, "group_names"),
    )


def _names(data: dict[str, Any], field: str) -> dict[str, str]:
    """`{"code": "name"}`: how texts name units or groups (the code where missing)."""
    value = data.get(field, {})
    if not isinstance(value, dict):
        raise InputError(field, N_("must be an object of names by code"))
    for code, name in value.items():
        _text(name, lambda p, c=code, **k: _raise(f"{field}.{c}", p, **k))
    return value


class _Person:
    """Reads one element of `people`; every error names this person and the field."""

    def __init__(self, data: Any, index: int, period: Period, ruleset: Ruleset) -> None:
        self.index = f"people[{index}]"
        self.id: str | None = None
        self.period = period
        self.ruleset = ruleset
        if not isinstance(data, dict):
            self.fail("-", N_("must be an object"))
        self.data = data

    def fail(self, field: str, problem: str, **params: Any):
        raise InputError(field, problem, person=self.id, index=self.index, **params)

    def parse(self) -> Person:
        d = self.data
        self.id = _text(d.get("id"), lambda p, **k: self.fail("id", p, **k))
        if not d.keys() <= _PERSON_KEYS:
            self.fail(sorted(d.keys() - _PERSON_KEYS)[0], N_("unknown field"))
        unit = self.text("unit")
        group = self.text("group")
        role = _ROLE.get(d.get("role")) if type(d.get("role")) is str else None
        if role is None:
            role = self.choice("role", d.get("role"), _ROLE)
        year_roll_up = self.period.is_year and self.ruleset.method == "points"
        if year_roll_up:
            general: dict[str, float] = {}
            review: dict[str, float] = {}
            tasks: tuple[Task, ...] = ()
            months = self.months(required=True)
        else:
            general = self.scores("general", required=True)
            review = self.scores("general_review", required=False)
            tasks = self.tasks()
            months = self.months(required=False) if self.period.is_year else None
        flags = self.flags()
        if flags.unit_corruption and not role.is_leader:
            self.fail("flags.unit_corruption", N_("applies to leaders only"))
        name = d.get("name")
        if name is not None:
            name = self.text("name")
        review_level = self.optional_choice("review_level", _LEVEL)
        review_reason = d.get("review_reason")
        if review_level is not None:
            review_reason = self.text("review_reason")  # a reviewer's level needs its reason
        elif review_reason is not None:
            self.fail("review_reason", N_("given without review_level"))
        return Person(  # positional, in the order of the fields: keywords cost more here
            self.id,
            unit,
            group,
            role,
            general,
            review,
            tasks,
            self.initiatives(),
            self.deductions(),
            self.discipline(),
            flags,
            self.optional_choice("self_level", _LEVEL),
            self.head_rank(),
            self.boolean(d, "exemplary", "exemplary"),
            months,
            self.leadership(role),
            name or self.id,
            review_level,
            review_reason,
        )

    # -- small readers -------------------------------------------------------------------

    def text(self, field: str) -> str:
        value = self.data.get(field)
        if type(value) is str and value and not value.isspace():
            return value
        return _text(value, lambda p, **k: self.fail(field, p, **k))

    def choice(self, field: str, value: Any, choices: dict[str, Any]):
        found = choices.get(value) if isinstance(value, str) else None
        if found is None:
            if value is None:
                self.fail(field, N_("missing"))
            self.fail(
                field,
                N_("unknown value {value}; expected one of {choices}"),
                value=_show(value),
                choices=sorted(choices),
            )
        return found

    def optional_choice(self, field: str, choices: dict[str, Any]):
        value = self.data.get(field)
        return None if value is None else self.choice(field, value, choices)

    def boolean(self, obj: dict[str, Any], key: str, field: str) -> bool:
        value = obj.get(key, False)
        if value is not True and value is not False:
            self.fail(field, N_("must be true or false, not {value}"), value=_show(value))
        return value

    def number(self, value: Any, field: str, *, integer: bool = False, minimum: float = 0) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (integer and not isinstance(value, int))
        ):
            if value is None:
                self.fail(field, N_("missing"))
            if integer:
                self.fail(field, N_("must be a whole number, not {value}"), value=_show(value))
            self.fail(field, N_("must be a number, not {value}"), value=_show(value))
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(field, N_("must be a number, not {value}"), value=_show(value))
        if value < minimum:
            self.fail(field, N_("must be at least {low}, not {value}"), low=minimum, value=value)
        return value

    def list(self, field: str, required: bool = False) -> list[Any]:
        value = self.data.get(field)
        if value is None:
            if required:
                self.fail(field, N_("missing"))
            return []
        if not isinstance(value, list):
            self.fail(field, N_("must be a list"))
        return value

    # -- sections ------------------------------------------------------------------------

    def scores(self, field: str, required: bool) -> dict[str, float]:
        value = self.data.get(field)
        if type(value) is dict and value.keys() == self.ruleset.criterion_keys:
            for score in value.values():  # the common case, checked in one pass
                if (type(score) is not int and type(score) is not float) or not (
                    0 <= score < _INFINITY
                ):
                    break
            else:
                return value
        if value is None:
            if required:
                self.fail(field, N_("missing"))
            return {}
        if not isinstance(value, dict):
            self.fail(field, N_("must be an object of criterion scores"))
        keys = self.ruleset.criterion_keys
        for key in value:
            if key not in keys:
                self.fail(
                    f"{field}.{key}",
                    N_("unknown criterion for ruleset {ruleset}; expected one of {choices}"),
                    ruleset=self.ruleset.name,
                    choices=sorted(keys),
                )
        scores = {}
        for criterion in self.ruleset.criteria:
            if criterion.key not in value:
                if required:
                    self.fail(f"{field}.{criterion.key}", N_("missing"))
                continue
            scores[criterion.key] = self.number(value[criterion.key], f"{field}.{criterion.key}")
        return scores

    def tasks(self) -> tuple[Task, ...]:
        items = self.list("tasks", required=True)
        tasks = []
        ids: set[str] = set()
        for i, t in enumerate(items):
            task = _plain_task(t)
            if task is None or task.id in ids:
                task = self.task(i, t, ids)
            ids.add(task.id)
            tasks.append(task)
        return tuple(tasks)

    def task(self, i: int, t: Any, ids: set[str]) -> Task:
        """Check one task field by field, failing with the first problem found."""
        where = f"tasks[{i}]"
        if not isinstance(t, dict):
            self.fail(where, N_("must be an object"))
        unknown = t.keys() - _TASK_KEYS
        if unknown:
            self.fail(f"{where}.{sorted(unknown)[0]}", N_("unknown field"))
        task_id = _text(t.get("id"), lambda p, **k: self.fail(f"{where}.id", p, **k))
        if task_id in ids:
            self.fail(f"{where}.id", N_("duplicate task id {value}"), value=task_id)
        status = self.choice(f"{where}.status", t.get("status"), _STATUS)
        weight = self.number(t.get("weight", 1.0), f"{where}.weight")
        if weight == 0:
            self.fail(f"{where}.weight", N_("must be greater than 0"))
        failures = self.number(
            t.get("quality_failures", 0), f"{where}.quality_failures", integer=True
        )
        delays = self.number(t.get("delays", 0), f"{where}.delays", integer=True)
        if delays and status is not TaskStatus.LATE:
            self.fail(f"{where}.delays", N_("delays are only possible for a late task"))
        if failures and status is TaskStatus.NOT_DONE:
            self.fail(f"{where}.quality_failures", N_("a task not done has no quality failures"))
        explanation = t.get("explanation", "none")
        explanation = self.choice(f"{where}.explanation", explanation, _EXPLANATION)
        title = t.get("title")
        if title is not None:
            title = _text(title, lambda p, **k: self.fail(f"{where}.title", p, **k))
        return Task(
            task_id,
            weight,
            status,
            failures,
            delays,
            explanation,
            self.boolean(t, "explanation_late", f"{where}.explanation_late"),
            self.boolean(t, "objective_reason", f"{where}.objective_reason"),
            title or task_id,
        )

    def initiatives(self) -> int:
        approved = 0
        for i, item in enumerate(self.list("initiatives")):
            if not isinstance(item, dict):
                self.fail(f"initiatives[{i}]", N_("must be an object"))
            if self.boolean(item, "approved", f"initiatives[{i}].approved"):
                approved += 1
        return approved

    def deductions(self) -> tuple[Deduction, ...]:
        result = []
        for i, item in enumerate(self.list("deductions")):
            where = f"deductions[{i}]"
            if not isinstance(item, dict):
                self.fail(where, N_("must be an object"))
            code = item.get("code")
            if code is not None:
                kind = self.ruleset.deductions.get(code) if isinstance(code, str) else None
                if kind is None:
                    self.fail(
                        f"{where}.code",
                        N_("unknown deduction for ruleset {ruleset}; expected one of {choices}"),
                        ruleset=self.ruleset.name,
                        choices=sorted(self.ruleset.deductions),
                    )
                count = self.number(item.get("count", 1), f"{where}.count", integer=True, minimum=1)
                result.append(Deduction(code, "", kind.points * count))
            else:
                reason = _text(
                    item.get("reason"), lambda p, w=where, **k: self.fail(f"{w}.reason", p, **k)
                )
                result.append(
                    Deduction(None, reason, self.number(item.get("points"), f"{where}.points"))
                )
        return tuple(result)

    def discipline(self) -> tuple[DisciplineDecision, ...]:
        result = []
        for i, item in enumerate(self.list("discipline")):
            where = f"discipline[{i}]"
            if not isinstance(item, dict):
                self.fail(where, N_("must be an object"))
            form = self.choice(f"{where}.form", item.get("form"), _FORM)
            day = _date(item.get("date"), lambda p, w=where, **k: self.fail(f"{w}.date", p, **k))
            source = self.choice(f"{where}.source", item.get("source", "admin"), _SOURCE)
            violation = item.get("violation")
            if violation is None:
                violation = f"#{i}"  # no id: a violation of its own
            elif not isinstance(violation, str) or not violation:
                self.fail(f"{where}.violation", N_("must be a non-empty text"))
            counted_in = item.get("counted_in")
            if counted_in is not None:
                try:
                    counted_in = parse_period(counted_in)
                except InputError as exc:
                    self.fail(f"{where}.counted_in", exc.message, **exc.params)
            result.append(
                DisciplineDecision(
                    form,
                    day,
                    source,
                    violation,
                    counted_in,
                    self.boolean({"v": item.get("public_duty", True)}, "v", f"{where}.public_duty"),
                )
            )
        return tuple(result)

    def flags(self) -> Flags:
        value = self.data.get("flags")
        if value is None:
            return Flags()
        if not isinstance(value, dict):
            self.fail("flags", N_("must be an object"))
        for key in value:
            if key not in _FLAG_KEYS:
                self.fail(
                    f"flags.{key}",
                    N_("unknown flag; expected one of {choices}"),
                    choices=sorted(_FLAG_KEYS),
                )
        return Flags(*(self.boolean(value, k, f"flags.{k}") for k in Flags._fields))

    def head_rank(self) -> int | None:
        value = self.data.get("head_rank")
        return (
            None if value is None else int(self.number(value, "head_rank", integer=True, minimum=1))
        )

    def months(self, required: bool) -> tuple[Month, ...] | None:
        if self.data.get("months") is None and not required:
            return None
        result = []
        seen: set[Period] = set()
        for i, item in enumerate(self.list("months", required=True)):
            where = f"months[{i}]"
            if not isinstance(item, dict):
                self.fail(where, N_("must be an object"))
            text = item.get("period")
            month = parse_month(text) if isinstance(text, str) else None
            if month is None or month.year != self.period.year:
                self.fail(
                    f"{where}.period",
                    N_("must be a month of {year}, not {value}"),
                    year=str(self.period.year),
                    value=_show(text),
                )
            if month in seen:
                self.fail(f"{where}.period", N_("month {value} given twice"), value=text)
            seen.add(month)
            status = self.choice(f"{where}.status", item.get("status", "worked"), _MONTH_STATUS)
            score = item.get("score")
            if status is MonthStatus.WORKED and self.ruleset.method == "points":
                score = self.number(score, f"{where}.score")
                if score > 100:
                    self.fail(
                        f"{where}.score",
                        N_("must be between {low} and {high}, not {value}"),
                        low=0,
                        high=100,
                        value=score,
                    )
            elif score is not None:
                score = self.number(score, f"{where}.score")
            result.append(Month(month, status, score))
        return tuple(sorted(result))

    def leadership(self, role: Role) -> Leadership | None:
        value = self.data.get("leadership")
        if value is None:
            return None
        if not role.is_leader:
            self.fail("leadership", N_("applies to leaders only"))
        if not isinstance(value, dict):
            self.fail("leadership", N_("must be an object"))
        numbers = []
        for key in Leadership._fields:
            numbers.append(int(self.number(value.get(key), f"leadership.{key}", integer=True)))
        result = Leadership(*numbers)
        if result.units_completed > result.units or result.units_good > result.units_completed:
            self.fail(
                "leadership.units_good",
                N_("units must satisfy units_good <= units_completed <= units"),
            )
        done = result.targets_done
        if (
            max(result.targets_exceeded, result.targets_on_time, done) > result.targets
            or result.targets_on_time > done
        ):
            self.fail(
                "leadership.targets",
                N_("targets must satisfy exceeded, on time <= done <= targets"),
            )
        return result


def _plain_task(t: Any) -> Task | None:
    """A task that is plainly valid, in as few steps as possible; None when in any doubt.

    Large inputs hold hundreds of thousands of tasks: this path keeps validation near the
    cost of reading the JSON. Whatever it does not accept goes to `_Person.task`, which is
    the authority on what is valid and says what is wrong.
    """
    if type(t) is not dict or not t.keys() <= _TASK_KEYS:
        return None
    get = t.get
    task_id = get("id")
    status = get("status")
    status = _STATUS.get(status) if type(status) is str else None
    weight = get("weight", 1.0)
    failures = get("quality_failures", 0)
    delays = get("delays", 0)
    explanation = get("explanation", "none")
    explanation = _EXPLANATION.get(explanation) if type(explanation) is str else None
    late = get("explanation_late", False)
    objective = get("objective_reason", False)
    title = get("title", task_id)
    if (
        type(task_id) is not str
        or not task_id
        or task_id.isspace()
        or status is None
        or explanation is None
        or (type(weight) is not float and type(weight) is not int)
        or not 0 < weight < _INFINITY
        or type(failures) is not int
        or failures < 0
        or type(delays) is not int
        or delays < 0
        or (delays and status is not _LATE)
        or (failures and status is _NOT_DONE)
        or (late is not True and late is not False)
        or (objective is not True and objective is not False)
        or type(title) is not str
        or not title
        or title.isspace()
    ):
        return None
    # tuple.__new__ skips the NamedTuple's Python-level __new__: a third of the cost here
    return _new_tuple(
        Task, (task_id, weight, status, failures, delays, explanation, late, objective, title)
    )


def _history(items: Any) -> dict[str, dict[Period, HistoryEntry]]:
    if not isinstance(items, list):
        raise InputError("history", N_("must be a list"))
    history: dict[str, dict[Period, HistoryEntry]] = {}
    for i, item in enumerate(items):
        entry = _plain_history(item) or _checked_history(i, item)
        entries = history.setdefault(entry.id, {})
        if entry.period in entries:
            raise InputError(
                "period",
                N_("period {value} given twice for this person"),
                person=entry.id,
                index=f"history[{i}]",
                value=str(entry.period),
            )
        entries[entry.period] = entry
    return history


def _plain_history(item: Any) -> HistoryEntry | None:
    """A plainly valid history entry, or None to have `_checked_history` say what is wrong."""
    if type(item) is not dict or not item.keys() <= _HISTORY_KEYS:
        return None
    get = item.get
    person = get("id")
    text = get("period")
    level = get("level")
    score = get("score")
    undone = get("unexplained_undone", 0)
    period = _period(text) if type(text) is str else None
    if (
        type(person) is not str
        or not person
        or person.isspace()
        or period is None
        or (level is not None and (type(level) is not str or level not in _LEVEL))
        or (score is not None and type(score) is not float and type(score) is not int)
        or type(undone) is not int
        or undone < 0
    ):
        return None
    return HistoryEntry(person, period, _LEVEL.get(level) if level else None, score, undone)


def _checked_history(i: int, item: Any) -> HistoryEntry:
    where = f"history[{i}]"
    if not isinstance(item, dict):
        raise InputError("-", N_("must be an object"), index=where)
    person = item.get("id")

    def fail(field: str, problem: str, **params: Any):
        raise InputError(
            field,
            problem,
            person=person if isinstance(person, str) else None,
            index=where,
            **params,
        )

    unknown = item.keys() - _HISTORY_KEYS
    if unknown:
        fail(sorted(unknown)[0], N_("unknown field"))
    person = _text(person, lambda p, **k: fail("id", p, **k))
    try:
        period = parse_period(item.get("period"))
    except InputError as exc:
        fail("period", exc.message, **exc.params)
    level = item.get("level")
    if level is not None and (not isinstance(level, str) or level not in _LEVEL):
        fail(
            "level",
            N_("unknown value {value}; expected one of {choices}"),
            value=_show(level),
            choices=sorted(_LEVEL),
        )
    score = item.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        fail("score", N_("must be a number, not {value}"), value=_show(score))
    undone = item.get("unexplained_undone", 0)
    if isinstance(undone, bool) or not isinstance(undone, int) or undone < 0:
        fail("unexplained_undone", N_("must be a whole number, not {value}"), value=_show(undone))
    return HistoryEntry(person, period, _LEVEL.get(level), score, undone)


def _overrides(items: Any) -> tuple[QuotaOverride, ...]:
    if not isinstance(items, list):
        raise InputError("quota_overrides", N_("must be a list"))
    result = []
    for i, item in enumerate(items):
        where = f"quota_overrides[{i}]"
        if not isinstance(item, dict):
            raise InputError(where, N_("must be an object"))
        unit = _text(item.get("unit"), lambda p, w=where, **k: _raise(f"{w}.unit", p, **k))
        group = item.get("group")
        if group is not None:
            group = _text(group, lambda p, w=where, **k: _raise(f"{w}.group", p, **k))
        cap = item.get("cap")
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
            raise InputError(
                f"{where}.cap", N_("must be a whole number, not {value}"), value=_show(cap)
            )
        result.append(QuotaOverride(unit, group, cap))
    return tuple(result)


def _raise(field: str, problem: str, **params: Any):
    raise InputError(field, problem, **params)


def _text(value: Any, fail) -> str:
    if not isinstance(value, str) or not value.strip():
        if value is None:
            fail(N_("missing"))
        fail(N_("must be a non-empty text, not {value}"), value=_show(value))
    return value


def _date(value: Any, fail) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if value is None:
        fail(N_("missing"))
    fail(N_("must be a date written YYYY-MM-DD, not {value}"), value=_show(value))


def _show(value: Any) -> str:
    """A short, safe rendering of a bad value for an error line."""
    return shown(value, limit=40)
