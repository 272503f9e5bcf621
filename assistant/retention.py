"""Retention: calls uploaded more than `retention_days` ago are deleted, by every job process on its lease
round (`assistant.lease_keeper`) and by `callsight retention run`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from assistant.container import Container
from assistant.db.models import Call, utcnow
from assistant.db.session import session_scope
from assistant.deletion import delete_call
from assistant.errors import ConflictError, NotFoundError


def delete_expired(container: Container) -> list[str]:
    """Delete the calls older than the retention period (none when it is unset); returns their ids.

    A call being processed is left for the next round; one another process deleted meanwhile is skipped."""
    days = container.settings.retention_days
    if days is None:
        return []
    cutoff = utcnow() - timedelta(days=days)
    with session_scope(container.sessions) as session:
        ids = list(session.scalars(select(Call.id).where(Call.created_at < cutoff).order_by(Call.created_at)))
    deleted = []
    for call_id in ids:
        try:
            delete_call(container, call_id)
        except (ConflictError, NotFoundError):
            continue
        deleted.append(call_id)
    return deleted
