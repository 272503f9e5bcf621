"""A call's recording, served with byte ranges so the web player can seek (Starlette's FileResponse answers
`Range` requests with 206 and the requested bytes)."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.deps import ContainerDep
from assistant import calls
from assistant.errors import NotFoundError

router = APIRouter(prefix="/v1/calls", tags=["calls"])


@router.get("/{call_id}/audio", response_class=FileResponse)
def call_audio(container: ContainerDep, call_id: str) -> FileResponse:
    """The uploaded audio or video file as stored; 404 for calls uploaded as transcripts."""
    path, filename = calls.media_file(container, call_id)
    if not path.is_file():
        raise NotFoundError(f"The recording of call {call_id} is missing from the media store.")
    media_type = mimetypes.guess_type(filename)[0] or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, content_disposition_type="inline", filename=filename)
