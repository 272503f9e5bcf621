"""The durable outbox: one row per (call, analysis, provider), delivered by the job queue with exponential
backoff until the CRM has exactly one record of it, parked for review, or dead."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from assistant.config import Settings
from assistant.crm.content import build_write_back
from assistant.crm.matching import NeedsReview, resolve_target
from assistant.crm.providers import DeliveryError, Target, build_provider, open_http
from assistant.db.models import Analysis, Call, OutboxItem, OutboxStatus, utcnow
from assistant.db.session import session_scope

if TYPE_CHECKING:
    from assistant.container import Container

log = logging.getLogger(__name__)


def idempotency_key(provider: str, call_id: str, analysis_id: int) -> str:
    """Stable per (call, analysis, provider): a re-analysis is a new write, a retry is the same one."""
    return f"callsight-{call_id}-{analysis_id}-{provider}"


def add_rows(session: Session, settings: Settings, call_id: str) -> list[int]:
    """In the caller's transaction: the outbox row for the call's newest analysis, if its metadata names a CRM
    and the row does not exist yet. Returns the ids of rows ready to deliver now."""
    call = session.get_one(Call, call_id)
    provider = ((call.call_metadata or {}).get("crm") or {}).get("provider")
    analysis_id = session.scalar(select(Analysis.id).where(Analysis.call_id == call_id).order_by(Analysis.id.desc()))
    if not provider or analysis_id is None:
        return []
    key = idempotency_key(provider, call_id, analysis_id)
    if session.scalar(select(OutboxItem.id).where(OutboxItem.idempotency_key == key)) is not None:
        return []
    review = settings.crm_review_required
    item = OutboxItem(
        call_id=call_id,
        analysis_id=analysis_id,
        provider=provider,
        idempotency_key=key,
        status=OutboxStatus.REVIEW if review else OutboxStatus.PENDING,
        review_reason="approval required before write-back" if review else None,
    )
    session.add(item)
    session.flush()
    return [] if review else [item.id]


def backoff_s(
    settings: Settings, attempts: int, retry_after: float | None, *, jitter: Callable[[], float] = random.random
) -> float:
    """Exponential delay after the `attempts`-th failure, capped, then jittered down by up to half so rows that
    failed together (a CRM outage) do not all retry in the same second; never sooner than the CRM's
    Retry-After."""
    delay = min(settings.crm_backoff_base_s * 2 ** max(attempts - 1, 0), settings.crm_backoff_max_s)
    return max(delay * (1 - jitter() / 2), retry_after or 0.0)


def _lock(settings: Settings) -> timedelta:
    # A delivery makes at most four requests, each bounded by the timeout; past this a worker is presumed dead.
    return timedelta(seconds=settings.crm_timeout_s * 6 + 60)


def _claim(container: Container, item_id: int) -> bool:
    """One UPDATE decides which worker makes the attempt; a scheduled retry is not run before its time."""
    now = utcnow()
    with session_scope(container.sessions) as session:
        claimed = session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.id == item_id,
                or_(
                    (OutboxItem.status == OutboxStatus.PENDING)
                    & or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= now),
                    (OutboxItem.status == OutboxStatus.DELIVERING) & (OutboxItem.locked_until < now),
                ),
            )
            .values(
                status=OutboxStatus.DELIVERING,
                attempts=OutboxItem.attempts + 1,
                locked_until=now + _lock(container.settings),
            )
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _metadata_target(metadata: dict[str, Any]) -> Target:
    crm = metadata.get("crm") or {}
    return Target(crm.get("contact_id"), crm.get("company_id"), crm.get("deal_id"))


def deliver(container: Container, item_id: int) -> None:
    """One delivery attempt (the job queue's task); every outcome is recorded on the row, nothing is raised."""
    if not _claim(container, item_id):
        return
    settings = container.settings
    with session_scope(container.sessions) as session:
        item = session.get_one(OutboxItem, item_id)
        call = session.get_one(Call, item.call_id)
        analysis = session.get_one(Analysis, item.analysis_id)
        write_back = build_write_back(call, analysis, item.summary_override, redact_pii=settings.redact_pii)
        metadata = call.call_metadata or {}
        fixed = Target(**item.target) if item.target else None
        key, provider_name = item.idempotency_key, item.provider
    target = fixed
    try:
        with open_http(settings) as http:
            provider = build_provider(provider_name, settings, http)
            if target is None:
                emails = metadata.get("participant_emails") or []
                target = resolve_target(_metadata_target(metadata), emails, provider.directory())
            remote_id = provider.deliver(key, write_back, target)
    except NeedsReview as exc:
        _record(container, item_id, status=OutboxStatus.REVIEW, review_reason=exc.reason)
    except DeliveryError as exc:
        _failed(container, item_id, exc, target)
    except Exception as exc:  # a bug or a malformed CRM reply: keep it visible and bounded by max attempts
        log.exception("outbox item %s failed", item_id)
        _failed(container, item_id, DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True), target)
    else:
        _record(
            container,
            item_id,
            status=OutboxStatus.DELIVERED,
            remote_id=remote_id,
            target=target.as_dict(),
            delivered_at=utcnow(),
            last_error=None,
        )


def _record(container: Container, item_id: int, **values: Any) -> None:
    with session_scope(container.sessions) as session:
        session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(locked_until=None, **values))


def _failed(container: Container, item_id: int, exc: DeliveryError, target: Target | None) -> None:
    settings = container.settings
    with session_scope(container.sessions) as session:
        attempts = session.get_one(OutboxItem, item_id).attempts
    matched = {"target": target.as_dict()} if target is not None else {}
    if not exc.retryable or attempts >= settings.crm_max_attempts:
        log.warning("outbox item %s is dead after %s attempt(s): %s", item_id, attempts, exc.message)
        _record(container, item_id, status=OutboxStatus.DEAD, last_error=exc.message, **matched)
        return
    delay = backoff_s(settings, attempts, exc.retry_after)
    _record(
        container,
        item_id,
        status=OutboxStatus.PENDING,
        last_error=exc.message,
        next_attempt_at=utcnow() + timedelta(seconds=delay),
        **matched,
    )
    container.queue.enqueue_delivery(item_id, delay_s=delay)


def resume_deliveries(container: Container) -> int:
    """Queue again every row not settled, at its due time: a crashed process may have lost its task. A row
    that still has one is safe to queue twice, since the claim runs one attempt and never before its time."""
    now = utcnow()
    with session_scope(container.sessions) as session:
        rows = session.execute(
            select(OutboxItem.id, OutboxItem.status, OutboxItem.next_attempt_at, OutboxItem.locked_until).where(
                OutboxItem.status.in_((OutboxStatus.PENDING, OutboxStatus.DELIVERING))
            )
        ).all()
    for item_id, status, next_attempt_at, locked_until in rows:
        due = next_attempt_at if status == OutboxStatus.PENDING else locked_until
        # SQLite hands back naive datetimes for timezone-aware columns.
        due = due.replace(tzinfo=UTC) if due is not None and due.tzinfo is None else due
        container.queue.enqueue_delivery(item_id, delay_s=max((due - now).total_seconds(), 0) if due else 0)
    return len(rows)
