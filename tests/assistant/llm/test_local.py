"""LocalLlamaLLM's own logic (requests, errors, streaming bridge, locking) against a scripted stand-in for
xllamacpp.Server; the real model runs in test_local_model.py."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from assistant.errors import LLMOutputError
from assistant.llm.base import ChatMessage
from assistant.llm.local import LocalLlamaLLM, constrained_schema

MESSAGES: list[ChatMessage] = [{"role": "user", "content": "Budget?"}]


def reply(content: str, **timings: int) -> dict[str, Any]:
    return {
        "choices": [{"finish_reason": "stop", "index": 0, "message": {"role": "assistant", "content": content}}],
        "timings": {"prompt_n": 5, "cache_n": 0, "predicted_n": 3, **timings},
    }


def delta(text: str | None, finish: str | None = None) -> dict[str, Any]:
    return {"choices": [{"finish_reason": finish, "index": 0, "delta": {"content": text}}]}


class ScriptedServer:
    """Answers like xllamacpp.Server: a dict for plain requests, callback calls for streams."""

    def __init__(
        self,
        result: Any = None,
        chunks: list[Any] | None = None,
        delay: float = 0.0,
        chunk_delay: float = 0.0,
    ) -> None:
        self.result = result if result is not None else reply('{"budget": "$40,000"}')
        self.chunks = chunks or []
        self.delay = delay
        self.chunk_delay = chunk_delay  # like token-by-token generation
        self.requests: list[dict[str, Any]] = []
        self.stopped_early = False
        self.active = 0
        self.max_active = 0

    def handle_chat_completions(self, request: dict[str, Any], callback: Any = None) -> Any:
        self.requests.append(request)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.delay)
            if callback is None:
                return self.result
            for chunk in self.chunks:
                time.sleep(self.chunk_delay)
                if callback(chunk):
                    self.stopped_early = True
                    return None
            return None
        finally:
            self.active -= 1


def local_with(server: ScriptedServer, loads: list[tuple[Path, int, int]] | None = None) -> LocalLlamaLLM:
    def factory(path: Path, n_ctx: int, n_threads: int) -> ScriptedServer:
        if loads is not None:
            loads.append((path, n_ctx, n_threads))
        return server

    return LocalLlamaLLM(Path("/models/m.gguf"), n_ctx=4096, n_threads=1, server_factory=factory)


class Inner(BaseModel):
    kind: str


class Outer(BaseModel):
    items: list[Inner]
    note: str | None = None


def test_constrained_schema_forbids_undeclared_keys_and_asks_for_one_line_json():
    schema = Outer.model_json_schema()
    schema["properties"]["extra"] = {"type": "object", "properties": {}, "additionalProperties": True}

    out = constrained_schema(schema)

    assert out["additionalProperties"] is False
    assert out["$defs"]["Inner"]["additionalProperties"] is False
    assert out["properties"]["extra"]["additionalProperties"] is True  # an explicit choice is kept
    assert "pattern" in out["$defs"]["Inner"]["properties"]["kind"]
    assert "pattern" in out["properties"]["note"]["anyOf"][0]  # Optional[str] too
    assert out["x-guidance"] == {
        "whitespace_flexible": False,
        "item_separator": ", ",
        "key_separator": ": ",
        "lenient": True,
    }
    assert "x-guidance" not in schema and "additionalProperties" not in schema  # input untouched


def test_model_loads_once_on_first_use_with_the_configured_context_and_threads():
    server, loads = ScriptedServer(), list[tuple[Path, int, int]]()
    llm = local_with(server, loads)
    assert loads == []

    llm.complete(MESSAGES)
    llm.complete(MESSAGES)

    assert loads == [(Path("/models/m.gguf"), 4096, 1)]


def test_schema_requests_are_greedy_cached_and_grammar_constrained():
    server = ScriptedServer()
    llm = local_with(server)

    text = llm.complete(MESSAGES, json_schema=Outer.model_json_schema(), max_tokens=99)

    assert text == '{"budget": "$40,000"}'
    request = server.requests[0]
    assert request["temperature"] == 0.0
    assert request["cache_prompt"] is True
    assert request["max_tokens"] == 99
    assert request["messages"] == [{"role": "user", "content": "Budget?"}]
    assert request["grammar"].startswith("%llguidance")
    assert '"whitespace_flexible":false' in request["grammar"]
    assert "json_schema" not in request


def test_pretty_json_mode_sends_the_schema_to_llama_cpp_as_is():
    server = ScriptedServer()
    llm = local_with(server)
    llm.compact_json = False

    llm.complete(MESSAGES, json_schema=Outer.model_json_schema())

    assert server.requests[0]["json_schema"] == Outer.model_json_schema()
    assert "grammar" not in server.requests[0]


def test_prefill_loads_the_model_and_reads_the_messages_with_a_one_token_cached_request():
    server, loads = ScriptedServer(), list[tuple[Path, int, int]]()
    llm = local_with(server, loads)

    llm.prefill(MESSAGES)  # returns None (mypy checks the signature): the one-token reply is dropped
    llm.prefill(MESSAGES, json_schema=Outer.model_json_schema())

    assert len(loads) == 1
    plain, constrained = server.requests
    assert plain["messages"] == [{"role": "user", "content": "Budget?"}]
    assert (plain["max_tokens"], plain["cache_prompt"]) == (1, True)
    assert "grammar" not in plain and "json_schema" not in plain
    assert constrained["max_tokens"] == 1 and constrained["grammar"].startswith("%llguidance")


def test_usage_counts_evaluated_and_cached_prompt_tokens():
    llm = local_with(ScriptedServer(reply("{}", prompt_n=4, cache_n=96, predicted_n=7)))

    llm.complete(MESSAGES)

    assert (llm.usage.requests, llm.usage.prompt_tokens, llm.usage.cached_prompt_tokens) == (1, 100, 96)
    assert llm.usage.completion_tokens == 7
    assert llm.last_timings["cache_n"] == 96


def test_llama_cpp_errors_become_llm_output_errors():
    error = {"error": {"code": 400, "message": "request (430 tokens) exceeds the available context size"}}
    llm = local_with(ScriptedServer(error))

    with pytest.raises(LLMOutputError, match="exceeds the available context size"):
        llm.complete(MESSAGES)


def test_stream_yields_text_as_it_arrives():
    chunks = [delta(None), delta("The "), delta("budget"), delta(" is $40k."), delta(None, finish="stop")]
    llm = local_with(ScriptedServer(chunks=chunks))

    assert list(llm.stream(MESSAGES, max_tokens=20)) == ["The ", "budget", " is $40k."]


def test_a_stream_with_a_schema_is_grammar_constrained_like_complete():
    llm = local_with(server := ScriptedServer(chunks=[delta('{"kind": '), delta('"x"}')]))

    assert "".join(llm.stream(MESSAGES, json_schema=Outer.model_json_schema())) == '{"kind": "x"}'
    assert server.requests[0]["stream"] is True
    assert server.requests[0]["grammar"].startswith("%llguidance")


def test_closing_a_stream_early_stops_generation_and_frees_the_model():
    server = ScriptedServer(chunks=[delta(str(i)) for i in range(100)], chunk_delay=0.01)
    llm = local_with(server)

    stream = llm.stream(MESSAGES)
    assert next(stream) == "0"
    stream.close()

    assert server.stopped_early
    assert len(server.requests) == 1
    server.result = reply("{}")
    assert llm.complete(MESSAGES) == "{}"  # the lock was released


def test_a_stream_error_is_raised_to_the_consumer():
    chunks = [delta("Hi"), {"error": {"code": 500, "message": "slot crashed"}}]
    llm = local_with(ScriptedServer(chunks=chunks))

    with pytest.raises(LLMOutputError, match="slot crashed"):
        list(llm.stream(MESSAGES))


def test_concurrent_callers_generate_one_at_a_time():
    server = ScriptedServer(delay=0.05)
    llm = local_with(server)

    threads = [threading.Thread(target=llm.complete, args=(MESSAGES,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(server.requests) == 4
    assert server.max_active == 1
