"""The one interface every language model sits behind: local llama.cpp, any OpenAI-compatible endpoint, or
the fake used in tests."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


class LLM(Protocol):
    """A chat model. `complete` and `stream` with a JSON schema must return text constrained to that schema
    when the backend supports it; callers still validate (see `assistant.llm.structured`)."""

    @property
    def model_name(self) -> str: ...

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> str: ...

    def stream(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> Generator[str, None, None]:
        """The reply's text in pieces as it is generated, constrained to `json_schema` like `complete`."""
        ...

    def prefill(self, messages: list[ChatMessage], *, json_schema: dict[str, Any] | None = None) -> None:
        """Read `messages` ahead of time so that requests starting with them skip reading them again (a
        prompt cache), and with `json_schema` get the output constraints ready too; backends without such
        caches do nothing."""
        ...


@dataclass
class TokenUsage:
    """Tokens spent through one adapter since it was built; adapters add to it after every request."""

    requests: int = 0
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, *, prompt: int, completion: int, cached: int = 0) -> None:
        """Count one finished request."""
        self.requests += 1
        self.prompt_tokens += prompt
        self.cached_prompt_tokens += cached
        self.completion_tokens += completion
