"""A full disk or a missing model gives a clear error, keeps nothing half-stored, and the call can be retried."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from assistant.config import Settings
from assistant.container import Container
from assistant.index import Embedder
from assistant.llm import factory
from ingestion import Transcriber
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.auth import admin_headers
from tests.utils.calls import SHORT_CALL, wait_done
from tests.utils.fake_llm import FakeLLM

# Taken before the autouse fixture in tests/conftest.py replaces it: the missing-model test needs the real
# factory to fail the way a server with a wrong model path fails (it fails before loading anything).
REAL_BUILD_LLM = factory.build_llm


def _upload(client: TestClient, name: str = "northwind.txt") -> str:
    response = client.post("/v1/calls", files={"file": (name, SHORT_CALL.encode(), "text/plain")})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _files(container: Container) -> list[Path]:
    return [p for p in container.settings.audio_dir.rglob("*") if p.is_file()]


def _no_space(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_refuses_the_upload_with_507_and_keeps_nothing(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.media_store.os.fsync", _no_space)
    response = client.post("/v1/calls", files={"file": ("northwind.txt", SHORT_CALL.encode(), "text/plain")})
    assert response.status_code == 507
    assert "disk is full" in response.json()["detail"]
    assert "northwind.txt" in response.json()["detail"]
    assert _files(container) == []  # the partly written temp file is gone
    assert client.get("/v1/calls").json()["count"] == 0

    monkeypatch.undo()  # space freed: the same upload now goes through
    assert client.get(f"/v1/calls/{_upload(client)}").json()["status"] in ("queued", "done", "failed")


def test_a_full_disk_mid_pipeline_fails_the_call_clearly_and_retry_resumes_it(
    client: TestClient, container: Container, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueue_short_call_analysis(fake_llm)
    monkeypatch.setattr(type(container.index), "add", _no_space)
    call_id = _upload(client)
    failed = client.get(f"/v1/calls/{call_id}").json()
    assert failed["status"] == "failed"
    assert failed["failed_stage"] == "index"
    assert "disk is full" in failed["error"] and "retry" in failed["error"]
    assert failed["analysis"] is not None  # the finished stages are kept

    monkeypatch.undo()
    assert client.post(f"/v1/calls/{call_id}/retry").status_code == 202
    done = client.get(f"/v1/calls/{call_id}").json()
    assert done["status"] == "done", done["error"]
    assert container.index.count() > 0


def test_a_missing_model_fails_analysis_clearly_and_the_call_is_retried_once_it_is_configured(
    tmp_path: Path,
    fake_llm: FakeLLM,
    transcriber: Transcriber,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(factory, "build_llm", REAL_BUILD_LLM)
    missing = tmp_path / "models" / "absent.gguf"
    broken = Container(
        Settings(data_dir=tmp_path / "data", llm_model_path=missing), transcriber=transcriber, embedder=embedder
    )
    broken.queue.huey.immediate = True
    try:
        with TestClient(create_app(broken), headers=admin_headers(broken)) as client:
            call_id = _upload(client)
            failed = client.get(f"/v1/calls/{call_id}").json()
    finally:
        broken.close()
    assert failed["status"] == "failed"
    assert failed["failed_stage"] == "analyse"
    assert str(missing) in failed["error"] and "GGUF" in failed["error"]
    assert failed["segments"]  # the transcript is kept: a retry does not transcribe again

    # The admin fixes the setting and restarts; the same call is retried from the analysis.
    enqueue_short_call_analysis(fake_llm)
    fixed = Container(Settings(data_dir=tmp_path / "data"), llm=fake_llm, transcriber=transcriber, embedder=embedder)
    fixed.queue.huey.immediate = True
    try:
        with TestClient(create_app(fixed), headers=admin_headers(fixed)) as client:
            assert client.post(f"/v1/calls/{call_id}/retry").status_code == 202
            call = wait_done(client, call_id)
    finally:
        fixed.close()
    assert call["status"] == "done", call["error"]
    assert call["qualification"]["criteria"]
