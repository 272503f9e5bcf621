"""The Python filter evaluator must agree with Chroma's own filtering, which is the oracle here."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assistant.errors import InvalidInputError
from assistant.index import open_embedded_client
from assistant.index.filters import can_evaluate, matches, normalise_where, pinned_call_ids

METADATAS: list[dict[str, Any]] = [
    {"call_id": "c1", "kind": "objection", "n": 1, "start": 12.5, "flag": True},
    {"call_id": "c1", "kind": "theme", "n": 1.0, "start": 0.0, "flag": False},
    {"call_id": "c2", "kind": "objection", "n": "1", "start": 99.0},
    {"call_id": "c2", "kind": "evidence", "n": 0, "criterion": "budget"},
    {"call_id": "c3", "kind": "competitor", "n": True, "start": 300.25, "flag": True},
    {"call_id": "c3", "n": 2.5},
    {"call_id": "c4", "kind": "summary"},
]

WHERES: list[dict[str, Any]] = [
    {"kind": "objection"},
    {"n": 1},
    {"n": 1.0},
    {"n": True},
    {"n": "1"},
    {"n": {"$ne": 1}},
    {"n": {"$nin": [1, 2]}},
    {"n": {"$in": [0.0, 2.5]}},
    {"n": {"$gt": 0}},
    {"n": {"$gte": 1}},
    {"n": {"$lt": 1}},
    {"n": {"$lte": 2.5}},
    {"flag": True},
    {"flag": {"$ne": True}},
    {"kind": {"$ne": "objection"}},
    {"kind": {"$in": ["theme", "summary"]}},
    {"kind": {"$nin": ["theme", "summary"]}},
    {"criterion": {"$eq": "budget"}},
    {"start": {"$gte": 12.5}},
    {"call_id": "c1", "kind": "objection"},
    {"$or": [{"kind": "theme"}, {"start": {"$gt": 100}}]},
    {"$and": [{"call_id": {"$in": ["c1", "c3"]}}, {"$or": [{"flag": True}, {"n": 2.5}]}]},
    {"missing": "x"},
]


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Any:
    client = open_embedded_client(tmp_path_factory.mktemp("filters") / "chroma")
    collection = client.get_or_create_collection("filters", embedding_function=None)
    vectors = np.random.default_rng(0).random((len(METADATAS), 4), dtype=np.float32)
    collection.add(ids=[str(i) for i in range(len(METADATAS))], embeddings=vectors, metadatas=METADATAS)  # type: ignore[arg-type]
    return collection


@pytest.mark.parametrize("where", WHERES, ids=[str(w) for w in WHERES])
def test_python_filter_selects_what_chroma_selects(collection: Any, where: dict[str, Any]) -> None:
    clause = normalise_where(where)
    assert clause is not None and can_evaluate(clause)

    ours = {str(i) for i, metadata in enumerate(METADATAS) if matches(metadata, clause)}

    assert ours == set(collection.get(where=clause, include=[])["ids"])


@pytest.mark.parametrize("where", [{"tags": {"$contains": "x"}}, {"n": {"$gt": True}}], ids=["contains", "gt-bool"])
def test_operators_python_does_not_implement_are_left_to_chroma(where: dict[str, Any]) -> None:
    assert not can_evaluate(where)


@pytest.mark.parametrize(
    "where",
    [{"n": {"$gt": "0"}}, {"n": {"$in": []}}, {"n": None}, {"$and": [{"n": 1}]}],
    ids=["gt-str", "empty-in", "none", "single-and"],
)
def test_malformed_filter_is_an_input_error(where: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError, match="Invalid search filter"):
        normalise_where(where)


def test_empty_filter_means_no_filter() -> None:
    assert normalise_where({}) is None
    assert normalise_where(None) is None


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"call_id": "c1"}, ["c1"]),
        ({"call_id": {"$eq": "c1"}}, ["c1"]),
        ({"call_id": {"$in": ["c1", "c2"]}, "kind": "theme"}, ["c1", "c2"]),
        ({"kind": "theme"}, None),
        ({"call_id": {"$ne": "c1"}}, None),
        ({"$or": [{"call_id": "c1"}, {"kind": "theme"}]}, None),
    ],
)
def test_filters_that_pin_calls_are_recognised(where: dict[str, Any], expected: list[str] | None) -> None:
    clause = normalise_where(where)
    assert clause is not None

    assert pinned_call_ids(clause) == expected
