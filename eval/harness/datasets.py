"""Evaluation datasets as calls to run: the team's labelled calls and the public sets in ../shared/data/public.

Every dataset yields `EvalCall`s: the bytes a user would upload, the upload's metadata, and the labels."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import InvalidInputError

EVAL_DIR = Path(__file__).resolve().parents[1]
TEAM_CALLS = EVAL_DIR / "datasets" / "team_calls"
PUBLIC_DATA = EVAL_DIR.parent.parent / "shared" / "data" / "public"
# The calls CI runs with the real local model: short, one per verdict that matters, and the two traps
# (the rep assuming the budget in 05, a prompt injection spoken by the prospect in 07).
CI_SLICE = ("05", "07", "21")


@dataclass
class EvalCall:
    key: str
    filename: str
    content: bytes
    metadata: dict[str, Any]
    labels: dict[str, Any]
    rep_channel: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def team_calls(*, audio: bool = False, root: Path = TEAM_CALLS) -> Iterator[EvalCall]:
    """The team's labelled B2B calls (transcripts; with `audio`, only those synthesised to dual-channel audio)."""
    labels = yaml.safe_load((root / "labels.yaml").read_text(encoding="utf-8"))
    for entry in labels["calls"]:
        if audio and not entry.get("audio"):
            continue
        path = root / (entry["audio"] if audio else entry["file"])
        yield EvalCall(
            key=Path(entry["file"]).stem,
            filename=path.name,
            content=path.read_bytes(),
            metadata={"title": Path(entry["file"]).stem, "rep": entry["rep"], "industry": entry.get("industry")},
            labels=entry,
            rep_channel=entry.get("rep_channel") if audio else None,
        )


def team_calls_ci() -> Iterator[EvalCall]:
    """The slice CI runs with the real local model (see CI_SLICE)."""
    yield from (c for c in team_calls() if c.key.split("-", 1)[0] in CI_SLICE)


AGENTUNE_OUTCOMES = {
    "customer objections not handled": "objections",
    "customer not interested": "not_qualified",
    "no quote - ineligible customer": "not_qualified",
}


def agentune(root: Path = PUBLIC_DATA / "agentune") -> Iterator[EvalCall]:
    """Real auto-insurance sales calls with outcomes; only the outcomes the issue's checks are about."""
    _require(root)
    outcomes = {row["conversation_id"]: row["outcome"] for row in _csv(root / "conversations.csv")}
    turns: dict[str, list[str]] = defaultdict(list)
    for row in _csv(root / "messages.csv"):
        turns[row["conversation_id"]].append(f"{row['author']}: {' '.join(row['message'].split())}")
    for number, (conversation, outcome) in enumerate(sorted(outcomes.items())):
        expectation = AGENTUNE_OUTCOMES.get(outcome)
        if expectation is None or not turns[conversation]:
            continue
        yield EvalCall(
            key=f"agentune-{number:03d}",
            filename=f"agentune-{number:03d}.txt",
            content="\n".join(turns[conversation]).encode(),
            metadata={"title": f"agentune {conversation[:19]}", "rep": "Agent", "industry": "insurance"},
            labels={"outcome": outcome, "expect": expectation},
        )


def qmsum(split: str = "test", root: Path = PUBLIC_DATA / "qmsum-product") -> Iterator[EvalCall]:
    """AMI product-design meetings with a reference summary of the whole meeting (summary quality only)."""
    _require(root)
    with (root / f"product_{split}.jsonl").open(encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            meeting = json.loads(line)
            reference = next(
                (q["answer"] for q in meeting["general_query_list"] if "whole meeting" in q["query"].lower()), None
            )
            if reference is None:
                continue
            turns = meeting["meeting_transcripts"]
            text = "\n".join(f"{t['speaker']}: {' '.join(t['content'].split())}" for t in turns)
            yield EvalCall(
                key=f"qmsum-{split}-{number:02d}",
                filename=f"qmsum-{split}-{number:02d}.txt",
                content=text.encode(),
                metadata={"title": f"Product design meeting {number}"},
                labels={"reference_summary": reference},
            )


DATASETS: dict[str, Callable[[], Iterator[EvalCall]]] = {
    "team_calls": team_calls,
    "team_calls_ci": team_calls_ci,
    "team_calls_audio": lambda: team_calls(audio=True),
    "agentune": agentune,
    # The two halves of the agentune checks, each runnable alone: all 55 calls take about two hours locally.
    "agentune_objections": lambda: (c for c in agentune() if c.labels["expect"] == "objections"),
    "agentune_not_qualified": lambda: (c for c in agentune() if c.labels["expect"] == "not_qualified"),
    "qmsum": qmsum,
}


def load(name: str) -> Iterator[EvalCall]:
    if name not in DATASETS:
        raise InvalidInputError(f"No dataset named {name!r}; known: {', '.join(DATASETS)}.")
    return DATASETS[name]()


def _csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _require(root: Path) -> None:
    if not root.is_dir():
        raise InvalidInputError(f"The public evaluation data is not at {root}.")
