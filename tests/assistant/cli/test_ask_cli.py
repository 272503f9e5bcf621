"""`callsight ask`: Markdown export and metadata filters, over a real index with the fake LLM."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant import cli
from assistant.container import Container
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import write_call
from tests.utils.fake_llm import FakeLLM

runner = CliRunner()
QUESTION = "What do prospects say about Acme's price?"


def ingest(tmp_path: Path, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    metadata = json.dumps({"lead_source": "webinar"})
    result = runner.invoke(cli.app, ["ingest", str(write_call(tmp_path)), "--wait", "--json", "--metadata", metadata])
    assert result.exit_code == 0, result.output


def test_ask_markdown_prints_the_answer_with_quoted_linked_sources(
    queued_container: Container, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    ingest(tmp_path, fake_llm)
    fake_llm.enqueue({"sources": [1], "answer": "They find Acme Insights cheaper."})
    result = runner.invoke(cli.app, ["ask", QUESTION, "--markdown"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [f"## {QUESTION}", "", "They find Acme Insights cheaper."]
    assert lines[6].startswith("1. [call at ") and "](http://127.0.0.1:8000/calls/" in lines[6]
    assert lines[7] == "   > Honestly, Acme Insights quoted us less, so price is a concern."


def test_ask_filters_narrow_the_sources_and_bad_filters_are_one_clear_error(
    queued_container: Container, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    ingest(tmp_path, fake_llm)
    other_source = runner.invoke(cli.app, ["ask", QUESTION, "--json", "--filters", '{"lead_source": "outbound"}'])
    assert json.loads(other_source.stdout) == {"answer": "The calls hold no evidence about this.", "citations": []}

    fake_llm.enqueue({"sources": [1], "answer": "Acme is cheaper."})
    same_source = runner.invoke(
        cli.app, ["ask", QUESTION, "--json", "--kind", "objection", "--filters", '{"lead_source": "webinar"}']
    )
    assert [c["kind"] for c in json.loads(same_source.stdout)["citations"]] == ["objection"]

    bad = runner.invoke(cli.app, ["ask", QUESTION, "--filters", '{"verdict": "qualified", "mood": "happy"}'])
    assert bad.exit_code != 0
    assert isinstance(bad.exception, Exception) and "filters are not valid: mood" in str(bad.exception)
