"""Relational model: calls, their speakers and transcript, analyses, criteria versions and job runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` with its UTC offset: SQLite hands back naive datetimes for timezone-aware columns, which
    were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def new_id() -> str:
    return uuid.uuid4().hex[:16]


class Base(DeclarativeBase):
    pass


class CallStatus:
    QUEUED = "queued"
    TRANSCRIBING = "transcribing"
    ANALYSING = "analysing"
    INDEXING = "indexing"
    DONE = "done"
    FAILED = "failed"
    ACTIVE = (QUEUED, TRANSCRIBING, ANALYSING, INDEXING)
    SETTLED = (DONE, FAILED)  # nothing more happens to the call unless someone asks (retry, re-analyse)


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=CallStatus.QUEUED, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    failed_stage: Mapped[str | None] = mapped_column(String(20))
    # The uploaded file, content-addressed; the unique hash makes a second upload of it the same call.
    media_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_path: Mapped[str] = mapped_column(String(500))
    media_kind: Mapped[str] = mapped_column(String(20))  # "audio" or "transcript"
    source_filename: Mapped[str] = mapped_column(String(300))
    rep_channel: Mapped[str | None] = mapped_column(String(10))
    duration_s: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(10))
    call_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The name of the API key that uploaded the call (assistant/auth.py); a sales key sees only its own calls.
    # None for the CLI, CRM webhooks and calls from before keys existed: those are visible to admins only.
    uploaded_by: Mapped[str | None] = mapped_column(String(200), index=True)
    # Conversation metrics (talk ratio, monologues, questions...), computed with the transcript.
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    transcribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by a re-analysis request (new criteria, corrected speakers): an older analysis is then stale.
    analysis_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A lease instead of a lock: a worker that dies mid-job lets the lease expire and the job is taken again.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Speaker.id"
    )
    segments: Mapped[list[Segment]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Segment.idx"
    )
    analyses: Mapped[list[Analysis]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Analysis.id"
    )
    jobs: Mapped[list[Job]] = relationship(back_populates="call", cascade="all, delete-orphan", order_by="Job.id")


class Speaker(Base):
    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("call_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="unknown")  # rep | prospect | unknown
    role_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    channel: Mapped[str | None] = mapped_column(String(10))
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    call: Mapped[Call] = relationship(back_populates="speakers")


class Segment(Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("call_id", "idx"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)

    call: Mapped[Call] = relationship(back_populates="segments")
    speaker: Mapped[Speaker] = relationship()


class CriteriaVersion(Base):
    """One saved version of the qualification definition sales and marketing agreed on."""

    __tablename__ = "criteria_versions"
    __table_args__ = (UniqueConstraint("framework", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    framework: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    definition_yaml: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Analysis(Base):
    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    criteria_version_id: Mapped[int] = mapped_column(ForeignKey("criteria_versions.id"))
    llm_model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(20), index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    dropped_evidence: Mapped[int] = mapped_column(Integer, default=0)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    call: Mapped[Call] = relationship(back_populates="analyses")
    criteria_version: Mapped[CriteriaVersion] = relationship()


class Job(Base):
    """One run of the pipeline for a call: what stage it reached and, if it failed, why."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="process")
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    stage: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    call: Mapped[Call] = relationship(back_populates="jobs")


class OutboxStatus:
    PENDING = "pending"  # waiting for (another) delivery attempt
    DELIVERING = "delivering"  # an attempt is running; `locked_until` bounds it if the worker dies
    DELIVERED = "delivered"
    REVIEW = "review"  # parked for a person: approval required, or record matching was ambiguous
    DEAD = "dead"  # gave up: attempts exhausted or a permanent error; retry by hand


class OutboxItem(Base):
    """One write-back of one analysis to one CRM, delivered by the job queue until it succeeds or dies."""

    __tablename__ = "crm_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    # Sent to the CRM (or looked up there) so a retry after a timeout never writes a second record.
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    review_reason: Mapped[str | None] = mapped_column(Text)
    # The CRM records written to ({contact_id, company_id, deal_id}), fixed once matched or approved.
    target: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    summary_override: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remote_id: Mapped[str | None] = mapped_column(String(100))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class WebhookEvent(Base):
    """An inbound CRM webhook already accepted: a repeated delivery of the same event is a no-op."""

    __tablename__ = "crm_webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; `prefix` is the non-secret start shown to tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | sales | marketing
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
