from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import InvalidInputError
from assistant.index import DIMENSIONS, Embedder, IndexItem, InsightIndex, open_embedded_client


def item(id: str, text: str, call_id: str = "call-1", **metadata: str | int | float | bool | None) -> IndexItem:
    return IndexItem(id=id, text=text, metadata={"call_id": call_id, **metadata})


def test_paraphrase_of_the_query_ranks_above_unrelated_items(index: InsightIndex) -> None:
    index.add(
        [
            item("crm", "we use Salesforce for CRM", kind="competitor"),
            item("price", "it's too expensive", kind="objection"),
            item("timing", "we can't start before the new fiscal year", kind="objection"),
        ]
    )

    hits = index.search("the price is too high for our budget")

    similarity = {h.id: h.similarity for h in hits}
    assert hits[0].id == "price"
    assert similarity["price"] > similarity["crm"] + 0.2
    assert [h.similarity for h in hits] == sorted(similarity.values(), reverse=True)


def test_similarity_is_one_minus_cosine_distance(index: InsightIndex, embedder: Embedder) -> None:
    index.add([item("a", "send me the security questionnaire"), item("b", "what does onboarding cost")])

    hits = {h.id: h.similarity for h in index.search("send me the security questionnaire")}

    query, other = embedder.embed(["send me the security questionnaire", "what does onboarding cost"])
    assert hits["a"] == pytest.approx(1.0, abs=1e-4)
    assert hits["b"] == pytest.approx(float(query @ other), abs=1e-4)


def test_hits_carry_text_and_metadata_with_their_types(index: InsightIndex) -> None:
    index.add(
        [
            item(
                "q1",
                "Acme is cheaper",
                kind="competitor",
                category="Acme",
                start=12.5,
                end=15.0,
                speaker_role="prospect",
                speaker="SPEAKER_01",
                call_title="Discovery with Globex",
                call_date="2026-03-02",
                call_ts=1772409600,
                is_key=True,
            )
        ]
    )

    (hit,) = index.search("competitor pricing")

    assert hit.text == "Acme is cheaper"
    assert hit.metadata == {
        "call_id": "call-1",
        "kind": "competitor",
        "category": "Acme",
        "start": 12.5,
        "end": 15.0,
        "speaker_role": "prospect",
        "speaker": "SPEAKER_01",
        "call_title": "Discovery with Globex",
        "call_date": "2026-03-02",
        "call_ts": 1772409600,
        "is_key": True,
    }


def test_none_metadata_values_are_dropped(index: InsightIndex) -> None:
    index.add([item("e1", "we have budget approved", kind="evidence", criterion=None, speaker=None)])

    (hit,) = index.search("budget")

    assert hit.metadata == {"call_id": "call-1", "kind": "evidence"}


def test_filter_by_call_id_returns_only_that_call(index: InsightIndex) -> None:
    index.add([item("a", "too expensive", call_id="c1"), item("b", "too expensive for us", call_id="c2")])

    assert [h.id for h in index.search("price", where={"call_id": "c2"})] == ["b"]


def test_filter_by_kind_and_call_together_is_a_conjunction(index: InsightIndex) -> None:
    index.add(
        [
            item("c1-obj", "too expensive", call_id="c1", kind="objection"),
            item("c1-theme", "pricing", call_id="c1", kind="theme"),
            item("c2-obj", "too pricey", call_id="c2", kind="objection"),
        ]
    )

    hits = index.search("price", where={"call_id": "c1", "kind": "objection"})

    assert [h.id for h in hits] == ["c1-obj"]


def test_call_timestamp_range_filter(index: InsightIndex) -> None:
    index.add(
        [
            item("old", "too expensive", call_id="c1", call_ts=1_700_000_000),
            item("new", "too expensive", call_id="c2", call_ts=1_770_000_000),
        ]
    )

    hits = index.search("price", where={"call_ts": {"$gte": 1_750_000_000}})

    assert [h.id for h in hits] == ["new"]


def test_filter_matching_nothing_gives_no_hits(index: InsightIndex) -> None:
    index.add([item("a", "too expensive")])

    assert index.search("price", where={"call_id": "no-such-call"}) == []


def test_search_returns_at_most_k_and_copes_with_k_above_count(index: InsightIndex) -> None:
    index.add([item(str(i), f"objection number {i}") for i in range(5)])

    assert len(index.search("objection", k=3)) == 3
    assert len(index.search("objection", k=50)) == 5
    assert index.search("objection", k=0) == []


def test_search_on_an_empty_index_gives_no_hits(index: InsightIndex) -> None:
    assert index.search("anything") == []


def test_delete_call_removes_only_that_calls_items(index: InsightIndex) -> None:
    index.add([item("a1", "x", call_id="A"), item("a2", "y", call_id="A"), item("b1", "z", call_id="B")])

    index.delete_call("A")

    assert index.count() == 1
    assert [h.id for h in index.search("z")] == ["b1"]


def test_readding_an_id_replaces_the_item(index: InsightIndex) -> None:
    index.add([item("o1", "too expensive", kind="objection")])

    index.add([item("o1", "implementation takes too long", kind="objection", category="timing")])

    assert index.count() == 1
    (hit,) = index.search("rollout time")
    assert hit.text == "implementation takes too long"
    assert hit.metadata["category"] == "timing"


def test_duplicate_ids_in_one_add_keep_the_last(index: InsightIndex) -> None:
    index.add([item("d", "first version"), item("d", "second version")])

    assert index.count() == 1
    assert index.search("version")[0].text == "second version"


def test_more_items_than_one_write_batch_are_all_added(index: InsightIndex) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(1_300, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    index.add([item(f"i{n}", f"text {n}") for n in range(1_300)], embeddings=vectors)

    assert index.count() == 1_300


def test_precomputed_embeddings_are_stored_as_given(index: InsightIndex, embedder: Embedder) -> None:
    vector = embedder.embed(["the contract needs legal review"])

    # The stored text differs from what was embedded, so a hit proves the given vector was used.
    index.add([item("p", "stored text")], embeddings=vector)

    assert index.search("the contract needs legal review")[0].similarity == pytest.approx(1.0, abs=1e-4)


def test_embeddings_count_must_match_items(index: InsightIndex) -> None:
    with pytest.raises(InvalidInputError):
        index.add([item("a", "x"), item("b", "y")], embeddings=np.zeros((1, DIMENSIONS), np.float32))


def test_item_without_call_id_is_refused(index: InsightIndex) -> None:
    with pytest.raises(InvalidInputError, match="call_id"):
        index.add([IndexItem(id="x", text="orphan", metadata={"kind": "theme"})])


def test_item_with_unknown_kind_is_refused(index: InsightIndex) -> None:
    with pytest.raises(InvalidInputError, match="kind"):
        index.add([item("x", "text", kind="gossip")])


def test_separate_collections_do_not_see_each_other(chroma_dir: Path, embedder: Embedder) -> None:
    client = open_embedded_client(chroma_dir)
    InsightIndex(client, embedder, collection="insights").add([item("a", "too expensive")])

    assert InsightIndex(client, embedder, collection="other-insights").count() == 0


def test_items_persist_for_a_new_process(index: InsightIndex, chroma_dir: Path) -> None:
    index.add([item("price", "it's too expensive", kind="objection"), item("crm", "we use Salesforce")])
    reader = textwrap.dedent(
        f"""
        import json
        from pathlib import Path
        from assistant.index import Embedder, InsightIndex, open_embedded_client, resolve_embedding_model
        index = InsightIndex(open_embedded_client(Path({str(chroma_dir)!r})), Embedder(*resolve_embedding_model(None)))
        hits = index.search("the price is too high for our budget", k=1)
        print(json.dumps({{"count": index.count(), "top": hits[0].id, "kind": hits[0].metadata["kind"]}}))
        """
    )

    repo_root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", reader], cwd=repo_root, capture_output=True, text=True, check=True, timeout=120
    )

    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"count": 2, "top": "price", "kind": "objection"}
