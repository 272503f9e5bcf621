"""Shared fixtures: real models loaded once per run, a fresh data dir per test, and a fake LLM.

No test reaches a real language model unless it asks for `real_llm_settings`: building one is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.container import Container
from assistant.index import Embedder, resolve_embedding_model
from assistant.llm.model_files import ensure_default_gguf
from ingestion import Transcriber, resolve_whisper_model
from tests.utils import auth as test_keys
from tests.utils.fake_llm import FakeLLM

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_real_llm(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "real_llm_settings" in request.fixturenames:
        return

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a unit test tried to build a real LLM; pass fake_llm to the container")

    monkeypatch.setattr("assistant.llm.factory.build_llm", refuse)


@pytest.fixture(scope="session")
def transcriber() -> Transcriber:
    """The real tiny.en model, loaded once for the whole run."""
    return Transcriber(resolve_whisper_model(None))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged MiniLM embedder, loaded once for the whole run."""
    return Embedder(*resolve_embedding_model(None), threads=2)


@pytest.fixture
def fake_llm() -> FakeLLM:
    return FakeLLM()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def container(
    settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder
) -> Iterator[Container]:
    """The real application parts on a fresh data dir, with the fake LLM; jobs run when enqueued."""
    built = Container(settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
    built.queue.huey.immediate = True
    yield built
    built.close()


@pytest.fixture
def admin_headers(container: Container) -> dict[str, str]:
    """The hook for auth: the headers of an admin caller, for tests that reach the API over HTTP (fuzzing,
    load) and ask for them as a fixture."""
    return test_keys.admin_headers(container)


@pytest.fixture(scope="session")
def real_llm_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the real local model; the assembled GGUF is kept in .venv/ between runs."""
    models = Path(os.environ.get("CALLSIGHT_TEST_MODELS_DIR", REPO / ".venv" / "callsight-models"))
    return Settings(data_dir=tmp_path_factory.mktemp("real-llm-data"), llm_model_path=ensure_default_gguf(models))
