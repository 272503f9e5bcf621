"""Refuse request bodies over the upload limit while they stream in.

A route's own check comes too late for uploads: FastAPI parses the whole multipart body (spooling it to a
temporary file) before the route runs, and a chunked request declares no length at all. This ASGI middleware
counts the bytes as the app reads them, so no request, signed in or not, can make the server store more than
`CALLSIGHT_MAX_UPLOAD_MB` (plus room for the multipart envelope).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.config import Settings

# Multipart boundaries, part headers and form fields around the file itself.
ENVELOPE_BYTES = 1 << 20


class BodyLimit:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_mb = self.settings.max_upload_mb
        limit = max_mb * (1 << 20) + ENVELOPE_BYTES
        too_large = f"The upload is larger than the limit of {max_mb} MB."
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            # Refused before a byte of the body is read.
            await JSONResponse({"detail": too_large}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes through FastAPI's body parsing unchanged (any other error
                    # there becomes a 400), and its handler answers 413; what was spooled is discarded.
                    raise HTTPException(413, too_large)
            return message

        await self.app(scope, counting_receive, send)
