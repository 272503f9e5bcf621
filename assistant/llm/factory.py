"""Build the configured LLM adapter from Settings; the only place that picks a backend."""

from __future__ import annotations

import openai

from assistant.config import Settings
from assistant.llm.base import LLM
from assistant.llm.local import LocalLlamaLLM
from assistant.llm.model_files import resolve_gguf
from assistant.llm.openai_compat import OpenAICompatLLM


def build_llm(settings: Settings) -> LLM:
    """The LLM named by `settings.llm_provider`: local llama.cpp or an OpenAI-compatible endpoint."""
    if settings.llm_provider == "local":
        return LocalLlamaLLM(
            resolve_gguf(settings),
            n_ctx=settings.llm_context,
            n_threads=settings.llm_threads,
            model_name=settings.llm_model,
        )
    # Local servers (vLLM, Ollama, llama.cpp) need no key, but the SDK refuses to start without one.
    client = openai.OpenAI(base_url=settings.llm_base_url, api_key=settings.llm_api_key or "not-needed")
    return OpenAICompatLLM(client, settings.llm_model)
