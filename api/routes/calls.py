"""Calls: upload, list, show, retry, re-analyse."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from api.auth import CallChanger, CallReader, CurrentUser, authenticate, permit
from api.deps import ContainerDep, Offset
from api.responses import errors
from assistant import auth, calls, deletion
from assistant.auth import Action, Principal
from assistant.errors import ConflictError, NotFoundError
from assistant.schemas import CallAccepted, CallPublic, CallsPublic, ReanalyzeRequest

router = APIRouter(prefix="/v1/calls", tags=["calls"], dependencies=[Depends(authenticate)], responses=errors(401, 403))


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CallAccepted,
    responses=errors(400, 409, 413, 415, 422, 507),
)
async def upload_call(
    container: ContainerDep,
    user: Annotated[Principal, Depends(permit(Action.UPLOAD))],
    file: Annotated[UploadFile, File(description="Audio (wav, mp3, m4a, mp4, ogg, webm, flac) or transcript.")],
    metadata: Annotated[str | None, Form(description="JSON object: title, rep, account, lead_source, ...")] = None,
    title: Annotated[str | None, Form()] = None,
    rep_channel: Annotated[str | None, Form(description="left or right, for dual-channel recordings")] = None,
) -> CallAccepted:
    """Store the upload (on disk before we answer) and queue it; the same file twice is the same call."""
    meta = calls.parse_metadata(metadata)
    accepted = await run_in_threadpool(
        calls.accept_upload,
        container,
        file.file,
        file.filename or "upload",
        metadata=meta,
        title=title,
        rep_channel=rep_channel or None,
        uploaded_by=user.name,
    )
    if not accepted.created:
        try:
            auth.check_call(container, user, accepted.id)
        except NotFoundError:
            # The uploader has the recording anyway; the id of a call they may not read would be no use to them.
            raise ConflictError(
                "This recording is already in Callsight, uploaded by someone else; ask an admin to share it."
            ) from None
    return accepted


@router.get("", response_model=CallsPublic)
def list_calls(
    container: ContainerDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
    status: str | None = None,
) -> CallsPublic:
    """Calls, newest first; a sales key sees the calls it uploaded."""
    data = calls.list_calls(container, limit=limit, offset=offset, status=status, owner=auth.owner_scope(user))
    return CallsPublic(data=data, count=len(data))


@router.post(
    "/reanalyze",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=list[CallAccepted],
    responses=errors(400, 404, 409, 422),
    dependencies=[Depends(permit(Action.ADMINISTER))],
)
def reanalyze_calls(container: ContainerDep, body: ReanalyzeRequest) -> list[CallAccepted]:
    """Re-run analysis (not transcription) under the active criteria version, for some or all finished calls."""
    return [CallAccepted(id=i, status="queued", created=False) for i in calls.reanalyze(container, body.call_ids)]


@router.get("/{call_id}", response_model=CallPublic, responses=errors(404))
def get_call(container: ContainerDep, user: CallReader, call_id: str) -> CallPublic:
    """The call with its transcript; for marketing without `CALLSIGHT_MARKETING_SEES_TRANSCRIPTS` the
    transcript's segments are left out (summary, scorecard and evidence quotes stay)."""
    call = calls.get_call(container, call_id)
    return call if auth.sees_transcripts(user, container.settings) else call.model_copy(update={"segments": []})


@router.delete(
    "/{call_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=errors(404, 409)
)
def delete_call(container: ContainerDep, _user: CallChanger, call_id: str) -> Response:
    """Delete the call's recording, transcript, analyses, index entries and CRM outbox rows; 409 while it is
    being processed, 404 when there is no such call (also the second time)."""
    deletion.delete_call(container, call_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{call_id}/reanalyze",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CallAccepted,
    responses=errors(404, 409),
)
def reanalyze_call(container: ContainerDep, _user: CallChanger, call_id: str) -> CallAccepted:
    """Re-run analysis of one call under the active criteria version; its transcript is kept."""
    calls.reanalyze(container, [call_id])
    return CallAccepted(id=call_id, status="queued", created=False)


@router.post(
    "/{call_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=CallAccepted, responses=errors(404, 409)
)
def retry_call(container: ContainerDep, _user: CallChanger, call_id: str) -> CallAccepted:
    """Re-run a failed call from the stage that failed."""
    return calls.retry(container, call_id)
