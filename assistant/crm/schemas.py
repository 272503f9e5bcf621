"""Public shapes of the CRM integration: outbox rows, review actions, webhook answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.schemas import UtcDateTime


class OutboxItemPublic(BaseModel):
    id: int
    call_id: str
    analysis_id: int
    provider: str
    idempotency_key: str
    status: str
    attempts: int
    next_attempt_at: UtcDateTime | None
    last_error: str | None
    review_reason: str | None
    target: dict[str, Any] | None
    summary_override: str | None
    remote_id: str | None
    created_at: UtcDateTime
    delivered_at: UtcDateTime | None


class OutboxItemsPublic(BaseModel):
    data: list[OutboxItemPublic]
    count: int


class ReviewEdit(BaseModel):
    """A reviewer's corrected summary; it replaces the model's in the write-back."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1, max_length=20_000)


class ReviewApproval(BaseModel):
    """Approve a parked write-back, optionally with an edited summary and the records to write to (which
    settles an ambiguous match: given ids are used as they are)."""

    model_config = ConfigDict(extra="forbid")

    summary: str | None = Field(None, min_length=1, max_length=20_000)
    contact_id: str | None = Field(None, max_length=100)
    company_id: str | None = Field(None, max_length=100)
    deal_id: str | None = Field(None, max_length=100)


class WebhookAccepted(BaseModel):
    call_id: str
    status: str
    duplicate: bool = Field(description="True when this event was received before: nothing new was stored.")
