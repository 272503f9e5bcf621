"""The harness runs a labelled call through the real pipeline (fake LLM here) and scores what came out."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.container import Container
from assistant.index import Embedder
from assistant.index.store import IndexItem
from eval.harness.datasets import PUBLIC_DATA, EvalCall, load, team_calls
from eval.harness.run import run_dataset
from ingestion import Transcriber
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

LABELS = {
    "bant": {"budget": "met", "authority": "met", "need": "met", "timeline": "partial"},
    "objections": [
        {"category": "price_budget", "quote": "Acme Insights quoted us less, so price is a concern."},
        {"category": "integration_technical", "quote": "no time for a long implementation"},
    ],
}


def test_run_dataset_scores_a_call(
    settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder
) -> None:
    enqueue_short_call_analysis(fake_llm)
    item = EvalCall("short", "short.txt", SHORT_CALL.encode(), {"title": "short"}, LABELS)

    def build(eval_settings: Settings) -> Container:
        assert eval_settings.data_dir != settings.data_dir  # a fresh data dir per run
        return Container(eval_settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)

    found = run_dataset([item], settings, container_factory=build)
    scores = found["metrics"]
    assert (scores["calls"], scores["failed"]) == (1, 0)
    assert scores["status_accuracy.budget"] == 1.0
    assert scores["status_accuracy.timeline"] == 0.0
    assert scores["status_accuracy"] == 0.75
    assert scores["verdict_accuracy"] == 0.0  # predicted qualified, labels say nurture
    # Both found; the fake calls the Acme one competitor_incumbent where the labels say price_budget.
    assert (scores["objection_precision"], scores["objection_recall"]) == (1.0, 1.0)
    assert scores["objection_category_accuracy"] == 0.5
    assert scores["grounding_rate"] == 1.0
    assert found["calls"][0]["criteria"]["budget"] == "met"
    assert found["calls"][0]["evidence"]["budget"] == [
        "We set aside about forty thousand dollars for this project this year."
    ]


@pytest.mark.skipif(not (PUBLIC_DATA / "agentune").is_dir(), reason="the public agentune set is not here")
def test_agentune_halves_split_the_set_by_expected_outcome() -> None:
    every = {c.key: c.labels["expect"] for c in load("agentune")}
    objections = {c.key for c in load("agentune_objections")}
    not_qualified = {c.key for c in load("agentune_not_qualified")}
    assert len(objections) == 12  # the calls labelled "customer objections not handled"
    assert objections | not_qualified == set(every) and not objections & not_qualified
    assert {every[key] for key in not_qualified} == {"not_qualified"}


def test_team_calls_dataset_loads_with_labels_for_every_call() -> None:
    loaded = list(team_calls())
    assert len(loaded) >= 3
    assert all(c.labels["bant"] and c.metadata["rep"] for c in loaded)


def test_every_kind_of_finding_reaches_the_index(
    settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder
) -> None:
    enqueue_short_call_analysis(fake_llm)
    item = EvalCall("short", "short.txt", SHORT_CALL.encode(), {"title": "short"}, {})
    kinds: set[str] = set()

    def build(eval_settings: Settings) -> Container:
        container = Container(eval_settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
        original = container.index.add

        def add(items: list[IndexItem], *, embeddings: np.ndarray | None = None) -> None:
            kinds.update(str(i.metadata["kind"]) for i in items)
            original(items, embeddings=embeddings)

        container.index.add = add  # type: ignore[method-assign]
        return container

    found = run_dataset([item], settings, container_factory=build)
    assert found["calls"][0]["status"] == "done", found["calls"][0]["error"]
    assert kinds >= {"objection", "evidence", "theme", "competitor", "pain_point", "feature_request", "quote"}
