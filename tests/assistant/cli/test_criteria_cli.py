"""`callsight criteria` and `callsight reanalyze`, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant import cli
from assistant.container import Container
from assistant.qualification.definition import builtin_framework_text
from tests.utils.analysis import criterion_reply, enqueue_short_call_analysis, objection_reply, summary_reply
from tests.utils.calls import write_call
from tests.utils.fake_llm import FakeLLM

runner = CliRunner()


def test_criteria_show_set_and_versions(queued_container: Container, tmp_path: Path) -> None:
    shown = runner.invoke(cli.app, ["criteria", "show"])
    assert shown.exit_code == 0, shown.output
    assert "BANT" in shown.stdout and "budget" in shown.stdout
    assert runner.invoke(cli.app, ["criteria", "show", "--yaml"]).stdout == builtin_framework_text("bant")

    custom = tmp_path / "ours.yaml"
    custom.write_text(builtin_framework_text("bant").replace("framework: BANT", "framework: OurBANT"))
    result = runner.invoke(cli.app, ["criteria", "set", str(custom)])
    assert result.exit_code == 0, result.output
    assert "OurBANT version 1" in result.stdout
    active = json.loads(runner.invoke(cli.app, ["criteria", "show", "--json"]).stdout)
    assert active["framework"] == "OurBANT"
    versions = json.loads(runner.invoke(cli.app, ["criteria", "versions", "--json"]).stdout)
    assert [v["framework"] for v in versions] == ["OurBANT", "BANT"]


def test_criteria_set_refuses_a_bad_file(queued_container: Container, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("framework: X\ncriteria: [{key: Budget}]\n")
    result = runner.invoke(cli.app, ["criteria", "set", str(bad)])
    assert result.exit_code != 0
    assert "does not match the expected shape" in str(result.exception)


def test_reanalyze_all_wait(queued_container: Container, fake_llm: FakeLLM, tmp_path: Path) -> None:
    enqueue_short_call_analysis(fake_llm)
    ingested = runner.invoke(cli.app, ["ingest", str(write_call(tmp_path)), "--wait", "--json"])
    call = json.loads(ingested.stdout)
    assert call["qualification"]["verdict"] == "qualified"

    fake_llm.enqueue(summary_reply(), *(criterion_reply() for _ in range(4)), objection_reply())
    result = runner.invoke(cli.app, ["reanalyze", "--all", "--wait"])
    assert result.exit_code == 0, result.output
    assert f"{call['id']}  done" in result.stdout
    shown = json.loads(runner.invoke(cli.app, ["show", call["id"], "--json"]).stdout)
    # The model now finds nothing; the prospect's answers to the rep's questions still make three criteria partial.
    assert shown["qualification"]["verdict"] == "nurture"
    assert [c["status"] for c in shown["qualification"]["criteria"]] == ["partial", "partial", "unknown", "partial"]
    assert shown["segments"] == call["segments"]
    assert runner.invoke(cli.app, ["reanalyze"]).exit_code != 0
