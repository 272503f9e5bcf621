"""`callsight serve` mode: the app runs the job consumer itself, and resumes calls a dead process left behind."""

from __future__ import annotations

import socket
import subprocess
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from api.main import create_app
from assistant.config import Settings
from assistant.container import Container
from assistant.db.models import Call, CallStatus
from assistant.db.session import session_scope
from assistant.index import Embedder
from ingestion import Transcriber
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.auth import admin_headers
from tests.utils.calls import SHORT_CALL, wait_done
from tests.utils.fake_llm import FakeLLM


def test_upload_is_processed_by_the_in_process_consumer_and_health_is_ok(
    settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder
) -> None:
    container = Container(settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
    enqueue_short_call_analysis(fake_llm)
    with TestClient(create_app(container, run_consumer=True), headers=admin_headers(container)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        accepted = client.post("/v1/calls", files={"file": ("c.txt", SHORT_CALL.encode(), "text/plain")})
        assert accepted.status_code == 202
        assert accepted.json()["status"] == "queued"
        call = wait_done(client, accepted.json()["id"])
    assert call["status"] == "done", call["error"]
    assert call["qualification"]["verdict"] == "qualified"


def test_call_left_mid_pipeline_by_a_dead_process_is_resumed_at_start(
    settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder
) -> None:
    first = Container(settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
    signed_in = admin_headers(first)  # the key is in the database both processes share
    with TestClient(create_app(first), headers=signed_in) as client:  # no consumer here
        call_id = client.post("/v1/calls", files={"file": ("c.txt", SHORT_CALL.encode(), "text/plain")}).json()["id"]
    first.queue.huey.flush()  # the dead process had already taken the task off the queue
    # The process that held the call is gone: a pid that has exited, on this host, with a lease still running.
    gone = subprocess.Popen(["true"])
    gone.wait()
    owner = f"{socket.gethostname()}:{gone.pid}:1"
    lease = datetime.now(UTC) + timedelta(minutes=20)
    with session_scope(first.sessions) as session:
        session.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(status=CallStatus.ANALYSING, lease_owner=owner, lease_until=lease)
        )
    first.close()

    enqueue_short_call_analysis(fake_llm)
    second = Container(settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
    with TestClient(create_app(second, run_consumer=True), headers=signed_in) as client:
        call = wait_done(client, call_id)
    assert call["status"] == "done", call["error"]
