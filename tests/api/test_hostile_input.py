"""Hostile or careless input is refused with a clear 4xx and leaves nothing stored: oversized chat questions
(API and CLI), malformed webhook bodies and headers, recordings with too many channels."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from assistant import cli
from assistant.cli import common
from assistant.container import Container
from assistant.crm.signatures import GENERIC_SIGNATURE, GENERIC_TIMESTAMP, generic_headers
from assistant.db.models import Call, WebhookEvent
from assistant.errors import InvalidInputError

SECRET = "inbound-generic-secret"


def stored(container: Container) -> tuple[int, int, list[Path]]:
    """Calls, webhook events and stored files."""
    with container.sessions() as session:
        calls = int(session.scalar(select(func.count()).select_from(Call)) or 0)
        events = int(session.scalar(select(func.count()).select_from(WebhookEvent)) or 0)
    return calls, events, [p for p in container.settings.audio_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize("path", ["/v1/chat", "/v1/chat/stream"])
def test_a_question_over_the_limit_is_422_with_the_limit_in_the_message(
    client: TestClient, container: Container, path: str
) -> None:
    container.settings.max_question_chars = 100
    response = client.post(path, json={"question": "x" * 101})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "The question is 101 characters long; the limit is 100."
    # At the limit the question is answered (with no calls indexed: no evidence).
    assert client.post(path, json={"question": "x" * 100}).status_code == 200


def test_the_default_limit_is_2000_characters(client: TestClient) -> None:
    response = client.post("/v1/chat", json={"question": "why? " * 401})
    assert response.status_code == 422
    assert "the limit is 2,000" in response.json()["detail"]


def test_cli_ask_refuses_a_question_over_the_limit(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "open_container", lambda *_: container)
    container.settings.max_question_chars = 10
    result = CliRunner().invoke(cli.app, ["ask", "What do prospects say?"])
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidInputError)
    assert result.exception.message == "The question is 22 characters long; the limit is 10."


def signed(client: TestClient, body: bytes) -> tuple[int, str]:
    response = client.post(
        "/v1/webhooks/generic",
        content=body,
        headers={"Content-Type": "application/json", **generic_headers(SECRET, body)},
    )
    return response.status_code, response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"event_id": "e1", "recording_url": ', "not valid JSON"),
        (b'{"event_id": "\xff\xfe", "recording_base64": "AAAA"}', "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'["e1", "https://example.com/a.wav"]', "body: Input should be a valid dictionary"),
        (json.dumps({"event_id": 7, "recording_url": "https://example.com/a.wav"}).encode(), "event_id"),
        (json.dumps({"event_id": "e1", "recording_base64": "AAAA", "rep_channel": "middle"}).encode(), "rep_channel"),
        (json.dumps({"event_id": "e1", "recording_base64": "AAAA", "participant_emails": "a@b.c"}).encode(), "list"),
        (json.dumps({"event_id": "e1", "recording_base64": "AAAA", "shell": "rm -rf /"}).encode(), "shell"),
        (json.dumps({"event_id": "e1", "recording_base64": "not base64!"}).encode(), "not valid base64"),
    ],
)
def test_malformed_webhook_body_is_422_and_stores_nothing(
    client: TestClient, container: Container, body: bytes, message: str
) -> None:
    container.settings.inbound_webhook_secret = SECRET
    status, detail = signed(client, body)
    assert status == 422, detail
    assert message in detail
    assert stored(container) == (0, 0, [])


@pytest.mark.parametrize("timestamp", ["²".encode("latin-1"), b"1e9", b"-5", b""])
def test_malformed_signature_headers_are_401(client: TestClient, container: Container, timestamp: bytes) -> None:
    container.settings.inbound_webhook_secret = SECRET
    body = b'{"event_id": "e1", "recording_base64": "AAAA"}'
    headers = {
        GENERIC_TIMESTAMP.encode(): timestamp,
        GENERIC_SIGNATURE.encode(): b"00",
        b"Content-Type": b"application/json",
    }
    response = client.post("/v1/webhooks/generic", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert stored(container) == (0, 0, [])


def tone_wav(channels: int) -> bytes:
    """One second of a tone on every channel, 16-bit PCM."""
    samples = (np.sin(np.linspace(0, 440 * 2 * np.pi, 16_000)) * 8000).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(np.repeat(samples[:, None], channels, axis=1).tobytes())
    return buffer.getvalue()


def test_a_recording_with_more_channels_than_allowed_is_422_and_stores_nothing(
    client: TestClient, container: Container
) -> None:
    response = client.post("/v1/calls", files={"file": ("meeting.wav", tone_wav(6), "audio/wav")})
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "'meeting.wav' has 6 audio channels; the limit is 2 (mono, or stereo with one speaker per channel)."
    )
    assert stored(container) == (0, 0, [])

    container.settings.max_audio_channels = 1
    response = client.post("/v1/calls", files={"file": ("stereo.wav", tone_wav(2), "audio/wav")})
    assert response.status_code == 422 and "has 2 audio channels; the limit is 1" in response.json()["detail"]
    assert stored(container) == (0, 0, [])
