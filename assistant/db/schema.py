"""Tables of the need log. Changes go through a new numbered migration in migrations/versions."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20), default="sales")  # sales | manager | trainee
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    segment: Mapped[str] = mapped_column(String(10), default="")  # B2B | B2C | ""
    notes: Mapped[str] = mapped_column(Text, default="")
    trade: Mapped[str] = mapped_column(String(100), default="")  # e.g. 酒店, 农业合作社 (0004)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="coach")  # coach | roleplay | import
    mode: Mapped[str] = mapped_column(String(20), default="live")  # prep | live | roleplay | import
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(80), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="zh")
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scenario_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    account: Mapped[Account | None] = relationship()
    turns: Mapped[list["Turn"]] = relationship(order_by="Turn.idx", back_populates="conversation")


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("conversation_id", "idx"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    idx: Mapped[int] = mapped_column(Integer)  # 1-based position in the conversation
    role: Mapped[str] = mapped_column(String(20))  # customer | sales | coach | trainee | system
    text: Mapped[str] = mapped_column(Text)
    extraction: Mapped[str] = mapped_column(String(10), default="none")  # none|pending|done|failed
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="turns")


class Need(Base):
    __tablename__ = "needs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id"), nullable=True, index=True
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    statement: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(200), default="", index=True)
    kind: Mapped[str] = mapped_column(String(10))
    dimension: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(30))
    motive: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="hypothesis")
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    ltc_stage: Mapped[str] = mapped_column(String(20), default="lead")
    source: Mapped[str] = mapped_column(String(20), default="live")
    review_state: Mapped[str] = mapped_column(String(20), default="ai_suggested")
    author: Mapped[str] = mapped_column(String(80), default="")
    rejected: Mapped[bool] = mapped_column(Boolean, default=False)
    # the need's life (assistant/accounts/lifecycle.py), since when it is in that state, and the
    # knowledge entries it was reasoned from (0004)
    lifecycle: Mapped[str] = mapped_column(String(20), default="hypothesis")
    stage_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    knowledge_refs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    account: Mapped[Account | None] = relationship()


class NeedTransition(Base):
    """One dated move of a need through its life (hypothesis → confirmed → … → delivered)."""

    __tablename__ = "need_transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80), default="")
    via: Mapped[str] = mapped_column(String(20), default="manual")  # manual | web | cli | conversation
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OpenItem(Base):
    """What a conversation left open (0005): a promise (the salesperson will come back with
    something), a question (the customer could not answer, or it is someone else's call), a
    deferred need (raised, not taken up), a hypothesis (suspected, never confirmed). Open
    until a later conversation of the account takes it up (``closed_in``) or someone closes it."""

    __tablename__ = "open_items"
    __table_args__ = (UniqueConstraint("conversation_id", "turn", "kind", name="uq_open_items_turn_kind"),
                      Index("ix_open_items_account_status", "account_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    turn: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(20), default="")  # customer | sales
    kind: Mapped[str] = mapped_column(String(20))  # promise | question | deferred | hypothesis
    text: Mapped[str] = mapped_column(Text)  # the sentence, verbatim
    words: Mapped[str] = mapped_column(Text, default="")  # the words it was read from
    context: Mapped[str] = mapped_column(Text, default="")  # what the other side had just said
    author: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str] = mapped_column(String(80), default="")
    closed_in: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), nullable=True)
    closed_turn: Mapped[int | None] = mapped_column(Integer, nullable=True)
    close_note: Mapped[str] = mapped_column(Text, default="")


class NeedEdit(Base):
    """Audit trail: one row per changed field of a need."""

    __tablename__ = "need_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id"), index=True)
    editor: Mapped[str] = mapped_column(String(80), default="")
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SentenceVector(Base):
    """A sentence's vector from the shipped embedder, kept so a brief in a new process does
    not embed the team's need statements again (key: sha256 of space and text)."""

    __tablename__ = "sentence_vectors"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class RoleplayAttempt(Base):
    """A finished role-play with its scorecard (managers review these)."""

    __tablename__ = "roleplay_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    trainee: Mapped[str] = mapped_column(String(80), default="", index=True)
    score: Mapped[float] = mapped_column(Float)
    uncovered: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    scorecard: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignInAttempt(Base):
    """One sign-in attempt (never the password): fail | ok | refused (throttled or locked,
    the password was not checked) | unlock (a manager cleared the user name's failures)."""

    __tablename__ = "sign_in_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    client: Mapped[str] = mapped_column(String(100), default="")
    outcome: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(80), default="")  # who unlocked
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
