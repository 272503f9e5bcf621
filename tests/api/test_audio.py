"""A call's recording over HTTP with byte ranges, which the web player needs to seek."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.utils.analysis import enqueue_unknown_analysis
from tests.utils.audio import require_tools, synth_speech
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM


def test_recording_is_served_whole_and_by_range(client: TestClient, fake_llm: FakeLLM, tmp_path: Path) -> None:
    require_tools()
    wav = synth_speech("We lose two hours every day fixing the schedule.", tmp_path / "call.wav")
    data = wav.read_bytes()
    enqueue_unknown_analysis(fake_llm)
    call_id = client.post("/v1/calls", files={"file": ("call.wav", data, "audio/wav")}).json()["id"]

    whole = client.get(f"/v1/calls/{call_id}/audio")
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["content-type"] == "audio/x-wav"
    assert whole.headers["accept-ranges"] == "bytes"

    part = client.get(f"/v1/calls/{call_id}/audio", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    assert part.content == data[1000:2000]

    beyond = client.get(f"/v1/calls/{call_id}/audio", headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416


def test_transcript_uploads_and_unknown_calls_have_no_recording(client: TestClient, fake_llm: FakeLLM) -> None:
    enqueue_unknown_analysis(fake_llm)
    call_id = client.post("/v1/calls", files={"file": ("c.txt", SHORT_CALL.encode(), "text/plain")}).json()["id"]
    response = client.get(f"/v1/calls/{call_id}/audio")
    assert response.status_code == 404
    assert "transcript" in response.json()["detail"]
    assert client.get("/v1/calls/nope/audio").status_code == 404
