"""A reader who leaves mid-answer frees the model: the next question is answered, not stuck behind the
abandoned stream (the local model serves one request at a time under a lock)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from assistant.config import Settings
from assistant.container import Container
from assistant.index import Embedder, IndexItem
from assistant.llm.local import LocalLlamaLLM
from eval.servers import serving
from tests.assistant.llm.test_local import ScriptedServer, delta
from tests.utils.auth import admin_headers

REPLY = '{"sources": [1], "answer": "Acme Insights quoted them less, so price is a concern for the prospect."}'


def slow_model(server: ScriptedServer) -> LocalLlamaLLM:
    return LocalLlamaLLM(Path("/models/m.gguf"), server_factory=lambda *_: server)


def test_leaving_a_stream_early_stops_generation_and_the_next_question_is_answered(
    settings: Settings, embedder: Embedder
) -> None:
    # One character per chunk, 20 ms apart: about two seconds for the whole reply.
    server = ScriptedServer(chunks=[delta(c) for c in REPLY], chunk_delay=0.02)
    container = Container(settings, llm=slow_model(server), embedder=embedder)
    container.index.add(
        [
            IndexItem(
                id="c1:quote:1",
                text="Honestly, Acme Insights quoted us less, so price is a concern.",
                metadata={"call_id": "c1", "kind": "quote", "start": 36.4, "speaker_role": "prospect"},
            )
        ]
    )
    body = {"question": "What do prospects say about price?"}
    try:
        signed_in = admin_headers(container)
        with (
            serving(container, run_consumer=False) as url,
            httpx.Client(base_url=url, timeout=10, headers=signed_in) as http,
        ):
            with http.stream("POST", "/v1/chat/stream", json=body) as response:
                for line in response.iter_lines():
                    if line == "event: token":
                        break  # the reader leaves as the answer starts
            server.chunks = [delta(c) for c in REPLY]  # the next request is answered at full speed
            server.chunk_delay = 0.0
            answer = http.post("/v1/chat", json=body).json()
    finally:
        container.close()
    assert server.stopped_early
    assert answer["citations"][0]["quote"] == "Honestly, Acme Insights quoted us less, so price is a concern."
    assert answer["answer"] == json.loads(REPLY)["answer"]
