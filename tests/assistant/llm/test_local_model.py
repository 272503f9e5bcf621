"""The real default model, in-process: schema-constrained extraction and streaming."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from assistant.llm.base import ChatMessage
from assistant.llm.local import LocalLlamaLLM
from assistant.llm.structured import complete_structured

CALL = (
    "Rep: What budget have you set aside for the new dispatch system?\n"
    "Prospect: Finance approved $40,000 for this year.\n"
    "Rep: Great, that fits our standard plan."
)


class Budget(BaseModel):
    budget: str | None = Field(description="The budget amount exactly as the prospect said it, or null.")


@pytest.mark.slow
def test_local_model_extracts_the_budget_as_schema_valid_json(local_llm: LocalLlamaLLM):
    messages: list[ChatMessage] = [
        {"role": "system", "content": "You extract facts from sales call transcripts. Answer in JSON."},
        {"role": "user", "content": f"Transcript:\n{CALL}\n\nWhat budget did the prospect state?"},
    ]

    result = complete_structured(local_llm, messages, Budget, retries=1, max_tokens=48)

    assert result.budget is not None
    assert "40,000" in result.budget or "40000" in result.budget or "40k" in result.budget.lower()


@pytest.mark.slow
def test_local_model_streams_its_reply_in_pieces(local_llm: LocalLlamaLLM):
    messages: list[ChatMessage] = [{"role": "user", "content": "Reply with the word 'hello' three times."}]

    pieces = list(local_llm.stream(messages, max_tokens=12))

    assert len(pieces) > 1
    assert "hello" in "".join(pieces).lower()


class Phrase(BaseModel):
    text: str = Field(max_length=60)


@pytest.mark.slow
def test_local_model_writes_no_chinese_even_when_asked_for_it(local_llm: LocalLlamaLLM):
    messages: list[ChatMessage] = [
        {"role": "user", "content": "Translate 'analytics software budget' into Chinese characters. Answer in JSON."}
    ]

    unconstrained = local_llm.complete(messages, max_tokens=40)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in unconstrained), "the probe no longer tempts the model"
    result = complete_structured(local_llm, messages, Phrase, retries=0, max_tokens=40)

    assert result.text.strip()
    assert not any("\u2e80" <= ch <= "\u9fff" for ch in result.text)
