from __future__ import annotations

from pathlib import Path

from assistant.index import Embedder, open_embedded_client
from assistant.index.chroma_ef import MiniLMEmbeddingFunction


def test_chroma_embeds_texts_itself_with_our_model(tmp_path: Path, embedder: Embedder) -> None:
    client = open_embedded_client(tmp_path / "chroma")
    function = MiniLMEmbeddingFunction(embedder)
    # Chroma types the parameter as a function over texts *or* images; its own text functions need the same ignore.
    collection = client.get_or_create_collection("texts", embedding_function=function)  # type: ignore[arg-type]
    collection.add(ids=["price", "crm"], documents=["it's too expensive", "we use Salesforce for CRM"])

    result = collection.query(query_texts=["the price is too high for our budget"], n_results=2)

    assert result["ids"] == [["price", "crm"]]


def test_function_is_rebuilt_from_the_configuration_chroma_stores(tmp_path: Path) -> None:
    function = MiniLMEmbeddingFunction(model_dir=None)

    rebuilt = MiniLMEmbeddingFunction.build_from_config(function.get_config())

    assert rebuilt.get_config() == {"model_dir": None}
    assert len(rebuilt(["hello"])[0]) == 384
