"""The tables. Every change to them goes through an Alembic migration (storage/migrations).

Times are aware datetimes, stored and read back in UTC (SQLModel refuses naive ones);
the bot shows them in the organization's time zone. JSON columns hold what the core reads or writes
as JSON (criterion scores, a result's breakdown and reasons, conversation data).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    STAFF = "staff"
    DEPUTY = "deputy"
    HEAD = "head"
    DIRECTOR = "director"


class Category(StrEnum):
    CIVIL_SERVANT = "civil_servant"  # công chức
    PUBLIC_EMPLOYEE = "public_employee"  # viên chức
    CONTRACT_WORKER = "contract_worker"  # người lao động


class PeriodStatus(StrEnum):
    PLANNING = "planning"  # the month's plan is being registered
    OPEN = "open"  # self-assessment open
    CLOSED = "closed"  # past the deadline: reviews
    PUBLISHED = "published"  # results sent


class TaskKind(StrEnum):
    PLANNED = "planned"  # kế hoạch công tác tháng
    AD_HOC = "ad_hoc"  # nhiệm vụ phát sinh
    TAKEN_OVER = "taken_over"  # a colleague's planned task the head handed over to the person


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back for correction by a reviewer


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str
    uses_weights: bool = False  # the agency weighs tasks ("quy đổi")
    ruleset: str | None = None  # a built-in name or a TOML path; None: by period
    # the ruleset of each person category the law leaves to the organization (NĐ 335 is for
    # công chức): {"public_employee": "agency-monthly", ...}; a category not named: `ruleset`
    category_rulesets: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    # overrides of the default calendar of the cycle (cycle/calendar.py), e.g.
    # {"deadline_time": "16:30", "opens_working_days_before_end": 2}
    calendar: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    # whether a task may be added outside the catalogue of products (a free task)
    free_tasks: bool = True


class Unit(SQLModel, table=True):
    """A phòng, ban, trung tâm of the organization."""

    __table_args__ = (UniqueConstraint("organization_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str
    name: str


class RoleGroup(SQLModel, table=True):
    """A group of similar roles, within which the quota of A applies."""

    __tablename__ = "role_group"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str
    name: str


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organization_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str  # the roster's id of the person, e.g. "tccb-03"
    full_name: str
    unit_id: int = Field(foreign_key="unit.id", index=True)
    group_id: int = Field(foreign_key="role_group.id", index=True)
    role: Role = Role.STAFF
    category: Category = Category.CIVIL_SERVANT
    language: str = "vi"
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # the messenger the cycle's messages go to; None: the one the person wrote from last
    messenger: str | None = None
    # the job position (vị trí việc làm) whose catalogue of products the person's tasks use
    job_position: str | None = None


class Identity(SQLModel, table=True):
    """A chat account linked to a person; one person may have several platforms."""

    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str  # telegram, zalo, console
    user_id: str
    chat_id: str
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime | None = None  # the person's last message from this chat


class ChatMenu(SQLModel, table=True):
    """The numbered options last shown in a chat of a messenger without buttons; a typed
    number or the option's words answer it (`delivery.render.choose`)."""

    __tablename__ = "chat_menu"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    chat_id: str
    options: list[Any] = Field(default_factory=list, sa_column=Column(JSON))  # [label, payload]
    shown_at: datetime = Field(default_factory=utcnow)


class Lease(SQLModel, table=True):
    """Who does a job that only one process may do at a time (the cycle's scheduler, the
    outbox sender of a messenger), until when (`storage.leases`)."""

    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime


class InviteCode(SQLModel, table=True):
    """A single-use registration code; only its SHA-256 is stored."""

    __tablename__ = "invite_code"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    code_hash: str = Field(unique=True, index=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class CodeAttempts(SQLModel, table=True):
    """Wrong registration codes per chat, for the lockout."""

    __tablename__ = "code_attempts"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    chat_id: str
    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None


class Period(SQLModel, table=True):
    """A month of an organization: its plan, self-assessment, reviews and results."""

    __table_args__ = (UniqueConstraint("organization_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    code: str  # "2026-10"
    status: PeriodStatus = PeriodStatus.PLANNING
    # the dates of the cycle, fixed from the calendar when the period is created (UTC)
    plan_until: datetime | None = None  # end of the plan window
    opens_at: datetime | None = None  # self-assessment opening
    deadline: datetime | None = None  # self-assessment deadline
    head_review_by: datetime | None = None
    director_review_by: datetime | None = None
    publish_at: datetime | None = None
    # the last classification run's warnings and quota summary, by locale, until published
    run: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class Task(SQLModel, table=True):
    """A task of a person's period: planned (the base, NĐ 335 Điều 18), or taken over from
    a colleague or ad hoc (extra tasks, counted outside the base)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    kind: TaskKind = TaskKind.PLANNED
    title: str
    deadline: date | None = None
    weight: float = 1.0
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    # reported by the person, before its deadline, as beyond their ability ("không đủ khả
    # năng hoàn thành"): the task stays in their base; the head may hand it to a colleague
    reported_at: datetime | None = None
    report: str | None = None
    # a taken-over task: the id of the colleague's planned task it was handed over from
    # (no foreign key: SQLite adds none to a table in place, and the task is never deleted
    # once reported, since the plan is closed by then)
    source_task_id: int | None = Field(default=None, index=True)  # handed_over finds it
    # the catalogue's product the task is (its factor filled in from its points), or a
    # free task, outside the catalogue of an organization that has one
    catalogue_item_id: int | None = None  # no foreign key: as source_task_id
    free: bool = False
    # the plan file the task was assigned by (`admin import-plan`); a later import of the
    # period removes the tasks it assigned that its file no longer lists, and only those
    imported_from: str | None = None
    # the leader who assigned the task to the person in the chat (`/assign`); None for
    # the tasks the person added and those of a plan file
    assigned_by: int | None = None  # a person's id; no foreign key: as source_task_id


class CatalogueVersion(SQLModel, table=True):
    """A version of an organization's task catalogue (the Ministry's Sổ tay: products per
    job position with points), in force from `effective` until the next version's date."""

    __tablename__ = "catalogue_version"
    __table_args__ = (UniqueConstraint("organization_id", "effective"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    effective: date
    source: str  # the file's name
    imported_at: datetime = Field(default_factory=utcnow)
    imported_by: str | None = None  # who ran the import (the system user), if known


class CatalogueItem(SQLModel, table=True):
    """A product of a job position: its points (a standard product is worth 5) and its
    conversion factor (hệ số quy đổi = points ÷ 5)."""

    __tablename__ = "catalogue_item"
    __table_args__ = (UniqueConstraint("version_id", "job_position", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="catalogue_version.id", index=True)
    job_position: str
    code: str
    title: str
    points: float
    factor: float


class SelfAssessment(SQLModel, table=True):
    """A person's self-assessment of a month (tự đánh giá)."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("person_id", "period_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    status: AssessmentStatus = AssessmentStatus.DRAFT
    general: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON))
    proposed_level: str | None = None
    proposal_reason: str | None = None
    submitted_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class TaskOutcome(SQLModel, table=True):
    """The self-reported outcome of one task within a self-assessment."""

    __tablename__ = "task_outcome"
    __table_args__ = (UniqueConstraint("assessment_id", "task_id"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="self_assessment.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    status: str  # exceeded, on_time, late, not_done (the core's values)
    delays: int = 0
    explanation: str | None = None  # the person's explanation of a task not done
    explanation_status: str = "none"  # none, submitted, approved (set by the reviewer)
    quality_failures: int = 0  # set by the reviewer
    objective_reason: bool = False  # confirmed by the reviewer


class Initiative(SQLModel, table=True):
    """An initiative or proposal reported in a self-assessment (sáng kiến, đề xuất)."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="self_assessment.id", index=True)
    title: str
    approved: bool | None = None  # decided by the reviewer


class Review(SQLModel, table=True):
    """A review of a self-assessment at one stage (head, director), kept up to date: the
    decision and what the reviewer changed. The audit log holds every change of it."""

    __table_args__ = (UniqueConstraint("assessment_id", "stage", name="uq_review_stage"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="self_assessment.id", index=True)
    reviewer_id: int = Field(foreign_key="person.id", index=True)  # the last to act
    stage: str  # head, director
    decision: str | None = None  # agree, change, return; None: not decided yet
    level: str | None = None  # the level set by a change (only ever lower)
    comment: str | None = None  # the reason of a change, or what to correct
    general: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON))
    notes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))  # why lowered
    exemplary: bool = False  # the director marks the exemplary of the month
    rank: int | None = None  # among people tied for the last place at A (1: first)
    # a leader's đ (organising the work) and e (gathering and uniting staff): 1 or 0.5
    # (NĐ 335 Điều 15); None: not rated; the reason of a 0.5 is in `notes`
    organising: float | None = None
    cohesion: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class Result(SQLModel, table=True):
    """The core's verdict on a person's month, kept as the core gave it."""

    __table_args__ = (UniqueConstraint("person_id", "period_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    score: float | None = None
    breakdown: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    computed_level: str | None = None
    level: str | None = None
    reasons: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))  # by locale
    reward_vnd: int = 0
    ruleset: str | None = None  # the basis it was computed on (nd335, agency-monthly...)
    published_at: datetime | None = None


class YearRound(SQLModel, table=True):
    """An organization's annual rating (NĐ 335 Điều 19-20) for one year: its dates, where
    it stands (open: people confirm; closed: heads and the director review; published)
    and the last classification run's warnings and units (`run`, by locale)."""

    __tablename__ = "year_round"
    __table_args__ = (UniqueConstraint("organization_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    year: int
    status: str = "open"  # open, closed (reviews), published
    opens_at: datetime
    confirm_by: datetime  # the people confirm or comment by then
    head_review_by: datetime
    director_review_by: datetime  # then the quota is applied (classify)
    publish_at: datetime  # before the legal deadline (15/12, or 15/01 where special)
    run: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class YearRating(SQLModel, table=True):
    """A person's annual rating: the core's proposal (the mean of the period scores, the
    level, the reasons), the person's confirmation or comment, the head's and the
    director's decisions (agree, or a lower level with the reason) and the final level.
    Every change of a level goes to the audit log (entity `year_rating`)."""

    __tablename__ = "year_rating"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="year_round.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # the period scores the mean was taken of: [{"period", "score", "source"}], source
    # "ours" or the previous agency's name (`ExternalScore`)
    periods: list[Any] = Field(default_factory=list, sa_column=Column(JSON))
    score: float | None = None
    breakdown: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    computed_level: str | None = None  # the core's level before the quota
    level: str | None = None  # final (after the reviewers and the quota)
    reasons: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))  # by locale
    ruleset: str | None = None
    self_level: str | None = None  # the level the person confirmed (the proposal)
    comment: str | None = None  # the person's comment instead of a plain confirmation
    confirmed_at: datetime | None = None
    head_id: int | None = Field(default=None, foreign_key="person.id")
    head_decision: str | None = None  # agree, change
    head_level: str | None = None  # the level a change set (only ever lower)
    head_comment: str | None = None
    head_decided_at: datetime | None = None
    director_id: int | None = Field(default=None, foreign_key="person.id")
    director_decision: str | None = None
    director_level: str | None = None
    director_comment: str | None = None
    director_decided_at: datetime | None = None
    published_at: datetime | None = None


class ExternalScore(SQLModel, table=True):
    """A period score a person earned at a previous agency before a transfer, imported by
    the office: it counts in the year's mean (RULES.md rule 8)."""

    __tablename__ = "external_score"
    __table_args__ = (UniqueConstraint("person_id", "period_code"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period_code: str  # "2026-03" or "2026-Q1"
    score: float
    agency: str  # the previous agency's name
    document: str | None = None  # the paper it came with ("Công văn số 12/SNV")
    recorded_at: datetime = Field(default_factory=utcnow)


class ConversationState(SQLModel, table=True):
    """Where a chat is in a conversation, so that a restart continues it."""

    __tablename__ = "conversation_state"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    chat_id: str
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessedUpdate(SQLModel, table=True):
    """An update already handled: a redelivered one is ignored."""

    __tablename__ = "processed_update"
    __table_args__ = (UniqueConstraint("platform", "update_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    update_id: str
    processed_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Every change of a score or a level: who, when, before, after, why."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")  # None: the system
    entity: str  # self_assessment, task_outcome, review, result
    entity_id: int
    field: str
    before: Any = Field(default=None, sa_column=Column(JSON))
    after: Any = Field(default=None, sa_column=Column(JSON))
    reason: str | None = None


class DisciplineDecision(SQLModel, table=True):
    """A discipline decision about a person (quyết định kỷ luật), as the organization's
    office records it. Never changed once recorded: a mistake is removed (`removed_at`,
    kept for the record) and recorded again; the audit log holds both."""

    __tablename__ = "discipline_decision"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # reprimand (khiển trách), warning (cảnh cáo), salary_downgrade (hạ bậc lương), demotion
    # (giáng chức), dismissal_from_post (cách chức), dismissal (buộc thôi việc), expulsion
    # (khai trừ, the Party's)
    form: str
    dated: date  # the decision's date: it counts in the period and the year of this date
    source: str = "admin"  # admin, party
    # the violation it punishes: a Party and an administrative decision for one violation
    # name the same one (they count once); None: a violation of its own
    violation: str | None = None
    public_duty: bool = True  # conduct in public duty (only then does it make the level D)
    number: str  # the decision's number, "12/QĐ-SNV"
    note: str | None = None
    recorded_by: int | None = Field(default=None, foreign_key="person.id")  # None: an import
    recorded_at: datetime = Field(default_factory=utcnow)
    removed_by: int | None = Field(default=None, foreign_key="person.id")
    removed_at: datetime | None = None  # removed as a mistake: no longer counts


class Conclusion(SQLModel, table=True):
    """A conclusion of the competent authority about a person that makes the level D
    (NĐ 335 Điều 20 khoản 4): degeneration, party_prohibition, example_violation, or, for a
    leader, unit_corruption. Recorded and removed like a discipline decision."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str  # degeneration, party_prohibition, example_violation, unit_corruption
    dated: date  # the conclusion's date: it counts in the period and the year of this date
    number: str  # the document's number or reference, "05-KL/UBKT"
    note: str | None = None
    recorded_by: int | None = Field(default=None, foreign_key="person.id")  # None: an import
    recorded_at: datetime = Field(default_factory=utcnow)
    removed_by: int | None = Field(default=None, foreign_key="person.id")
    removed_at: datetime | None = None


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # given up: the chat blocked the bot, or the message is refused


class OutboxMessage(SQLModel, table=True):
    """A message the cycle produced, sent by the one sender (delivery/sender.py).

    `key` is unique — kind, person, period, step — so that a job that runs twice writes
    nothing twice; a crash between writing and sending loses nothing.
    """

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)  # "remind:so-x:2026-11:nv01:d-1"
    kind: str  # remind, late_list, review, result, warning, digest, ...
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    platform: str
    chat_id: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, index=True)
    not_before: datetime = Field(default_factory=utcnow, index=True)  # quiet hours
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class CycleStep(SQLModel, table=True):
    """A step of an organization's monthly cycle that has been carried out (the ledger
    that makes the scheduler's jobs idempotent and lets a restart catch up)."""

    __tablename__ = "cycle_step"
    __table_args__ = (UniqueConstraint("organization_id", "period_code", "step"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    period_code: str
    step: str  # open, remind:d-2, close, head_review_remind, classify, publish, ...
    done_at: datetime = Field(default_factory=utcnow)
