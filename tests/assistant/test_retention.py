"""Retention: with CALLSIGHT_RETENTION_DAYS set, calls uploaded before that are deleted from every store by
the job processes' lease round and by `callsight retention run`; unset, nothing is deleted."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from assistant import calls, cli
from assistant.cli import common
from assistant.container import Container
from assistant.db.models import Call, CallStatus, utcnow
from assistant.db.session import session_scope
from assistant.lease_keeper import LeaseKeeper
from assistant.schemas import CallMetadata
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM
from tests.utils.stores import traces_of


def ingest(container: Container, fake_llm: FakeLLM, *, age_days: float = 0, text: str = SHORT_CALL) -> tuple[str, str]:
    """A processed call, uploaded `age_days` ago; returns its id and content hash."""
    enqueue_short_call_analysis(fake_llm)
    call_id = calls.accept_upload(container, io.BytesIO(text.encode()), "call.txt", metadata=CallMetadata()).id
    with session_scope(container.sessions) as session:
        call = session.get_one(Call, call_id)
        call.created_at = utcnow() - timedelta(days=age_days)
        return call_id, call.media_sha256


def test_the_job_processes_delete_calls_past_retention_and_keep_the_rest(
    container: Container, fake_llm: FakeLLM
) -> None:
    old, old_sha = ingest(container, fake_llm, age_days=31)
    recent, recent_sha = ingest(container, fake_llm, age_days=29, text=SHORT_CALL + "Prospect: Thanks.\n")
    keeper = LeaseKeeper(container)

    keeper.tick()  # retention off by default: nothing goes
    assert traces_of(container, old, old_sha)["calls"] == 1

    container.settings.retention_days = 30
    keeper.tick()
    assert not any(traces_of(container, old, old_sha).values())
    assert all(v for k, v in traces_of(container, recent, recent_sha).items() if k in ("calls", "media files"))
    assert traces_of(container, recent, recent_sha)["index entries"] > 0


def test_an_old_call_being_processed_waits_for_the_next_round(container: Container, fake_llm: FakeLLM) -> None:
    call_id, sha = ingest(container, fake_llm, age_days=40)
    container.settings.retention_days = 30
    with session_scope(container.sessions) as session:
        session.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(status=CallStatus.INDEXING, lease_owner="elsewhere:1:1", lease_until=utcnow() + timedelta(hours=1))
        )
    LeaseKeeper(container).tick()
    assert traces_of(container, call_id, sha)["calls"] == 1
    with session_scope(container.sessions) as session:
        session.execute(update(Call).where(Call.id == call_id).values(status=CallStatus.DONE, lease_until=None))
    LeaseKeeper(container).tick()
    assert not any(traces_of(container, call_id, sha).values())


def test_cli_retention_run(container: Container, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "open_container", lambda *_: container)
    call_id, sha = ingest(container, fake_llm, age_days=8)
    runner = CliRunner()

    unset = runner.invoke(cli.app, ["retention", "run"])
    assert unset.exit_code == 0 and "not set" in unset.stdout
    assert traces_of(container, call_id, sha)["calls"] == 1

    container.settings.retention_days = 7
    result = runner.invoke(cli.app, ["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 call(s) older than 7 days" in result.stdout and call_id in result.stdout
    assert not any(traces_of(container, call_id, sha).values())
