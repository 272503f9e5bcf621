"""A real embedded Chroma per test; the real packaged `embedder` comes from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.index import Embedder, InsightIndex, open_embedded_client


@pytest.fixture
def chroma_dir(tmp_path: Path) -> Path:
    return tmp_path / "chroma"


@pytest.fixture
def index(chroma_dir: Path, embedder: Embedder) -> InsightIndex:
    return InsightIndex(open_embedded_client(chroma_dir), embedder)
