"""The whole product as a user runs it: the installed `callsight` command, the bundled dual-channel call,
the real transcriber, the real local LLM, SQLite, Chroma. Slow (a few minutes on 2 cores), and the one test
that proves the default setup works end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.demo import DISCOVERY_CALL_AUDIO

CALLSIGHT = Path(sys.executable).parent / "callsight"


def run_cli(env: dict[str, str], args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the installed `callsight` command as a user would."""
    return subprocess.run([str(CALLSIGHT), *args], env=env, capture_output=True, text=True, timeout=900, check=False)


def verbatim_spans(segments: list[dict]) -> set[tuple[str, float, str]]:
    """(text, start, role) for every run of up to 6 consecutive segments by the same speaker."""
    spans = set()
    for i, first in enumerate(segments):
        texts = []
        for seg in segments[i : i + 6]:
            if seg["speaker"] != first["speaker"]:
                break
            texts.append(seg["text"])
            spans.add((" ".join(texts), first["start"], first["role"]))
    return spans


@pytest.mark.slow
def test_bundled_call_goes_through_every_stage_with_the_real_models(real_llm_settings: Settings) -> None:
    env = {
        **os.environ,
        "CALLSIGHT_DATA_DIR": str(real_llm_settings.data_dir),
        "CALLSIGHT_LLM_MODEL_PATH": str(real_llm_settings.llm_model_path),
    }
    metadata = json.dumps({"rep": "Maya", "account": "Northwind Freight", "lead_source": "webinar"})
    ingest = run_cli(
        env,
        [
            "ingest",
            str(DISCOVERY_CALL_AUDIO),
            "--rep-channel",
            "left",
            "--wait",
            "--json",
            "--metadata",
            metadata,
        ],
    )
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    call = json.loads(ingest.stdout)
    assert call["status"] == "done"
    assert 270 < call["duration_s"] < 290
    roles = {s["role"] for s in call["segments"]}
    assert roles == {"rep", "prospect"}
    prospect_text = " ".join(s["text"] for s in call["segments"] if s["role"] == "prospect")
    assert "Sarah Miller" in prospect_text and "Beacon" in prospect_text

    # Evidence or nothing: every quote shown is the prospect's own words in this call, verbatim (one segment or
    # a sentence joined across consecutive segments), starting at the time shown.
    segments = verbatim_spans(call["segments"])
    criteria = call["qualification"]["criteria"]
    assert [c["key"] for c in criteria] == ["budget", "authority", "need", "timeline"]
    for criterion in criteria:
        assert criterion["status"] in ("met", "partial", "not_met", "unknown")
        for ev in criterion["evidence"]:
            assert (ev["quote"], ev["start"], "prospect") in segments
        if criterion["status"] in ("met", "partial"):
            assert criterion["evidence"], criterion
    for objection in call["objections"]:
        assert (objection["quote"], objection["start"], "prospect") in segments
    # The call states budget, authority, need and timeline plainly; the small model finds most of them.
    found = [c["key"] for c in criteria if c["status"] in ("met", "partial")]
    assert len(found) >= 3, criteria
    assert call["summary"] and len(call["summary"]) > 80
    assert call["objections"], "the prospect raises price, implementation and security concerns"

    ask = run_cli(env, ["ask", "What did the prospect say about the competitor's price?", "--json"])
    assert ask.returncode == 0, ask.stderr[-3000:]
    answer = json.loads(ask.stdout)
    assert answer["citations"], answer
    for citation in answer["citations"]:
        assert citation["call_id"] == call["id"]
        assert any(citation["quote"] == text for text, _, _ in segments)
