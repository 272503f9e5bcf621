"""Calls: upload, list, show, retry, re-analyse."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from api.deps import ContainerDep
from assistant import calls, deletion
from assistant.errors import UploadTooLargeError
from assistant.schemas import CallAccepted, CallPublic, CallsPublic, ReanalyzeRequest

router = APIRouter(prefix="/v1/calls", tags=["calls"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=CallAccepted)
async def upload_call(
    request: Request,
    container: ContainerDep,
    file: Annotated[UploadFile, File(description="Audio (wav, mp3, m4a, mp4, ogg, webm, flac) or transcript.")],
    metadata: Annotated[str | None, Form(description="JSON object: title, rep, account, lead_source, ...")] = None,
    title: Annotated[str | None, Form()] = None,
    rep_channel: Annotated[str | None, Form(description="left or right, for dual-channel recordings")] = None,
) -> CallAccepted:
    """Store the upload (on disk before we answer) and queue it; the same file twice is the same call."""
    limit = container.settings.max_upload_mb * (1 << 20)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + (1 << 20):  # allow for the multipart envelope
        raise UploadTooLargeError(f"The upload is larger than the limit of {container.settings.max_upload_mb} MB.")
    meta = calls.parse_metadata(metadata)
    return await run_in_threadpool(
        calls.accept_upload,
        container,
        file.file,
        file.filename or "upload",
        metadata=meta,
        title=title,
        rep_channel=rep_channel or None,
    )


@router.get("", response_model=CallsPublic)
def list_calls(
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    status: str | None = None,
) -> CallsPublic:
    data = calls.list_calls(container, limit=limit, offset=offset, status=status)
    return CallsPublic(data=data, count=len(data))


@router.post("/reanalyze", status_code=status.HTTP_202_ACCEPTED, response_model=list[CallAccepted])
def reanalyze_calls(container: ContainerDep, body: ReanalyzeRequest) -> list[CallAccepted]:
    """Re-run analysis (not transcription) under the active criteria version, for some or all finished calls."""
    return [CallAccepted(id=i, status="queued", created=False) for i in calls.reanalyze(container, body.call_ids)]


@router.get("/{call_id}", response_model=CallPublic)
def get_call(container: ContainerDep, call_id: str) -> CallPublic:
    return calls.get_call(container, call_id)


@router.delete("/{call_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_call(container: ContainerDep, call_id: str) -> Response:
    """Delete the call's recording, transcript, analyses, index entries and CRM outbox rows; 409 while it is
    being processed, 404 when there is no such call (also the second time)."""
    deletion.delete_call(container, call_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{call_id}/reanalyze", status_code=status.HTTP_202_ACCEPTED, response_model=CallAccepted)
def reanalyze_call(container: ContainerDep, call_id: str) -> CallAccepted:
    """Re-run analysis of one call under the active criteria version; its transcript is kept."""
    calls.reanalyze(container, [call_id])
    return CallAccepted(id=call_id, status="queued", created=False)


@router.post("/{call_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=CallAccepted)
def retry_call(container: ContainerDep, call_id: str) -> CallAccepted:
    """Re-run a failed call from the stage that failed."""
    return calls.retry(container, call_id)
