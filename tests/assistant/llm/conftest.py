"""The real local model for the slow tests here, loaded once per run (`fake_llm` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.config import Settings
from assistant.llm import factory
from assistant.llm.local import LocalLlamaLLM


@pytest.fixture(scope="session")
def local_llm(real_llm_settings: Settings) -> Iterator[LocalLlamaLLM]:
    # Through the factory, so the settings-to-adapter wiring runs for real too; depending on
    # real_llm_settings is what lets tests/conftest.py's no-real-LLM guard allow it.
    llm = factory.build_llm(real_llm_settings)
    assert isinstance(llm, LocalLlamaLLM)
    yield llm
    llm.close()
