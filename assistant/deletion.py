"""Deleting a call from every store: its database rows, its index entries and its stored file.

One conditional DELETE removes the call; the database cascades it to speakers, segments, analyses, jobs,
CRM outbox rows (in every state: what a delivered write-back put in the CRM stays there, Callsight keeps
no copy) and inbound webhook events. It is refused while a worker holds the call's lease or a CRM delivery
of it is in flight; the same condition in the DELETE makes that safe against a worker claiming the call at
that moment. A call that is only queued is deleted at once: its task later finds no call and does nothing.
The index entries go before the transaction commits (a failure there leaves the call whole, to delete again),
the file after it, so nothing is left that the database no longer knows about.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, exists, or_, select

from assistant.container import Container
from assistant.db.models import Call, OutboxItem, OutboxStatus, utcnow
from assistant.db.session import session_scope
from assistant.errors import ConflictError, NotFoundError


def delete_call(container: Container, call_id: str) -> None:
    """Remove the call everywhere; NotFoundError if there is none, ConflictError while it is being processed."""
    now = utcnow()
    delivering = exists().where(
        OutboxItem.call_id == call_id,
        OutboxItem.status == OutboxStatus.DELIVERING,
        OutboxItem.locked_until > now,
    )
    with session_scope(container.sessions) as session:
        call = session.get(Call, call_id)
        if call is None:
            raise NotFoundError(f"No call with id {call_id}.")
        media_path, sha256, status = Path(call.media_path), call.media_sha256, call.status
        deleted = session.execute(
            delete(Call)
            .where(Call.id == call_id, or_(Call.lease_until.is_(None), Call.lease_until < now), ~delivering)
            .execution_options(synchronize_session=False)
        )
        if not deleted.rowcount:  # type: ignore[attr-defined]
            raise ConflictError(
                f"Call {call_id} is being processed ({status}) or written back to the CRM; "
                "delete it once that has finished."
            )
        container.index.delete_call(call_id)
    _delete_file(container, media_path, sha256)


def _delete_file(container: Container, path: Path, sha256: str) -> None:
    # The hash is unique per call, but the same bytes uploaded again while this call was being deleted make a
    # new call on the same file: it keeps the file.
    with session_scope(container.sessions) as session:
        if session.scalar(select(Call.id).where(Call.media_sha256 == sha256)) is None:
            container.media.delete(path)
