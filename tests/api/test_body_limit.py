"""The app stops reading an oversized body as it streams in, before FastAPI spools a multipart upload."""

from __future__ import annotations

import asyncio

from starlette.types import Message

from api.main import create_app
from assistant.container import Container
from tests.utils.auth import admin_headers

CHUNK = 1 << 20


def _post_chunked(container: Container, chunks: int) -> tuple[int, int, bytes]:
    """POST /v1/calls with `chunks` MB of multipart body and no Content-Length, straight into the ASGI app;
    the status, how many chunks the app read, and the response body."""
    app = create_app(container)
    auth = next(iter(admin_headers(container).items()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/calls",
        "raw_path": b"/v1/calls",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
        "headers": [
            (b"content-type", b"multipart/form-data; boundary=x"),
            (auth[0].lower().encode(), auth[1].encode()),
        ],
    }
    head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n\r\nRIFF'
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        if read == chunks:
            return {"type": "http.request", "body": b"\r\n--x--\r\n", "more_body": False}
        read += 1
        return {"type": "http.request", "body": (head if read == 1 else b"") + b"\0" * CHUNK, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, read, body


def test_a_chunked_upload_is_refused_once_it_passes_the_limit(container: Container) -> None:
    container.settings.max_upload_mb = 2
    status, read, body = _post_chunked(container, chunks=64)
    assert status == 413
    assert b"2 MB" in body
    assert read <= 4  # the limit plus the envelope allowance, not the 64 MB offered
    assert not [p for p in container.settings.audio_dir.rglob("*") if p.is_file()]
