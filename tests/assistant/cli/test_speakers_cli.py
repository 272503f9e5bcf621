"""`callsight speakers`, as a user runs it: show, rename, role, swap, move, with the analysis re-run."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant import cli
from assistant.container import Container
from tests.utils.analysis import enqueue_short_call_analysis, enqueue_unknown_analysis
from tests.utils.calls import write_call
from tests.utils.fake_llm import FakeLLM

runner = CliRunner()


def ingest(tmp_path: Path) -> str:
    result = runner.invoke(cli.app, ["ingest", str(write_call(tmp_path)), "--wait", "--json"])
    assert result.exit_code == 0, result.output
    call_id: str = json.loads(result.stdout)["id"]
    return call_id


def test_speakers_show_lists_roles_and_metrics(queued_container: Container, fake_llm: FakeLLM, tmp_path: Path) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(tmp_path)
    shown = json.loads(runner.invoke(cli.app, ["speakers", "show", call_id, "--json"]).stdout)
    assert [(s["label"], s["role"]) for s in shown["speakers"]] == [("Rep", "rep"), ("Prospect", "prospect")]
    assert shown["metrics"]["rep_questions"] == 4
    text = runner.invoke(cli.app, ["speakers", "show", call_id]).stdout
    assert "Prospect" in text and "talk" in text and "wpm" in text


def test_corrections_from_the_cli_re_run_the_analysis(
    queued_container: Container, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(tmp_path)
    speakers = json.loads(runner.invoke(cli.app, ["speakers", "show", call_id, "--json"]).stdout)["speakers"]
    rep_id, prospect_id = speakers[0]["id"], speakers[1]["id"]

    enqueue_unknown_analysis(fake_llm)
    renamed = runner.invoke(cli.app, ["speakers", "rename", call_id, str(prospect_id), "Tom Berg", "--wait"])
    assert renamed.exit_code == 0, renamed.output
    assert "Tom Berg" in renamed.stdout and "analysis queued" not in renamed.stdout

    enqueue_unknown_analysis(fake_llm)
    assert runner.invoke(cli.app, ["speakers", "swap", call_id, "--wait"]).exit_code == 0
    enqueue_unknown_analysis(fake_llm)
    assert runner.invoke(cli.app, ["speakers", "role", call_id, str(rep_id), "unknown", "--wait"]).exit_code == 0
    enqueue_unknown_analysis(fake_llm)
    assert runner.invoke(cli.app, ["speakers", "move", call_id, "0", str(prospect_id), "--wait"]).exit_code == 0

    after = json.loads(runner.invoke(cli.app, ["show", call_id, "--json"]).stdout)
    assert after["status"] == "done"
    assert {s["label"]: s["role"] for s in after["speakers"]} == {"Rep": "unknown", "Tom Berg": "rep"}
    assert after["segments"][0]["speaker"] == "Tom Berg"
    assert fake_llm.pending == 0  # every correction ran the analysis once more


def test_a_bad_role_is_refused(queued_container: Container, fake_llm: FakeLLM, tmp_path: Path) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(tmp_path)
    result = runner.invoke(cli.app, ["speakers", "role", call_id, "1", "boss"])
    assert result.exit_code != 0
