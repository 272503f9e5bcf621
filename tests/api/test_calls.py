"""Uploading calls over HTTP: the happy path on real audio, duplicates, bad input, failure and retry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.container import Container
from assistant.db.models import Call
from tests.utils.analysis import enqueue_short_call_analysis, enqueue_unknown_analysis
from tests.utils.audio import two_voice_call
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

REP = "Thanks for joining the call today. Could you tell me how your team plans deliveries right now?"
PROSPECT = "We lose about two hours every day fixing mistakes in our delivery schedule."


@pytest.fixture(scope="module")
def stereo_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_voice_call(tmp_path_factory.mktemp("api-audio"), REP, PROSPECT, prospect_starts_s=6.5)


def count_calls(container: Container) -> int:
    with container.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Call)) or 0)


def stored_files(container: Container) -> list[Path]:
    return [p for p in container.settings.audio_dir.rglob("*") if p.is_file()]


def test_stereo_upload_is_transcribed_with_rep_and_prospect(
    client: TestClient, fake_llm: FakeLLM, stereo_call: Path
) -> None:
    enqueue_unknown_analysis(fake_llm)
    metadata = {"rep": "Maya", "lead_source": "webinar", "crm": {"provider": "hubspot", "deal_id": "42"}}
    with stereo_call.open("rb") as fh:
        response = client.post(
            "/v1/calls",
            files={"file": ("call.wav", fh, "audio/wav")},
            data={"rep_channel": "left", "metadata": json.dumps(metadata), "title": "Intro call"},
        )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["created"] is True

    call = client.get(f"/v1/calls/{accepted['id']}").json()
    assert call["status"] == "done", call["error"]
    assert call["title"] == "Intro call"
    assert call["metadata"]["crm"]["deal_id"] == "42"
    roles = {s["label"]: s["role"] for s in call["speakers"]}
    assert roles == {"Left channel": "rep", "Right channel": "prospect"}
    rep_text = " ".join(s["text"] for s in call["segments"] if s["role"] == "rep").lower()
    prospect_text = " ".join(s["text"] for s in call["segments"] if s["role"] == "prospect").lower()
    assert "team plans deliver" in rep_text and "schedule" not in rep_text
    assert "mistakes in our delivery schedule" in prospect_text and "team" not in prospect_text
    assert call["qualification"]["verdict"] == "unknown"
    assert call["analysis"]["criteria_version"] == 1
    assert [c["id"] for c in client.get("/v1/calls").json()["data"]] == [accepted["id"]]


def test_same_file_twice_is_the_same_call(client: TestClient, container: Container, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    first = client.post("/v1/calls", files={"file": ("call.txt", SHORT_CALL.encode(), "text/plain")}).json()
    again = client.post("/v1/calls", files={"file": ("renamed.txt", SHORT_CALL.encode(), "text/plain")}).json()
    assert again == {"id": first["id"], "status": "done", "created": False}
    assert count_calls(container) == 1
    assert len(stored_files(container)) == 1


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("notes.wav", b"this is plainly not audio " * 50, 415, "notes.wav"),
        ("picture.mp3", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, 415, "picture.mp3"),
        ("empty.wav", b"", 422, "empty.wav"),
        ("broken.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 30, 422, "broken.wav"),
    ],
)
def test_bad_upload_is_refused_clearly_and_nothing_is_stored(
    client: TestClient, container: Container, name: str, content: bytes, status: int, message: str
) -> None:
    response = client.post("/v1/calls", files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert count_calls(container) == 0
    assert stored_files(container) == []


def test_bad_metadata_is_refused(client: TestClient, container: Container) -> None:
    files = {"file": ("call.txt", SHORT_CALL.encode(), "text/plain")}
    response = client.post("/v1/calls", files=files, data={"metadata": '{"lead_sauce": "x"}'})
    assert response.status_code == 422
    assert "lead_sauce" in response.json()["detail"]
    response = client.post("/v1/calls", files=files, data={"metadata": "{not json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]
    assert count_calls(container) == 0


def test_unparseable_model_output_fails_the_call_and_retry_resumes_at_analysis(
    client: TestClient, fake_llm: FakeLLM
) -> None:
    fake_llm.enqueue("{broken", "still not json", "nope")  # summary: 1 try + 2 retries
    accepted = client.post("/v1/calls", files={"file": ("call.txt", SHORT_CALL.encode(), "text/plain")}).json()
    failed = client.get(f"/v1/calls/{accepted['id']}").json()
    assert failed["status"] == "failed"
    assert failed["failed_stage"] == "analyse"
    assert "did not return a valid SummaryAnswer" in failed["error"]
    assert len(failed["segments"]) == 12  # the transcript stage's work is kept

    enqueue_short_call_analysis(fake_llm)
    assert client.post(f"/v1/calls/{accepted['id']}/retry").status_code == 202
    done = client.get(f"/v1/calls/{accepted['id']}").json()
    assert done["status"] == "done"
    assert done["error"] is None
    assert done["qualification"]["verdict"] == "qualified"
    assert client.post(f"/v1/calls/{accepted['id']}/retry").status_code == 409


def test_unknown_call_is_404(client: TestClient) -> None:
    response = client.get("/v1/calls/nope")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_upload_over_the_size_limit_is_413_and_nothing_is_stored(client: TestClient, container: Container) -> None:
    container.settings.max_upload_mb = 1
    big = b"RIFF" + b"\x00" * (3 << 20)
    response = client.post("/v1/calls", files={"file": ("big.wav", big, "audio/wav")})
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]
    assert count_calls(container) == 0
    assert stored_files(container) == []


def test_upload_just_over_the_limit_is_caught_while_streaming(client: TestClient, container: Container) -> None:
    container.settings.max_upload_mb = 1
    body = b"RIFF" + b"\x00" * ((1 << 20) + 200_000)  # under the header allowance, over the stored limit
    response = client.post("/v1/calls", files={"file": ("big.wav", body, "audio/wav")})
    assert response.status_code == 413
    assert "big.wav" in response.json()["detail"]
    assert stored_files(container) == []
