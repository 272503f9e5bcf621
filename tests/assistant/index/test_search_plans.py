"""Filtered search takes shortcuts around Chroma's slow filtered query; whichever plan runs, the result
must be the filtered top k that brute force over Chroma's own filter selection gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.index import Embedder, IndexItem, InsightIndex, open_embedded_client
from assistant.index.filters import normalise_where

SUBJECTS = ["the price", "onboarding", "the Salesforce integration", "security review", "the contract", "support"]
CONCERNS = ["is too much for us", "takes a whole quarter", "needs our CFO", "worries IT", "beats Acme", "is unclear"]
KINDS = ["objection", "theme", "evidence", "competitor", "pain_point"]
N = 300  # more than the over-fetch pool of 256, so every plan is exercised


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[InsightIndex, Any, dict]:
    texts = [f"{SUBJECTS[i % 6]} {CONCERNS[(i // 6) % 6]} (note {i})" for i in range(N)]
    vectors = embedder.embed(texts)
    items = [
        IndexItem(
            id=f"i{i}",
            text=texts[i],
            metadata={
                "call_id": f"c{i % 15}",
                "kind": KINDS[i % 5],
                # Three items only: too rare for the over-fetched pool, so Chroma's filtered query answers.
                "category": "security" if i in (7, 150, 299) else "general",
                "start": float(i),
                "call_ts": 1_700_000_000 + i * 1000,
                "speaker_role": "prospect" if i % 3 else "rep",
                "flag": i % 4 == 0,
            },
        )
        for i in range(N)
    ]
    client = open_embedded_client(tmp_path_factory.mktemp("plans") / "chroma")
    index = InsightIndex(client, embedder, collection="plans")
    index.add(items, embeddings=vectors)
    return index, client.get_collection("plans"), dict(zip([it.id for it in items], vectors, strict=True))


def brute_force(collection: Any, vectors: dict, query: np.ndarray, where: dict[str, Any], k: int) -> list[str]:
    clause = normalise_where(where)
    selected = collection.get(where=clause, include=[])["ids"]
    return sorted(selected, key=lambda i: -float(vectors[i] @ query))[:k]


WHERES = [
    {"kind": "objection"},
    {"call_id": "c3"},
    {"call_id": {"$in": ["c1", "c2"]}, "kind": "theme"},
    {"category": "security"},
    {"call_ts": {"$gte": 1_700_200_000}},
    {"$or": [{"kind": "competitor"}, {"speaker_role": "rep"}]},
    {"speaker_role": {"$ne": "prospect"}, "flag": True},
    {"start": {"$lt": 40.5}},
    {"category": "nobody"},
]


@pytest.mark.parametrize("where", WHERES, ids=[str(w) for w in WHERES])
@pytest.mark.parametrize("query", ["it costs more than our budget", "we need IT to approve security"])
def test_filtered_search_equals_brute_force(
    corpus: tuple[InsightIndex, Any, dict], embedder: Embedder, query: str, where: dict[str, Any]
) -> None:
    index, collection, vectors = corpus

    hits = index.search(query, k=5, where=where)

    assert [h.id for h in hits] == brute_force(collection, vectors, embedder.embed_one(query), where, 5)
    assert all(h.similarity == pytest.approx(float(vectors[h.id] @ embedder.embed_one(query)), abs=1e-4) for h in hits)


def test_filtered_search_on_a_small_index_returns_every_match(tmp_path: Path, embedder: Embedder) -> None:
    index = InsightIndex(open_embedded_client(tmp_path / "chroma"), embedder)
    index.add([IndexItem(f"i{i}", f"text {i}", {"call_id": f"c{i}", "kind": "theme"}) for i in range(3)])
    index.add([IndexItem("o", "too expensive", {"call_id": "c9", "kind": "objection"})])

    assert [h.id for h in index.search("price", k=8, where={"kind": "objection"})] == ["o"]
