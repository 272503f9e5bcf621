"""Our embedder as a Chroma embedding function, for code that lets Chroma embed texts itself (for example
`query_texts=`). `InsightIndex` does not need it: it always passes precomputed vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.index.embeddings import Embedder, resolve_embedding_model


# Registered on import so that a process which only opens an existing collection can rebuild the function
# from the configuration Chroma stored with it.
@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 on onnxruntime behind Chroma's embedding-function protocol; never downloads."""

    def __init__(self, embedder: Embedder | None = None, model_dir: Path | None = None) -> None:
        # Chroma persists get_config() with the collection and rebuilds the function from it, so the
        # model directory (None = the packaged model) is the whole of the configuration.
        self._model_dir = model_dir
        self._embedder = embedder or Embedder(*resolve_embedding_model(model_dir))

    def __call__(self, input: Documents) -> Embeddings:
        """Embed documents as a list of 384-dim unit vectors."""
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        """Name Chroma records with the collection."""
        return "callsight-minilm-l6-v2-onnx"

    def get_config(self) -> dict[str, Any]:
        """Serializable configuration: the model directory, or None for the packaged model."""
        return {"model_dir": None if self._model_dir is None else str(self._model_dir)}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        """Rebuild from `get_config()` output."""
        model_dir = config.get("model_dir")
        return MiniLMEmbeddingFunction(model_dir=None if model_dir is None else Path(model_dir))

    def default_space(self) -> Space:
        """The vectors are unit length and the model was trained for cosine similarity."""
        return "cosine"

    def max_tokens(self) -> int:
        """Longest input in tokens before truncation."""
        return self._embedder.max_length
