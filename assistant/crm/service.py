"""The outbox as people see it (API and CLI): list dead letters and parked rows, retry, review and approve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from assistant.crm.schemas import OutboxItemPublic, ReviewApproval, ReviewEdit
from assistant.db.models import OutboxItem, OutboxStatus, utcnow
from assistant.db.session import session_scope
from assistant.errors import ConflictError, NotFoundError

if TYPE_CHECKING:
    from assistant.container import Container


def _public(item: OutboxItem) -> OutboxItemPublic:
    return OutboxItemPublic.model_validate(item, from_attributes=True)


def _get(session: Session, item_id: int) -> OutboxItem:
    item = session.get(OutboxItem, item_id)
    if item is None:
        raise NotFoundError(f"No outbox item with id {item_id}.")
    return item


def list_items(
    container: Container, *, status: str | None = None, call_id: str | None = None, limit: int = 50, offset: int = 0
) -> list[OutboxItemPublic]:
    """Outbox rows, newest first."""
    with session_scope(container.sessions) as session:
        query = select(OutboxItem).order_by(OutboxItem.id.desc()).limit(limit).offset(offset)
        if status:
            query = query.where(OutboxItem.status == status)
        if call_id:
            query = query.where(OutboxItem.call_id == call_id)
        return [_public(item) for item in session.scalars(query)]


def get_item(container: Container, item_id: int) -> OutboxItemPublic:
    with session_scope(container.sessions) as session:
        return _public(_get(session, item_id))


def _requeue(container: Container, item_id: int) -> OutboxItemPublic:
    container.queue.enqueue_delivery(item_id)
    return get_item(container, item_id)


def retry(container: Container, item_id: int) -> OutboxItemPublic:
    """Give a dead row (or one whose worker died mid-attempt) a fresh round of attempts."""
    stuck = (OutboxItem.status == OutboxStatus.DELIVERING) & (OutboxItem.locked_until < utcnow())
    with session_scope(container.sessions) as session:
        item = _get(session, item_id)
        reset = session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == item_id, or_(OutboxItem.status == OutboxStatus.DEAD, stuck))
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None, locked_until=None)
        )
        if not reset.rowcount:  # type: ignore[attr-defined]
            raise ConflictError(f"Outbox item {item_id} is {item.status}; only dead items can be retried.")
    return _requeue(container, item_id)


def _in_review(session: Session, item_id: int) -> OutboxItem:
    item = _get(session, item_id)
    if item.status != OutboxStatus.REVIEW:
        raise ConflictError(f"Outbox item {item_id} is {item.status}, not waiting for review.")
    return item


def edit(container: Container, item_id: int, change: ReviewEdit) -> OutboxItemPublic:
    """Replace the summary a parked write-back will carry."""
    with session_scope(container.sessions) as session:
        _in_review(session, item_id).summary_override = change.summary
    return get_item(container, item_id)


def approve(container: Container, item_id: int, approval: ReviewApproval) -> OutboxItemPublic:
    """Release a parked write-back; ids given here are the records it goes to, without matching."""
    with session_scope(container.sessions) as session:
        item = _in_review(session, item_id)
        if approval.summary is not None:
            item.summary_override = approval.summary
        ids = approval.model_dump(include={"contact_id", "company_id", "deal_id"})
        if any(ids.values()):
            item.target = ids
        item.status, item.review_reason, item.approved_at = OutboxStatus.PENDING, None, utcnow()
        item.next_attempt_at = None
    return _requeue(container, item_id)
