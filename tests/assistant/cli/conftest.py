"""The CLI over the real parts with a fake LLM, through Huey's SQLite queue as in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.cli import common
from assistant.config import Settings
from assistant.container import Container
from assistant.index import Embedder
from ingestion import Transcriber
from tests.utils.fake_llm import FakeLLM


@pytest.fixture
def queued_container(
    settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Container]:
    """A container whose jobs go through Huey's SQLite queue, as in production; the CLI uses it."""
    container = Container(settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
    monkeypatch.setattr(common, "open_container", lambda *_: container)
    yield container
    container.close()
