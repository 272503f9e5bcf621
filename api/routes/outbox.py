"""The CRM write-back outbox: dead letters, retries, and the review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.auth import permit
from api.deps import ContainerDep, Offset, RowId
from api.responses import errors
from assistant.auth import Action
from assistant.crm import service
from assistant.crm.schemas import OutboxItemPublic, OutboxItemsPublic, ReviewApproval, ReviewEdit

router = APIRouter(
    prefix="/v1/outbox",
    tags=["outbox"],
    dependencies=[Depends(permit(Action.ADMINISTER))],
    responses=errors(401, 403),
)


@router.get("", response_model=OutboxItemsPublic)
def list_outbox(
    container: ContainerDep,
    status: Annotated[str | None, Query(description="pending, delivering, delivered, review or dead")] = None,
    call_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> OutboxItemsPublic:
    data = service.list_items(container, status=status, call_id=call_id, limit=limit, offset=offset)
    return OutboxItemsPublic(data=data, count=len(data))


@router.get("/{item_id}", response_model=OutboxItemPublic, responses=errors(404))
def get_outbox_item(container: ContainerDep, item_id: RowId) -> OutboxItemPublic:
    return service.get_item(container, item_id)


@router.post(
    "/{item_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OutboxItemPublic,
    responses=errors(404, 409),
)
def retry_outbox_item(container: ContainerDep, item_id: RowId) -> OutboxItemPublic:
    """Give a dead write-back a fresh round of attempts."""
    return service.retry(container, item_id)


@router.patch("/{item_id}", response_model=OutboxItemPublic, responses=errors(400, 404, 409))
def edit_outbox_item(container: ContainerDep, item_id: RowId, change: ReviewEdit) -> OutboxItemPublic:
    """Edit the summary of a write-back waiting for review."""
    return service.edit(container, item_id, change)


@router.post(
    "/{item_id}/approve",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OutboxItemPublic,
    responses=errors(400, 404, 409),
)
def approve_outbox_item(
    container: ContainerDep, item_id: RowId, approval: ReviewApproval | None = None
) -> OutboxItemPublic:
    """Release a write-back waiting for review, optionally with an edited summary and the records to use."""
    return service.approve(container, item_id, approval or ReviewApproval())
