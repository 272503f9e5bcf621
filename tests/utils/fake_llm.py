"""A queue-driven stand-in for the LLM protocol, so no unit test reaches a real model."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

from pydantic import BaseModel

from assistant.llm.base import ChatMessage, TokenUsage

# A callable reply is given the request's messages and JSON schema and returns the reply (for answers that
# depend on what the caller put in the prompt, such as which excerpt numbers a chat answer should cite).
Reply = (
    str | dict[str, Any] | BaseModel | Exception | Callable[[list[ChatMessage], dict[str, Any] | None], dict[str, Any]]
)


class FakeLLM:
    """Replies with what tests `enqueue`, in order, and records every request in `history`."""

    def __init__(self, model_name: str = "fake-llm") -> None:
        self._name = model_name
        self._replies: deque[Reply] = deque()
        self.history: list[list[ChatMessage]] = []
        self.json_schemas: list[dict[str, Any] | None] = []
        self.max_tokens: list[int] = []
        self.prefilled: list[list[ChatMessage]] = []
        self.usage = TokenUsage()

    @property
    def model_name(self) -> str:
        return self._name

    @property
    def pending(self) -> int:
        """Replies enqueued but not yet used."""
        return len(self._replies)

    def enqueue(self, *replies: Reply) -> FakeLLM:
        """Queue replies: text as is, dicts and models as JSON, exceptions raised when their turn comes."""
        self._replies.extend(replies)
        return self

    def _next(self, messages: list[ChatMessage], json_schema: dict[str, Any] | None, max_tokens: int) -> str:
        # Copies, so a caller that later mutates its list cannot rewrite what the test inspects.
        self.history.append([ChatMessage(role=m["role"], content=m["content"]) for m in messages])
        self.json_schemas.append(json_schema)
        self.max_tokens.append(max_tokens)
        if not self._replies:
            last = messages[-1]["content"] if messages else ""
            raise AssertionError(
                f"FakeLLM got request #{len(self.history)} but no reply is enqueued; "
                f"call fake_llm.enqueue(...) first. Last message: {last[:200]!r}"
            )
        reply = self._replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            reply = reply(messages, json_schema)
        if isinstance(reply, BaseModel):
            text = reply.model_dump_json()
        elif isinstance(reply, dict):
            text = json.dumps(reply)
        else:
            text = reply
        self.usage.add(prompt=sum(len(m["content"].split()) for m in messages), completion=len(text.split()))
        return text

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> str:
        """The next enqueued reply."""
        return self._next(messages, json_schema, max_tokens)

    def stream(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> Generator[str, None, None]:
        """The next enqueued reply, in a few chunks."""
        text = self._next(messages, json_schema, max_tokens)
        step = max(1, len(text) // 3)
        for start in range(0, len(text), step):
            yield text[start : start + step]

    def prefill(self, messages: list[ChatMessage], *, json_schema: dict[str, Any] | None = None) -> None:
        """Records the messages; uses no reply, so warming up never disturbs a test's queue."""
        self.prefilled.append([ChatMessage(role=m["role"], content=m["content"]) for m in messages])
