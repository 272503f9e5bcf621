from __future__ import annotations

from assistant.config import Settings
from assistant.llm.factory import build_llm
from assistant.llm.local import LocalLlamaLLM
from assistant.llm.openai_compat import OpenAICompatLLM


def test_local_provider_builds_a_lazy_llama_cpp_model_from_settings(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    settings = Settings(data_dir=tmp_path, llm_model_path=gguf, llm_threads=1, llm_context=4096)

    llm = build_llm(settings)

    assert isinstance(llm, LocalLlamaLLM)
    assert (llm.model_path, llm.n_ctx, llm.n_threads) == (gguf, 4096, 1)
    assert llm.model_name == settings.llm_model


def test_openai_provider_builds_a_client_for_the_configured_endpoint(tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        llm_provider="openai",
        llm_base_url="http://vllm.internal:8000/v1",
        llm_model="qwen",
    )

    llm = build_llm(settings)

    assert isinstance(llm, OpenAICompatLLM)
    assert llm.model_name == "qwen"
    assert str(llm._client.base_url) == "http://vllm.internal:8000/v1/"
    assert llm._client.api_key == "not-needed"
