"""Language models behind one protocol: local llama.cpp, OpenAI-compatible endpoints, structured output."""

from assistant.llm.base import LLM, ChatMessage, TokenUsage
from assistant.llm.factory import build_llm
from assistant.llm.local import LocalLlamaLLM
from assistant.llm.model_files import ensure_default_gguf, resolve_gguf
from assistant.llm.openai_compat import OpenAICompatLLM
from assistant.llm.structured import complete_structured, strip_code_fences

__all__ = [
    "LLM",
    "ChatMessage",
    "LocalLlamaLLM",
    "OpenAICompatLLM",
    "TokenUsage",
    "build_llm",
    "complete_structured",
    "ensure_default_gguf",
    "resolve_gguf",
    "strip_code_fences",
]
