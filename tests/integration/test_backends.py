"""Behaviour that must hold on the embedded default and on PostgreSQL + Redis + a Chroma server alike:
race-free claims and uploads, lease take-over, migrations by several processes, readiness and metrics."""

from __future__ import annotations

import io
import os
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text, update

from api.main import create_app
from assistant import calls
from assistant.config import Settings
from assistant.container import Container
from assistant.db.models import Call, CallStatus, Job, utcnow
from assistant.db.session import MIGRATIONS_DIR, session_scope
from assistant.deletion import delete_call
from assistant.errors import ConflictError, NotFoundError
from assistant.index.store import IndexItem
from assistant.lease_keeper import expire_leases, renew_leases, requeue_lost
from assistant.pipeline import Pipeline, process_owner, resume_interrupted
from assistant.worker import JobRunner
from eval.servers import VENV_BIN, free_port
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.auth import admin_headers
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM
from tests.utils.stores import traces_of

INTERRUPTED = "interrupted: its worker stopped"


def upload(container: Container, text: str = SHORT_CALL) -> str:
    stream = io.BytesIO(text.encode())
    return calls.accept_upload(container, stream, "call.txt", metadata=calls.parse_metadata(None), enqueue=False).id


def jobs_of(container: Container, call_id: str) -> list[tuple[str, str | None]]:
    with session_scope(container.sessions) as session:
        rows = session.execute(select(Job.status, Job.error).where(Job.call_id == call_id).order_by(Job.id))
        return [(status, error) for status, error in rows]


def set_lease(container: Container, call_id: str, owner: str, until_s: float, status: str) -> None:
    with session_scope(container.sessions) as session:
        session.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(status=status, lease_owner=owner, lease_until=utcnow() + timedelta(seconds=until_s))
        )


def at_once(n: int, work: object) -> list[object]:
    """Run `work()` in n threads released together; returns their results."""
    barrier, results = threading.Barrier(n), []

    def run() -> None:
        barrier.wait()
        results.append(work())  # type: ignore[operator]

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_workers_racing_for_one_call_process_it_once(backend: Container, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = upload(backend)
    pipeline = Pipeline(backend)

    at_once(4, lambda: pipeline.run(call_id))

    assert calls.status_of(backend, call_id) == (CallStatus.DONE, None)
    assert jobs_of(backend, call_id) == [("done", None)]
    pipeline.run(call_id)  # its task queued a second time: a finished call is not claimed again
    assert jobs_of(backend, call_id) == [("done", None)]


def test_the_same_bytes_uploaded_at_once_make_one_call(backend: Container) -> None:
    ids = at_once(6, lambda: upload(backend))

    assert len(set(ids)) == 1
    with session_scope(backend.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_a_call_whose_worker_died_elsewhere_is_taken_over_once(backend: Container, fake_llm: FakeLLM) -> None:
    dead = upload(backend)
    set_lease(backend, dead, "other-host:4242:1", -1, CallStatus.TRANSCRIBING)
    with session_scope(backend.sessions) as session:
        session.add(Job(call_id=dead, status="running", started_at=utcnow() - timedelta(minutes=1)))
    alive = upload(backend, SHORT_CALL + "Rep: One more line.\n")
    set_lease(backend, alive, "other-host:4243:1", 60, CallStatus.ANALYSING)

    sweeps = [resume_interrupted(backend, at_start=False) for _ in range(2)]

    assert sweeps == [[dead], []]
    assert backend.queue.pending() == 1
    enqueue_short_call_analysis(fake_llm)
    runner = JobRunner(backend)
    runner.start()
    try:
        deadline = time.monotonic() + 120
        while calls.status_of(backend, dead)[0] != CallStatus.DONE and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        runner.stop()
    assert jobs_of(backend, dead) == [("failed", INTERRUPTED), ("done", None)]
    with session_scope(backend.sessions) as session:
        other = session.get_one(Call, alive)
        assert (other.status, other.lease_owner) == (CallStatus.ANALYSING, "other-host:4243:1")


def test_a_running_call_keeps_its_lease_and_hands_it_over_on_shutdown(backend: Container) -> None:
    call_id = upload(backend)
    set_lease(backend, call_id, f"{process_owner()}:7", 1, CallStatus.TRANSCRIBING)

    assert renew_leases(backend) == 1
    assert resume_interrupted(backend, at_start=False) == []  # renewed and ours: not taken
    assert expire_leases(backend) == 1
    time.sleep(0.01)
    assert resume_interrupted(backend, at_start=False) == [call_id]


def test_a_queued_call_whose_task_was_lost_is_queued_again_once_the_queue_is_empty(backend: Container) -> None:
    lost = upload(backend)
    upload(backend, SHORT_CALL + "Rep: Bye.\n")  # queued just now: its task may still be on its way
    with session_scope(backend.sessions) as session:
        old = utcnow() - timedelta(seconds=backend.settings.lease_s + 1)
        session.execute(update(Call).where(Call.id == lost).values(updated_at=old))

    assert requeue_lost(backend) == [lost]
    assert backend.queue.pending() == 1
    assert requeue_lost(backend) == []  # a task waits: nothing is known to be lost


def test_processes_starting_together_migrate_the_database_once(backend_settings: Settings) -> None:
    env = {
        **os.environ,
        "CALLSIGHT_DATA_DIR": str(backend_settings.data_dir),
        "CALLSIGHT_DATABASE_URL": str(backend_settings.database_url),
    }
    procs = [
        subprocess.Popen([str(VENV_BIN / "callsight"), "db", "upgrade"], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]

    assert [proc.returncode for proc in procs] == [0, 0, 0], errors
    container = Container(backend_settings)
    try:
        with container.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        container.close()
    assert version == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_deleting_a_call_clears_every_store_and_waits_for_a_leased_one(backend: Container, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = upload(backend)
    Pipeline(backend).run(call_id)
    with session_scope(backend.sessions) as session:
        sha = session.get_one(Call, call_id).media_sha256
    before = traces_of(backend, call_id, sha)
    assert before["calls"] and before["segments"] and before["index entries"], before
    set_lease(backend, call_id, "elsewhere:1:1", 60, CallStatus.INDEXING)
    with pytest.raises(ConflictError):
        delete_call(backend, call_id)
    assert traces_of(backend, call_id, sha) == before
    set_lease(backend, call_id, "elsewhere:1:1", -1, CallStatus.INDEXING)
    delete_call(backend, call_id)
    assert traces_of(backend, call_id, sha) == dict.fromkeys(before, 0)
    with pytest.raises(NotFoundError):
        delete_call(backend, call_id)


def test_index_items_replace_each_other_by_id(backend: Container) -> None:
    items = [
        IndexItem("c1:objection:0", "Objection about price: Acme quoted less.", {"call_id": "c1", "kind": "objection"}),
        IndexItem("c1:quote:0", "We want it live before the third quarter.", {"call_id": "c1", "kind": "quote"}),
    ]
    backend.index.add(items)
    backend.index.add(items)

    assert backend.index.count() == 2
    assert backend.index.search("competitor is cheaper", k=1)[0].id == "c1:objection:0"


def test_readyz_is_ok_when_database_queue_and_index_answer(backend: Container) -> None:
    with TestClient(create_app(backend)) as client:
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok", "index": "ok"}}


def test_readyz_names_the_part_that_does_not_answer(tmp_path: Path, fake_llm: FakeLLM) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    container = Container(settings, llm=fake_llm)
    try:
        with TestClient(create_app(container)) as client:
            response = client.get("/readyz")
    finally:
        container.close()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == body["checks"]["index"] == "ok"
    assert "ConnectionError" in body["checks"]["queue"]


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_metrics_count_calls_jobs_stages_and_llm_tokens(backend: Container, fake_llm: FakeLLM) -> None:
    analysed = ("callsight_stage_duration_seconds_count", (("stage", "analyse"),))
    with TestClient(create_app(backend), headers=admin_headers(backend)) as client:  # metrics need an admin key
        before = scrape(client).get(analysed, 0)  # stage timings are per process: other tests add to them
        enqueue_short_call_analysis(fake_llm)
        Pipeline(backend).run(upload(backend))
        Pipeline(backend).run(upload(backend, "Rep: Hello?\n"))  # no reply enqueued for its analysis: it fails
        samples = scrape(client)

    assert samples[("callsight_calls", (("status", "done"),))] == 1
    assert samples[("callsight_calls", (("status", "failed"),))] == 1
    assert samples[("callsight_jobs", (("status", "done"),))] == 1
    assert samples[("callsight_jobs", (("status", "failed"),))] == 1
    assert samples[("callsight_queue_pending", ())] == 0
    assert samples[analysed] - before == 2
    assert samples[("callsight_llm_tokens_total", (("kind", "prompt"),))] == fake_llm.usage.prompt_tokens > 0
    assert samples[("callsight_llm_tokens_total", (("kind", "completion"),))] == fake_llm.usage.completion_tokens
