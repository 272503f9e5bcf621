"""Drive calls with CRM metadata through the pipeline and wait for their write-backs."""

from __future__ import annotations

import io
import time
from typing import Any

from assistant import calls
from assistant.container import Container
from assistant.crm import service
from assistant.crm.schemas import OutboxItemPublic
from assistant.db.models import OutboxStatus
from assistant.schemas import CallMetadata
from tests.utils.calls import SHORT_CALL

SETTLED = (OutboxStatus.DELIVERED, OutboxStatus.DEAD, OutboxStatus.REVIEW)


def ingest(container: Container, metadata: dict[str, Any], text: str = SHORT_CALL) -> str:
    """Upload a transcript with `metadata`; with an immediate queue it is analysed (and written back) at once."""
    meta = CallMetadata.model_validate(metadata)
    return calls.accept_upload(container, io.BytesIO(text.encode()), "call.txt", metadata=meta).id


def outbox_of(container: Container, call_id: str) -> list[OutboxItemPublic]:
    return service.list_items(container, call_id=call_id)


def wait_settled(container: Container, call_id: str, timeout_s: float = 30.0) -> OutboxItemPublic:
    """The call's single outbox row once it is delivered, dead or parked (a consumer is delivering it)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        items = outbox_of(container, call_id)
        if items and items[0].status in SETTLED:
            assert len(items) == 1, items
            return items[0]
        time.sleep(0.1)
    raise AssertionError(f"the write-back of {call_id} did not settle: {outbox_of(container, call_id)}")
