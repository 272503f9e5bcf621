"""OpenAICompatLLM against an in-process HTTP endpoint that answers with real OpenAI-shaped JSON.

openai 3.x is built on httpx2 (the httpx fork), so the mock transport comes from there."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import openai
import pytest
from pydantic import BaseModel

from assistant.errors import LLMOutputError
from assistant.llm.base import ChatMessage
from assistant.llm.openai_compat import OpenAICompatLLM, schema_name

MESSAGES: list[ChatMessage] = [{"role": "user", "content": "Budget?"}]


class Budget(BaseModel):
    budget: str | None


def completion(content: str | None, refusal: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {
            "prompt_tokens": 12,
            "completion_tokens": 5,
            "total_tokens": 17,
            "prompt_tokens_details": {"cached_tokens": 8},
        },
    }


def sse(*pieces: str) -> bytes:
    events = []
    for piece in pieces:
        chunk = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": "test-model",
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
        }
        events.append(f"data: {json.dumps(chunk)}\n\n")
    events.append("data: [DONE]\n\n")
    return "".join(events).encode()


class Endpoint:
    """Records each request body and answers with `respond(body)`."""

    def __init__(self, respond: Callable[[dict[str, Any]], httpx2.Response]) -> None:
        self.respond = respond
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        self.paths.append(request.url.path)
        return self.respond(body)

    def llm(self) -> OpenAICompatLLM:
        client = openai.OpenAI(
            base_url="http://llm.test/v1",
            api_key="not-needed",
            max_retries=0,
            http_client=httpx2.Client(transport=httpx2.MockTransport(self)),
        )
        return OpenAICompatLLM(client, "test-model")


def test_schema_requests_ask_for_json_schema_output_at_temperature_zero():
    endpoint = Endpoint(lambda body: httpx2.Response(200, json=completion('{"budget": "$40,000"}')))
    llm = endpoint.llm()

    text = llm.complete(MESSAGES, json_schema=Budget.model_json_schema(), max_tokens=64)

    assert text == '{"budget": "$40,000"}'
    assert endpoint.paths == ["/v1/chat/completions"]
    body = endpoint.bodies[0]
    assert body["model"] == "test-model"
    assert body["messages"] == [{"role": "user", "content": "Budget?"}]
    assert body["temperature"] == 0.0
    assert body["max_tokens"] == 64
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Budget", "schema": Budget.model_json_schema(), "strict": False},
    }
    assert (llm.usage.prompt_tokens, llm.usage.cached_prompt_tokens, llm.usage.completion_tokens) == (
        12,
        8,
        5,
    )


def test_plain_requests_send_no_response_format():
    endpoint = Endpoint(lambda body: httpx2.Response(200, json=completion("Hello")))

    assert endpoint.llm().complete(MESSAGES) == "Hello"
    assert "response_format" not in endpoint.bodies[0]


def test_prefill_sends_no_billed_request():
    endpoint = Endpoint(lambda body: httpx2.Response(200, json=completion("Hello")))

    endpoint.llm().prefill(MESSAGES, json_schema=Budget.model_json_schema())

    assert endpoint.bodies == []


def test_stream_yields_the_pieces_the_endpoint_sends():
    endpoint = Endpoint(
        lambda body: httpx2.Response(
            200, content=sse("The ", "budget ", "is $40k."), headers={"content-type": "text/event-stream"}
        )
    )

    assert list(endpoint.llm().stream(MESSAGES, max_tokens=20)) == ["The ", "budget ", "is $40k."]
    assert endpoint.bodies[0]["stream"] is True


def test_endpoint_errors_become_llm_output_errors_naming_the_endpoint():
    endpoint = Endpoint(lambda body: httpx2.Response(500, json={"error": {"message": "model crashed"}}))

    with pytest.raises(LLMOutputError, match=r"test-model at http://llm.test/v1/ failed.*model crashed"):
        endpoint.llm().complete(MESSAGES)


def test_a_refusal_is_an_llm_output_error():
    endpoint = Endpoint(lambda body: httpx2.Response(200, json=completion(None, refusal="I can't help.")))

    with pytest.raises(LLMOutputError, match="refused: I can't help"):
        endpoint.llm().complete(MESSAGES, json_schema=Budget.model_json_schema())


@pytest.mark.parametrize(
    ("schema", "name"),
    [
        ({"title": "Budget"}, "Budget"),
        ({"title": "BANT field: budget"}, "BANT_field__budget"),
        ({}, "output"),
    ],
)
def test_schema_name_is_one_openai_accepts(schema, name):
    assert schema_name(schema) == name


def test_a_stream_with_a_schema_asks_for_json_schema_output_too():
    endpoint = Endpoint(
        lambda body: httpx2.Response(
            200, content=sse('{"budget": ', '"$40k"}'), headers={"content-type": "text/event-stream"}
        )
    )

    pieces = list(endpoint.llm().stream(MESSAGES, json_schema=Budget.model_json_schema()))

    assert "".join(pieces) == '{"budget": "$40k"}'
    assert endpoint.bodies[0]["stream"] is True
    assert endpoint.bodies[0]["response_format"]["json_schema"]["schema"] == Budget.model_json_schema()
