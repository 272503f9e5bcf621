"""The `openai` provider against a real OpenAI-compatible endpoint: the packaged model behind llama.cpp's own
HTTP server (eval/serve_llm.py), switched to by settings only."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from assistant.config import Settings
from assistant.errors import LLMOutputError
from assistant.llm.factory import build_llm
from assistant.llm.local import start_server
from assistant.llm.structured import complete_structured

KEY = "test-key"


class Budget(BaseModel):
    amount_usd: int
    approved: bool


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(real_llm_settings: Settings) -> Iterator[str]:
    assert real_llm_settings.llm_model_path is not None
    port = _free_port()
    server: Any = start_server(real_llm_settings.llm_model_path, 2048, 2, api_key=KEY, port=port)
    yield f"http://127.0.0.1:{port}/v1"
    del server


def _settings(base: Settings, url: str, key: str) -> Settings:
    return base.model_copy(update={"llm_provider": "openai", "llm_base_url": url, "llm_api_key": key})


@pytest.mark.slow
def test_the_openai_provider_gets_schema_valid_json_from_a_real_endpoint(
    real_llm_settings: Settings, endpoint: str
) -> None:
    llm = build_llm(_settings(real_llm_settings, endpoint, KEY))
    question = "Prospect: We set aside forty thousand dollars and my CFO approved it.\nState the budget."
    answer = complete_structured(llm, [{"role": "user", "content": question}], Budget, retries=1, max_tokens=60)
    assert answer.amount_usd == 40000
    assert answer.approved is True


@pytest.mark.slow
def test_a_wrong_key_is_a_clear_error(real_llm_settings: Settings, endpoint: str) -> None:
    llm = build_llm(_settings(real_llm_settings, endpoint, "not-the-key"))
    with pytest.raises(LLMOutputError, match="failed"):
        llm.complete([{"role": "user", "content": "Hi"}], max_tokens=1)
