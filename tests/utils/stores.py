"""Look for a call in every store it can leave traces in: each database table, the media dir, the index."""

from __future__ import annotations

from chromadb.api.types import GetResult, Where
from sqlalchemy import func, select

from assistant.container import Container
from assistant.db.models import Analysis, Call, Job, OutboxItem, Segment, Speaker, WebhookEvent
from assistant.index.store import open_client

CALL_TABLES = (Speaker, Segment, Analysis, Job, OutboxItem, WebhookEvent)


def traces_of(container: Container, call_id: str, media_sha256: str) -> dict[str, int]:
    """How many rows, files and index entries of the call each store holds (all zero once it is deleted)."""
    counts: dict[str, int] = {}
    with container.sessions() as session:
        counts["calls"] = int(session.scalar(select(func.count()).where(Call.id == call_id)) or 0)
        for model in CALL_TABLES:
            query = select(func.count()).select_from(model).where(model.call_id == call_id)
            counts[str(model.__tablename__)] = int(session.scalar(query) or 0)
    counts["media files"] = len(list(container.settings.audio_dir.glob(f"*/{media_sha256}*")))
    counts["index entries"] = len(index_entries(container, call_id)["ids"])
    return counts


def index_entries(container: Container, call_id: str | None = None) -> GetResult:
    """The index's items read back through a client of its own (embedded or server, as configured)."""
    client = open_client(container.settings)
    where: Where | None = {"call_id": call_id} if call_id else None
    return client.get_collection("insights").get(where=where, include=["documents", "metadatas"])
