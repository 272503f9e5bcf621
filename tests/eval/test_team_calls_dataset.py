"""The team's labelled call set is internally consistent: every transcript imports, every label is valid,
every objection quote is the prospect's own words, and the verdicts follow the rule stated in bant.yaml."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from assistant.analysis.results import ObjectionCategory, Status
from assistant.qualification.definition import Framework, Verdict, builtin_framework_text, parse_framework
from eval.harness.datasets import TEAM_CALLS
from ingestion import Transcript, parse_transcript, probe

STATUSES = set(get_args(Status))
CATEGORIES = set(get_args(ObjectionCategory))
VERDICTS = set(get_args(Verdict))
CALL_KEYS = {"file", "industry", "call_type", "rep", "bant", "meddicc", "verdict_bant", "objections", "competitors"}
OPTIONAL_KEYS = {"next_steps", "audio", "rep_channel"}
# The size for the set, and the README's bounds for one call (150 words a minute, as the importer assumes).
MIN_CALLS = 30
TURNS = range(25, 71)
SECONDS = (4 * 60, 12 * 60)
MAX_AUDIO_BYTES = 1_600_000


@cache
def labels() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((TEAM_CALLS / "labels.yaml").read_text(encoding="utf-8"))
    return data


def calls() -> list[dict[str, Any]]:
    return list(labels()["calls"])


@cache
def transcript(file: str) -> Transcript:
    path = TEAM_CALLS / file
    return parse_transcript(path.read_bytes(), filename=path.name)


@cache
def framework(name: str) -> Framework:
    return parse_framework(builtin_framework_text(name))


def turns_by_role(call: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(rep turns, prospect turns) of a labelled call: the rep is the speaker named in its label."""
    found = transcript(call["file"])
    names = {track.key: track.label for track in found.speakers}
    rep = [s.text for s in found.segments if names[s.speaker] == call["rep"]]
    prospect = [s.text for s in found.segments if names[s.speaker] != call["rep"]]
    return rep, prospect


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [Path(item["file"]).stem for item in items]


def test_labels_cover_every_call_file_exactly_once() -> None:
    assert labels()["version"] == 1
    labelled = [call["file"] for call in calls()]
    on_disk = sorted(f"calls/{path.name}" for path in (TEAM_CALLS / "calls").glob("*.txt"))
    assert len(labelled) == len(set(labelled))
    assert sorted(labelled) == on_disk
    assert len(on_disk) >= MIN_CALLS


@pytest.mark.parametrize("call", calls(), ids=ids(calls()))
def test_call_imports_as_a_conversation_between_the_rep_and_a_prospect(call: dict[str, Any]) -> None:
    found = transcript(call["file"])
    speakers = [track.label for track in found.speakers]
    assert len(speakers) >= 2
    assert call["rep"] in speakers
    # The rep is found by name (assistant/roles.py matches a word of the label): no prospect may share it.
    assert not [s for s in speakers if s != call["rep"] and call["rep"].lower() in s.lower().split()]
    assert len(found.segments) in TURNS
    assert SECONDS[0] <= found.duration_s <= SECONDS[1]


@pytest.mark.parametrize("call", calls(), ids=ids(calls()))
def test_call_labels_use_the_framework_keys_and_known_values(call: dict[str, Any]) -> None:
    assert CALL_KEYS <= call.keys() <= CALL_KEYS | OPTIONAL_KEYS
    for name in ("bant", "meddicc"):
        assert list(call[name]) == [c.key for c in framework(name).criteria]
        assert set(call[name].values()) <= STATUSES
    assert call["verdict_bant"] in VERDICTS
    assert all(o.keys() == {"category", "quote"} and o["category"] in CATEGORIES for o in call["objections"])
    assert all(isinstance(name, str) and name for name in call["competitors"])
    for step in call.get("next_steps", []):
        assert step.keys() <= {"text", "owner", "due"} and step["text"]


@pytest.mark.parametrize("call", calls(), ids=ids(calls()))
def test_bant_verdict_follows_the_rule_stated_in_bant_yaml(call: dict[str, Any]) -> None:
    bant = framework("bant")
    statuses = [(c.key, c.required, call["bant"][c.key]) for c in bant.criteria]
    verdict, _blocking = bant.verdict_rule.decide(statuses)
    assert call["verdict_bant"] == verdict


@pytest.mark.parametrize("call", calls(), ids=ids(calls()))
def test_objection_quotes_are_the_prospects_own_words(call: dict[str, Any]) -> None:
    rep, prospect = turns_by_role(call)
    quoted_turns = []
    for objection in call["objections"]:
        quote = objection["quote"]
        holders = [i for i, turn in enumerate(prospect) if quote in turn]
        assert len(holders) == 1, f"{quote!r} must be in exactly one prospect turn"
        assert not any(quote in turn for turn in rep)
        quoted_turns += holders
    # The harness matches a shown turn to at most one labelled objection, so each turn holds at most one.
    assert len(quoted_turns) == len(set(quoted_turns))


@pytest.mark.parametrize("call", calls(), ids=ids(calls()))
def test_named_competitors_are_mentioned_in_the_call(call: dict[str, Any]) -> None:
    text = (TEAM_CALLS / call["file"]).read_text(encoding="utf-8")
    assert all(name in text for name in call["competitors"])


def test_the_set_covers_every_verdict_objection_category_and_trap() -> None:
    verdicts = Counter(call["verdict_bant"] for call in calls())
    assert set(verdicts) == VERDICTS
    categories = Counter(o["category"] for call in calls() for o in call["objections"])
    assert set(categories) == CATEGORIES and min(categories.values()) >= 2
    assert sum(not call["objections"] for call in calls()) >= 3
    assert len({call["industry"] for call in calls()}) >= 10
    assert {"discovery", "demo_follow_up", "negotiation"} <= {call["call_type"] for call in calls()}
    # A prospect asking the note-taker to mark the lead qualified changes nothing: the call stays unqualified.
    injected = [c for c in calls() if any("mark this lead qualified" in t for t in turns_by_role(c)[1])]
    assert [c["verdict_bant"] for c in injected] == ["unqualified"]


@pytest.mark.parametrize("name", ["bant", "meddicc", "champ", "spiced"])
def test_builtin_framework_parses_with_probes_for_every_criterion(name: str) -> None:
    parsed = framework(name)
    assert parsed.framework.lower() == name
    assert all(len(criterion.probes) >= 3 for criterion in parsed.criteria)
    assert any(criterion.required for criterion in parsed.criteria)


AUDIO_CALLS = [call for call in calls() if "audio" in call]


def test_a_few_calls_have_synthesised_audio() -> None:
    assert len(AUDIO_CALLS) >= 3


@pytest.mark.parametrize("call", AUDIO_CALLS, ids=ids(AUDIO_CALLS))
def test_audio_is_a_small_dual_channel_rendering_of_the_labelled_transcript(call: dict[str, Any]) -> None:
    audio = TEAM_CALLS / call["audio"]
    assert call["rep_channel"] in ("left", "right")
    assert audio.stat().st_size <= MAX_AUDIO_BYTES
    assert probe(audio).channels == 2
    # The sidecar lists the turns the audio was made from: it must still be this transcript, turn for turn.
    reference = json.loads(audio.with_name(audio.name + ".json").read_text(encoding="utf-8"))
    found = transcript(call["file"])
    names = {track.key: track.label for track in found.speakers}
    expected = [("Rep" if names[s.speaker] == call["rep"] else "Prospect", s.text) for s in found.segments]
    assert [(turn["speaker"], turn["text"]) for turn in reference] == expected
