"""A fake-LLM reply that answers whatever is asked, by the JSON schema of the request: for tests where many
analyses and chats run concurrently (load, fuzzing), so replies cannot be queued in the order they are used."""

from __future__ import annotations

from typing import Any

from assistant.llm.base import ChatMessage
from tests.utils.analysis import criterion_reply, objection_reply, summary_reply
from tests.utils.fake_llm import FakeLLM

CHAT_ANSWER = "Prospects raise price and implementation time."


def reply_by_schema(_messages: list[ChatMessage], schema: dict[str, Any] | None) -> dict[str, Any]:
    """A valid answer to the question the schema describes: summary, criterion, objections or chat."""
    properties = (schema or {}).get("properties", {})
    if "answer" in properties:
        # Cite the first excerpt offered (the schema's enum is the excerpt numbers in the prompt).
        offered = properties["sources"]["items"].get("enum", [])
        return {"answer": CHAT_ANSWER, "sources": offered[:1]}
    if "summary" in properties:
        return summary_reply()
    if "status" in properties:
        return criterion_reply()
    if "objections" in properties:
        return objection_reply()
    raise AssertionError(f"reply_by_schema does not know this question: {sorted(properties)}")


def keep_answering(fake: FakeLLM, at_least: int) -> None:
    """Make sure `fake` holds at least `at_least` schema-driven replies."""
    if fake.pending < at_least:
        fake.enqueue(*(reply_by_schema for _ in range(at_least - fake.pending)))
