"""The `callsight` CLI through its entry point, on the real queue (consumer threads), with the fake LLM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant import cli
from assistant.container import Container
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL, write_call
from tests.utils.fake_llm import FakeLLM

runner = CliRunner()


def test_ingest_wait_json_prints_the_finished_call(
    queued_container: Container, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    enqueue_short_call_analysis(fake_llm)
    path = write_call(tmp_path)
    metadata = json.dumps({"rep": "Maya", "lead_source": "webinar"})
    result = runner.invoke(cli.app, ["ingest", str(path), "--wait", "--json", "--metadata", metadata])
    assert result.exit_code == 0, result.output
    call = json.loads(result.stdout)
    assert call["status"] == "done"
    assert call["metadata"] == {"rep": "Maya", "lead_source": "webinar"}
    assert {s["role"] for s in call["speakers"]} == {"rep", "prospect"}
    assert call["qualification"]["framework"] == "BANT"
    budget = call["qualification"]["criteria"][0]
    assert budget["evidence"][0]["quote"] == "We set aside about forty thousand dollars for this project this year."
    assert set(call) >= {"id", "duration_s", "segments", "summary", "next_steps", "objections", "themes", "competitors"}

    shown = runner.invoke(cli.app, ["show", call["id"], "--json"])
    assert json.loads(shown.stdout)["id"] == call["id"]
    human = runner.invoke(cli.app, ["show", call["id"]])
    assert "Qualification" in human.stdout and "forty thousand dollars" in human.stdout


def test_ingest_several_files_prints_a_json_list(
    queued_container: Container, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    enqueue_short_call_analysis(fake_llm)
    enqueue_short_call_analysis(fake_llm)
    first = write_call(tmp_path, name="a.txt")
    second = write_call(tmp_path, SHORT_CALL.replace("Tom", "Tim"), name="b.txt")
    result = runner.invoke(cli.app, ["ingest", str(first), str(second), "--wait", "--json"])
    assert result.exit_code == 0, result.output
    calls = json.loads(result.stdout)
    assert [c["status"] for c in calls] == ["done", "done"]


def test_ask_json_gives_answer_and_citations(queued_container: Container, fake_llm: FakeLLM, tmp_path: Path) -> None:
    enqueue_short_call_analysis(fake_llm)
    runner.invoke(cli.app, ["ingest", str(write_call(tmp_path)), "--wait", "--json"])
    fake_llm.enqueue({"answer": "They find Acme Insights cheaper.", "sources": [1]})
    result = runner.invoke(cli.app, ["ask", "What do prospects say about Acme's price?", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["answer"] == "They find Acme Insights cheaper."
    assert {"call_id", "start", "quote"} <= set(answer["citations"][0])


def test_failed_call_exits_nonzero_and_retry_finishes_it(
    queued_container: Container, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    fake_llm.enqueue("x", "y", "z")
    result = runner.invoke(cli.app, ["ingest", str(write_call(tmp_path)), "--wait", "--json"])
    assert result.exit_code == 1
    call = json.loads(result.stdout)
    assert call["status"] == "failed" and "SummaryAnswer" in call["error"]

    enqueue_short_call_analysis(fake_llm)
    assert runner.invoke(cli.app, ["retry", call["id"]]).exit_code == 0
    cli.wait_for(queued_container, [call["id"]], show_progress=False)
    shown = json.loads(runner.invoke(cli.app, ["show", call["id"], "--json"]).stdout)
    assert shown["status"] == "done"


def test_user_errors_are_one_clear_line_not_a_traceback(
    queued_container: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bogus = tmp_path / "notes.mp3"
    bogus.write_text("hello, this is not audio at all " * 20)
    monkeypatch.setattr("sys.argv", ["callsight", "ingest", str(bogus)])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "notes.mp3" in err and "Traceback" not in err
