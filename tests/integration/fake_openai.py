"""A tiny OpenAI-compatible chat-completions server on loopback, for worker subprocesses that cannot be handed
the in-process FakeLLM. It answers each analysis question with a schema-valid reply chosen by the schema's
title (the shapes of tests/utils/analysis.py) and fails loudly on a question it does not know."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.utils.analysis import criterion_reply, objection_reply, summary_reply

REPLIES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "SummaryAnswer": lambda _schema: summary_reply(competitors=[]),
    "SummaryMergeAnswer": lambda _schema: {"summary": "A short discovery call."},
    "CriterionAnswer": lambda _schema: criterion_reply(),
    "ObjectionsAnswer": lambda _schema: objection_reply(),
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema") or {}
        title = schema.get("title", "")
        if self.path != "/v1/chat/completions" or title not in REPLIES:
            self._send(500, {"error": {"message": f"fake server: unexpected {self.path} {title!r}"}})
            return
        with self.server.lock:
            self.server.requests += 1
        content = json.dumps(REPLIES[title](schema))
        self._send(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests = 0
    lock = threading.Lock()


@contextmanager
def fake_openai_server() -> Iterator[_Server]:
    """The server, listening on 127.0.0.1; its base URL is `http://127.0.0.1:{server_port}/v1`."""
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
