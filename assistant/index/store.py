"""The insight index: objections, evidence, themes and quotes from calls, searchable by meaning and filterable
by metadata, in Chroma (embedded PersistentClient by default, a Chroma server when users outgrow one machine).

Vectors are always computed here by our own `Embedder` and passed to Chroma, because Chroma's default
embedding function downloads a model on first use and fails offline.

Metadata convention (what the rest of Callsight writes and filters on; None values are dropped on `add`,
since Chroma metadata cannot hold None):

- `call_id` (str, required): the call the item comes from; `delete_call` removes by it.
- `kind` (str): one of "objection", "evidence", "theme", "competitor", "summary", "pain_point", "feature_request",
  or "quote" (a prospect line of the transcript).
- `category` (str): e.g. the objection category ("price", "timing") or theme name.
- `start`, `end` (float): seconds from the start of the call that the quote spans.
- `speaker_role` (str): "rep", "prospect" or "unknown"; `speaker` (str): the speaker's label.
- `call_title` (str), `call_date` (ISO date str) and `call_ts` (int unix seconds, for `$gte`/`$lt` ranges).
- `criterion` (str): the qualification criterion an "evidence" item supports.
- `uploaded_by` (str): the name of the API key that uploaded the call; sales chat is held to its own.

`where` takes Chroma's filter syntax; a dict of several plain fields ({"call_id": "c1", "kind": "theme"})
is read as their conjunction, which Chroma itself would reject. An invalid filter is an InvalidInputError.
Local Chroma has no metadata index, so `search` answers a filter the cheapest way that is still right:
scoring every item when the filter pins one to four calls, else filtering the 32 * k nearest neighbours
itself, else (a filter too rare for that) Chroma's own filtered query. eval/bench_index.py measures them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.config import Settings

from assistant.errors import InvalidInputError
from assistant.index.embeddings import Embedder
from assistant.index.filters import can_evaluate, matches, normalise_where, pinned_call_ids

if TYPE_CHECKING:
    from assistant.config import Settings as CallsightSettings

MetadataValue = str | int | float | bool
Kind = Literal["objection", "evidence", "theme", "competitor", "summary", "pain_point", "feature_request", "quote"]
SpeakerRole = Literal["rep", "prospect", "unknown"]
KINDS: frozenset[str] = frozenset(get_args(Kind))
SPEAKER_ROLES: frozenset[str] = frozenset(get_args(SpeakerRole))

# Embedding and upserting in slices bounds memory for a large re-index and keeps each Chroma write
# well under its maximum batch size.
_ADD_BATCH = 512
# Fetching n unfiltered neighbours with their metadata costs about 0.08 ms each at 100k items (256: 25 ms),
# and a pool of 32 * k still holds k matches of a filter that selects about 5 % of the index.
_OVERFETCH = 256
_MAX_POOL = 1024
# Fetching a call's items with their vectors costs about 0.15 ms per item, so scoring every item is exact
# and cheaper than Chroma's filtered query (about 100 ms at 100k items) for a few calls of a few hundred
# items each, not for dozens.
_MAX_PINNED_CALLS = 4


@dataclass(frozen=True)
class IndexItem:
    """One text to index, with an id that is stable across re-analysis so re-adding replaces it."""

    id: str
    text: str
    metadata: Mapping[str, MetadataValue | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """A search result; `similarity` is cosine similarity (1.0 = same direction)."""

    id: str
    text: str
    metadata: dict[str, MetadataValue]
    similarity: float


def _telemetry_off() -> Settings:
    # Chroma 1.5's product telemetry is already a no-op, but the setting keeps it off if that changes.
    return Settings(anonymized_telemetry=False)


def open_embedded_client(path: Path) -> ClientAPI:
    """Open (creating if needed) an embedded Chroma database in `path`."""
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_telemetry_off())


def open_http_client(url: str) -> ClientAPI:
    """Connect to a Chroma server such as `http://chroma:8000` (https uses TLS, default port 443)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"Chroma URL must look like http://host:8000, got {url!r}.")
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 8000)
    return chromadb.HttpClient(host=parts.hostname, port=port, ssl=ssl, settings=_telemetry_off())


def open_client(settings: CallsightSettings) -> ClientAPI:
    """The Chroma server at `chroma_url` when set, else the embedded database in `chroma_path`."""
    if settings.chroma_url:
        return open_http_client(settings.chroma_url)
    assert settings.chroma_path is not None
    return open_embedded_client(settings.chroma_path)


class InsightIndex:
    """Semantic search over call insights stored in one Chroma collection."""

    def __init__(self, client: ClientAPI, embedder: Embedder, collection: str = "insights") -> None:
        self._embedder = embedder
        # Chroma's default embedding function would download a model, so the collection gets none and
        # every vector is passed in. The space only applies when the collection is first created.
        self._collection = client.get_or_create_collection(
            collection,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def add(self, items: list[IndexItem], *, embeddings: np.ndarray | None = None) -> None:
        """Insert or replace items by id; pass `embeddings` (one row per item) to skip embedding the texts."""
        if embeddings is not None and len(embeddings) != len(items):
            raise InvalidInputError(f"{len(items)} items but {len(embeddings)} embeddings.")
        # Chroma rejects an id twice in one write; the last occurrence wins, as with separate upserts.
        last = {item.id: i for i, item in enumerate(items)}
        keep = sorted(last.values())
        for start in range(0, len(keep), _ADD_BATCH):
            rows = keep[start : start + _ADD_BATCH]
            batch = [items[i] for i in rows]
            texts = [item.text for item in batch]
            vectors = self._embedder.embed(texts) if embeddings is None else embeddings[rows]
            self._collection.upsert(
                ids=[item.id for item in batch],
                embeddings=np.asarray(vectors, dtype=np.float32),
                documents=texts,
                metadatas=[_clean_metadata(i) for i in batch],
            )

    def delete_call(self, call_id: str) -> None:
        """Remove every item of one call (before re-indexing it, or when the call is deleted)."""
        self._collection.delete(where={"call_id": call_id})

    def search(self, query: str | np.ndarray, *, k: int = 8, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Return up to `k` items most similar to `query` (a text, or its unit-length embedding when the caller
        has it already), most similar first, optionally filtered."""
        if k <= 0:
            return []
        clause = normalise_where(where)
        vector = self._embedder.embed([query])[0] if isinstance(query, str) else query
        if clause is None:
            return self._nearest(vector, k)
        # Local Chroma has no metadata index: its filtered query takes 50-200 ms at 100k items whatever
        # the filter selects. Cheaper plans first, Chroma's own filtered query when they cannot answer.
        call_ids = pinned_call_ids(clause)
        if call_ids is not None and len(call_ids) <= _MAX_PINNED_CALLS:
            return self._exact_within(vector, k, clause)
        pool_size = max(_OVERFETCH, 32 * k)
        if pool_size <= _MAX_POOL and can_evaluate(clause):
            pool = self._nearest(vector, pool_size)
            hits = [hit for hit in pool if matches(hit.metadata, clause)]
            # Enough matches among the nearest neighbours are the filtered top k; a pool that holds the
            # whole index is complete even with fewer.
            if len(hits) >= k or (len(pool) < pool_size and len(pool) >= self.count()):
                return hits[:k]
        return self._nearest(vector, k, clause)

    def _nearest(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[Hit]:
        result = self._collection.query(
            query_embeddings=vector[None, :],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        hits = [
            _hit(i, doc, meta, 1.0 - float(dist))
            for i, doc, meta, dist in zip(ids, documents, metadatas, distances, strict=True)
        ]
        return sorted(hits, key=lambda h: h.similarity, reverse=True)

    def _exact_within(self, vector: np.ndarray, k: int, where: dict[str, Any]) -> list[Hit]:
        # Few calls hold few items, so scoring every one is both cheaper than a filtered query and exact.
        got = self._collection.get(where=where, include=["embeddings", "documents", "metadatas"])
        if not got["ids"]:
            return []
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        # Vectors given to `add` need not be unit length; Chroma's cosine space normalises, so do we.
        norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector)
        similarities = matrix @ vector / np.clip(norms, 1e-12, None)
        top = np.argsort(-similarities, kind="stable")[:k]
        documents, metadatas = got["documents"] or [], got["metadatas"] or []
        return [_hit(got["ids"][i], documents[i], metadatas[i], float(similarities[i])) for i in top]

    def count(self) -> int:
        """Number of items in the index."""
        return self._collection.count()


def _clean_metadata(item: IndexItem) -> dict[str, MetadataValue]:
    metadata = {key: value for key, value in item.metadata.items() if value is not None}
    call_id = metadata.get("call_id")
    if not isinstance(call_id, str) or not call_id:
        raise InvalidInputError(f"Index item {item.id!r} needs a non-empty str call_id in its metadata.")
    kind = metadata.get("kind")
    if kind is not None and kind not in KINDS:
        raise InvalidInputError(f"Index item {item.id!r} has kind {kind!r}; expected one of {sorted(KINDS)}.")
    return metadata


def _hit(id: str, text: str | None, metadata: Mapping[str, Any] | None, similarity: float) -> Hit:
    # `add` only ever writes scalar values, so Chroma's wider metadata type does not occur here.
    return Hit(id, text or "", cast(dict[str, MetadataValue], dict(metadata or {})), similarity)
