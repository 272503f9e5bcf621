"""A call's recording, served with byte ranges so the web player can seek (Starlette's FileResponse answers
`Range` requests with 206 and the requested bytes)."""

from __future__ import annotations

import mimetypes
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from api.auth import CallListener, authenticate
from api.deps import ContainerDep
from api.responses import errors
from assistant import calls
from assistant.errors import NotFoundError

router = APIRouter(prefix="/v1/calls", tags=["calls"], dependencies=[Depends(authenticate)], responses=errors(401, 403))


# The body is the stored file itself; a `Range` request gets 206 with those bytes (416 when out of range).
_MEDIA: dict[str, Any] = {"content": {"audio/*": {}, "video/*": {}, "application/octet-stream": {}}}


@router.get(
    "/{call_id}/audio",
    response_class=FileResponse,
    responses={
        200: {**_MEDIA, "description": "The recording."},
        206: {**_MEDIA, "description": "The requested byte range of the recording."},
        416: {"description": "The requested range is outside the recording."},
        **errors(404),
    },
)
def call_audio(container: ContainerDep, _user: CallListener, call_id: str) -> FileResponse:
    """The uploaded audio or video file as stored; 404 for calls uploaded as transcripts. Not for marketing."""
    path, filename = calls.media_file(container, call_id)
    if not path.is_file():
        raise NotFoundError(f"The recording of call {call_id} is missing from the media store.")
    media_type = mimetypes.guess_type(filename)[0] or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, content_disposition_type="inline", filename=filename)
