from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from assistant.errors import LLMOutputError
from assistant.llm.base import ChatMessage
from assistant.llm.structured import complete_structured, strip_code_fences, whole_sentences


class Budget(BaseModel):
    budget: str | None = Field(description="The amount as the prospect said it, or null.")


MESSAGES: list[ChatMessage] = [
    {"role": "system", "content": "Extract facts."},
    {"role": "user", "content": "Prospect: We have $40,000 for this."},
]


def test_valid_first_reply_is_parsed_and_the_schema_is_sent(fake_llm):
    fake_llm.enqueue({"budget": "$40,000"})

    result = complete_structured(fake_llm, MESSAGES, Budget, retries=2, max_tokens=64)

    assert result == Budget(budget="$40,000")
    assert fake_llm.json_schemas == [Budget.model_json_schema()]
    assert fake_llm.max_tokens == [64]
    assert fake_llm.history == [MESSAGES]


def test_invalid_reply_is_retried_with_the_bad_reply_and_the_error(fake_llm):
    fake_llm.enqueue('{"budget": 40000}', Budget(budget="$40,000"))

    result = complete_structured(fake_llm, MESSAGES, Budget, retries=2, max_tokens=64)

    assert result.budget == "$40,000"
    retry = fake_llm.history[1]
    assert retry[: len(MESSAGES)] == MESSAGES
    assert retry[-2] == {"role": "assistant", "content": '{"budget": 40000}'}
    assert retry[-1]["role"] == "user"
    assert "budget: Input should be a valid string" in retry[-1]["content"]


def test_retries_resend_only_the_latest_bad_reply(fake_llm):
    fake_llm.enqueue("not json", "still not json", {"budget": None})

    complete_structured(fake_llm, MESSAGES, Budget, retries=2, max_tokens=64)

    assert [len(h) for h in fake_llm.history] == [2, 4, 4]
    assert fake_llm.history[2][-2]["content"] == "still not json"


def test_exhausted_retries_raise_llm_output_error_with_the_last_error(fake_llm):
    fake_llm.enqueue("nope", "nope again", '{"budget": 1}')

    with pytest.raises(LLMOutputError) as info:
        complete_structured(fake_llm, MESSAGES, Budget, retries=2, max_tokens=64)

    assert len(fake_llm.history) == 3
    message = info.value.message
    assert "fake-llm" in message
    assert "valid Budget after 3 attempts" in message
    assert "budget: Input should be a valid string" in message


def test_zero_retries_means_one_attempt(fake_llm):
    fake_llm.enqueue("nope")

    with pytest.raises(LLMOutputError, match="after 1 attempts"):
        complete_structured(fake_llm, MESSAGES, Budget, retries=0, max_tokens=64)
    assert fake_llm.pending == 0


def test_fenced_reply_is_parsed_without_a_retry(fake_llm):
    fake_llm.enqueue('```json\n{"budget": "$40,000"}\n```')

    assert complete_structured(fake_llm, MESSAGES, Budget, retries=0, max_tokens=64).budget == "$40,000"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('  {"a": 1}\n', '{"a": 1}'),
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}```', '{"a": 1}'),
        ("```JSON\n[1, 2]\n```", "[1, 2]"),
        ('Here it is:\n```json\n{"a": 1}\n```\nAnything else?', '{"a": 1}'),
        ('```json\n{"a": 1}', '{"a": 1}'),  # cut off at max_tokens before the closing fence
        ('{"quote": "type ```ls``` here"}', '{"quote": "type ```ls``` here"}'),
        ("no json at all", "no json at all"),
    ],
)
def test_strip_code_fences(reply, expected):
    assert strip_code_fences(reply) == expected


def test_fake_llm_fails_clearly_when_no_reply_is_enqueued(fake_llm):
    with pytest.raises(AssertionError, match="no reply is enqueued"):
        fake_llm.complete(MESSAGES)


def test_fake_llm_streams_the_enqueued_reply_in_chunks(fake_llm):
    fake_llm.enqueue("The budget is forty thousand.")

    chunks = list(fake_llm.stream(MESSAGES))

    assert len(chunks) > 1
    assert "".join(chunks) == "The budget is forty thousand."


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # Stopped at the 60-character limit mid-sentence: back to the last whole sentence.
        (
            "Our dispatch reporting is a mess. Our dispatchers spend two ",
            "Our dispatch reporting is a mess.",
        ),
        # No whole sentence to fall back on: cut at a word, and say so. The next token ("ware") would have
        # crossed the limit, so the cut comes one short of it.
        (
            "Yes, we set aside about $40,000 this year for analytic soft",
            "Yes, we set aside about $40,000 this year for analytic…",
        ),
        # A full-length text that ends a sentence, or a decimal point, is not a cut.
        ("It costs $40.5k a year, which is more than we can spend now.", None),
        # Shorter than the limit: the model chose to stop there.
        ("Sarah Miller", None),
        ("Tom Becker, and the CFO Sarah Miller", None),
        # The price of telling the two apart by length alone: a phrase that ends a token short of the limit
        # by the model's choice looks cut, and loses its last word.
        (
            "Tom Becker, the operations director, and CFO Sarah Miller",
            "Tom Becker, the operations director, and CFO Sarah…",
        ),
    ],
)
def test_whole_sentences_trims_only_text_the_length_limit_cut(text: str, shown: str | None):
    limit = 60
    assert len(text) <= limit
    assert whole_sentences(limit)(text) == (shown if shown is not None else text)
