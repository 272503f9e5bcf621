"""Any OpenAI-compatible chat endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp) behind the LLM protocol."""

from __future__ import annotations

import logging
import re
from collections.abc import Generator
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from assistant.errors import LLMOutputError
from assistant.llm.base import ChatMessage, TokenUsage

log = logging.getLogger(__name__)


def schema_name(schema: dict[str, Any]) -> str:
    """A `json_schema.name` OpenAI accepts (letters, digits, _ and -, at most 64) from the schema's title."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title") or "output"))
    return name[:64]


def _response_format(json_schema: dict[str, Any] | None) -> dict[str, Any]:
    """The request's `response_format` argument asking for output matching `json_schema`, if given."""
    if json_schema is None:
        return {}
    # strict=False: OpenAI's strict mode rejects ordinary pydantic schemas (optional fields, defaults);
    # the reply is validated by the caller either way.
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": schema_name(json_schema), "schema": json_schema, "strict": False},
        }
    }


class OpenAICompatLLM:
    """Chat completions through an injected `openai.OpenAI` client; temperature 0."""

    def __init__(self, client: openai.OpenAI, model: str) -> None:
        self._client = client
        self._model = model
        self.usage = TokenUsage()

    @property
    def model_name(self) -> str:
        return self._model

    def _failed(self, e: openai.OpenAIError) -> LLMOutputError:
        return LLMOutputError(f"The language model {self._model} at {self._client.base_url} failed: {e}")

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> str:
        """One reply; with `json_schema` the endpoint is asked for output matching it."""
        try:
            response = self._client.chat.completions.create(
                model=self._model,
                # ChatMessage is structurally one of the SDK's message TypedDicts.
                messages=cast("list[ChatCompletionMessageParam]", messages),
                temperature=0.0,
                max_tokens=max_tokens,
                **_response_format(json_schema),
            )
        except openai.OpenAIError as e:
            raise self._failed(e) from e
        if response.usage is not None:
            details = response.usage.prompt_tokens_details
            self.usage.add(
                prompt=response.usage.prompt_tokens,
                completion=response.usage.completion_tokens,
                cached=(details.cached_tokens or 0) if details else 0,
            )
        if not response.choices:
            raise LLMOutputError(f"The language model {self._model} returned no choices.")
        choice = response.choices[0]
        if choice.finish_reason == "length":
            log.warning("%s stopped at max_tokens=%d; the reply is cut off", self._model, max_tokens)
        if choice.message.refusal:
            raise LLMOutputError(f"The language model {self._model} refused: {choice.message.refusal}")
        return choice.message.content or ""

    def stream(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> Generator[str, None, None]:
        """Yield the reply's text as the endpoint sends it; closing the iterator closes the connection."""
        try:
            chunks = self._client.chat.completions.create(
                model=self._model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                temperature=0.0,
                max_tokens=max_tokens,
                stream=True,
                **_response_format(json_schema),
            )
            with chunks:
                for chunk in chunks:
                    for choice in chunk.choices:
                        if choice.delta.content:
                            yield choice.delta.content
        except openai.OpenAIError as e:
            raise self._failed(e) from e

    def prefill(self, messages: list[ChatMessage], *, json_schema: dict[str, Any] | None = None) -> None:
        """Nothing: endpoints that cache prompts (OpenAI, vLLM, llama.cpp's server) do so on the first real
        request, and a request made only to warm one would be billed."""
