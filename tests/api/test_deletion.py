"""Deleting a call removes it from every store (each table, the media dir, the index, the CRM outbox) and
nothing else; it is refused while the call is being processed; a second delete is a 404."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from assistant import calls, cli
from assistant.cli import common
from assistant.container import Container
from assistant.db.models import Call, CallStatus, OutboxItem, OutboxStatus, WebhookEvent, utcnow
from assistant.db.session import session_scope
from assistant.pipeline import Pipeline
from assistant.schemas import CallMetadata
from tests.utils.analysis import enqueue_short_call_analysis, enqueue_unknown_analysis
from tests.utils.audio import two_voice_call
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM
from tests.utils.stores import traces_of

CRM = {"crm": {"provider": "hubspot", "deal_id": "42"}}


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_voice_call(
        tmp_path_factory.mktemp("delete-audio"),
        "Thanks for your time today. How do you plan deliveries?",
        "We fix mistakes in our delivery schedule every day.",
        prospect_starts_s=4.0,
    )


def ingest_text(container: Container, fake_llm: FakeLLM, text: str = SHORT_CALL) -> str:
    enqueue_short_call_analysis(fake_llm)
    accepted = calls.accept_upload(container, io.BytesIO(text.encode()), "call.txt", metadata=CallMetadata(**CRM))
    return accepted.id


def sha_of(container: Container, call_id: str) -> str:
    with container.sessions() as session:
        return session.get_one(Call, call_id).media_sha256


def test_delete_removes_the_call_from_every_store_and_only_that_call(
    client: TestClient, container: Container, fake_llm: FakeLLM, recording: Path
) -> None:
    container.settings.crm_review_required = True  # the write-back waits in review, as a pending row would
    enqueue_unknown_analysis(fake_llm)
    with recording.open("rb") as fh:
        response = client.post(
            "/v1/calls",
            files={"file": ("call.wav", fh, "audio/wav")},
            data={"rep_channel": "left", "metadata": '{"crm": {"provider": "hubspot", "deal_id": "42"}}'},
        )
    call_id = response.json()["id"]
    assert client.get(f"/v1/calls/{call_id}").json()["status"] == "done"
    with session_scope(container.sessions) as session:
        session.add(WebhookEvent(provider="hubspot", event_id="evt-1", call_id=call_id))
    kept_id = ingest_text(container, fake_llm)
    sha, kept_sha = sha_of(container, call_id), sha_of(container, kept_id)
    before = traces_of(container, call_id, sha)
    assert all(before.values()), before  # every store holds something of the call, or the test proves nothing
    kept_before = traces_of(container, kept_id, kept_sha)

    response = client.delete(f"/v1/calls/{call_id}")

    assert response.status_code == 204, response.text
    assert traces_of(container, call_id, sha) == dict.fromkeys(before, 0)
    assert traces_of(container, kept_id, kept_sha) == kept_before
    assert client.get(f"/v1/calls/{call_id}").status_code == 404
    assert client.get(f"/v1/calls/{call_id}/audio").status_code == 404
    second = client.delete(f"/v1/calls/{call_id}")
    assert second.status_code == 404 and call_id in second.json()["detail"]


def test_a_call_being_processed_is_refused_until_its_lease_lapses(
    client: TestClient, container: Container, fake_llm: FakeLLM
) -> None:
    call_id = ingest_text(container, fake_llm)
    sha = sha_of(container, call_id)
    with session_scope(container.sessions) as session:
        session.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(status=CallStatus.ANALYSING, lease_owner="host:1:1", lease_until=utcnow() + timedelta(minutes=5))
        )
    before = traces_of(container, call_id, sha)

    refused = client.delete(f"/v1/calls/{call_id}")

    assert refused.status_code == 409
    assert "being processed (analysing)" in refused.json()["detail"]
    assert traces_of(container, call_id, sha) == before  # nothing half-deleted
    # The worker died: once its lease lapses the call can go.
    with session_scope(container.sessions) as session:
        session.execute(update(Call).where(Call.id == call_id).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert client.delete(f"/v1/calls/{call_id}").status_code == 204
    assert not any(traces_of(container, call_id, sha).values())


def test_a_crm_delivery_in_flight_is_refused(client: TestClient, container: Container, fake_llm: FakeLLM) -> None:
    container.settings.crm_review_required = True
    call_id = ingest_text(container, fake_llm)
    with session_scope(container.sessions) as session:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.call_id == call_id)
            .values(status=OutboxStatus.DELIVERING, locked_until=utcnow() + timedelta(minutes=1))
        )
    assert client.delete(f"/v1/calls/{call_id}").status_code == 409
    assert client.get(f"/v1/calls/{call_id}").status_code == 200


def test_cli_delete_asks_first_unless_yes(
    container: Container, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "open_container", lambda *_: container)
    call_id = ingest_text(container, fake_llm)
    sha = sha_of(container, call_id)
    runner = CliRunner()

    declined = runner.invoke(cli.app, ["delete", call_id], input="n\n")
    assert declined.exit_code != 0 and traces_of(container, call_id, sha)["calls"] == 1

    confirmed = runner.invoke(cli.app, ["delete", call_id, "--yes"])
    assert confirmed.exit_code == 0, confirmed.output
    assert f"deleted {call_id}" in confirmed.stdout
    assert not any(traces_of(container, call_id, sha).values())
    again = runner.invoke(cli.app, ["delete", call_id, "--yes"])
    assert again.exit_code != 0 and f"No call with id {call_id}" in str(again.exception)


def test_a_queued_call_is_deleted_at_once_and_its_task_then_does_nothing(
    client: TestClient, container: Container
) -> None:
    container.queue.huey.immediate = False  # nothing consumes the queue: the call stays queued
    accepted = calls.accept_upload(container, io.BytesIO(SHORT_CALL.encode()), "call.txt", metadata=CallMetadata())
    sha = sha_of(container, accepted.id)
    assert container.queue.pending() == 1

    assert client.delete(f"/v1/calls/{accepted.id}").status_code == 204

    Pipeline(container).run(accepted.id)  # the task the queue still holds
    assert not any(traces_of(container, accepted.id, sha).values())
