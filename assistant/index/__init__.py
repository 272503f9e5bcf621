"""Vector index of call insights: local embeddings plus Chroma."""

from assistant.index.embeddings import DIMENSIONS, Embedder, resolve_embedding_model
from assistant.index.store import (
    KINDS,
    SPEAKER_ROLES,
    Hit,
    IndexItem,
    InsightIndex,
    Kind,
    MetadataValue,
    SpeakerRole,
    open_embedded_client,
    open_http_client,
)

__all__ = [
    "DIMENSIONS",
    "KINDS",
    "SPEAKER_ROLES",
    "Embedder",
    "Hit",
    "IndexItem",
    "InsightIndex",
    "Kind",
    "MetadataValue",
    "SpeakerRole",
    "open_embedded_client",
    "open_http_client",
    "resolve_embedding_model",
]
