"""llama.cpp run in-process through xllamacpp: a GGUF on disk, no separate server to start."""

from __future__ import annotations

import copy
import logging
import os
import queue
import secrets
import threading
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from assistant.errors import LLMOutputError, ModelNotFoundError
from assistant.llm.base import ChatMessage, TokenUsage
from assistant.llm.model_files import INSTALL_HINT

log = logging.getLogger(__name__)

ServerFactory = Callable[[Path, int, int], Any]

# llguidance (xllamacpp's JSON-schema engine) options, set on the top-level schema. Measured with the
# 1.5B model (eval/bench_llm.py, and by hand):
# - one line with ", " and ": ": pretty-printed JSON costs about twice the tokens, and tokens are the
#   time here; fully compact "," and ":" fights the model's tokenizer and garbles values
#   (">$40,000"); free whitespace lets it emit spaces until max_tokens;
# - lenient: a keyword it cannot compile (pydantic's "uri" format, say) is dropped instead of the
#   whole grammar, which llama.cpp would otherwise ignore silently, leaving the output unconstrained.
_GUIDANCE = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": ", "lenient": True}
# The packaged Qwen model drifts into Chinese mid-answer (the demo call's budget came out as
# "$40,000 this year for analytic软件"). Its input comes from an English-only transcriber, so free-text
# strings may not hold CJK characters; with this pattern it wrote "analytics software budget" when asked
# outright for Chinese characters.
_NO_CJK = r"^[^\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF00-\uFFEF]*$"
_DONE = object()


def constrained_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as sent to llama.cpp: no undeclared keys, no CJK in free text, one-line output, lenient
    compilation."""
    out = copy.deepcopy(schema)
    for node in _subschemas(out):
        # JSON Schema allows extra keys by default, and a small model given that freedom keeps inventing
        # keys until max_tokens. Pydantic ignores extras anyway, so forbidding them loses nothing.
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        if node.get("type") == "string" and not node.keys() & {"enum", "const", "pattern", "format"}:
            node["pattern"] = _NO_CJK
    out["x-guidance"] = dict(_GUIDANCE)
    return out


def _subschemas(node: Any) -> Generator[dict[str, Any], None, None]:
    """Every object in a JSON schema, outermost first."""
    if isinstance(node, dict):
        yield node
        children: Any = list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return
    for child in children:
        yield from _subschemas(child)


def _xllamacpp() -> Any:
    # xllamacpp's ggml synchronises its threads with OpenMP barriers on the system libgomp, which spin
    # by default. eval/bench_llm.py, 2 threads on 2 cores, generation tok/s idle / with one busy
    # process beside it: spinning 17 / 7 (21 / 5.5 with a short spin), passive 14 / 13, and passive
    # reads prompts fastest (60 / 44 tok/s). Transcription shares these cores, so passive it is.
    # libgomp reads this once, when the import below loads it; setdefault keeps an operator's
    # explicit choice. (CTranslate2 ships its own libgomp, untouched.)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import xllamacpp
    except ImportError as e:
        raise ModelNotFoundError(f"The local language model runtime (xllamacpp) is missing. {INSTALL_HINT}.") from e
    return xllamacpp


def _default_server(model_path: Path, n_ctx: int, n_threads: int) -> Any:
    # xllamacpp always opens an HTTP listener on 127.0.0.1 (random port) next to the in-process API.
    # We never use it; a random key nobody knows makes it refuse every request.
    return start_server(model_path, n_ctx, n_threads, api_key=secrets.token_urlsafe(32))


def start_server(model_path: Path, n_ctx: int, n_threads: int, *, api_key: str, port: int | None = None) -> Any:
    """llama.cpp serving the GGUF in this process, and over OpenAI-compatible HTTP on 127.0.0.1:`port` (a
    random port when None) to requests that carry `api_key`."""
    xllamacpp = _xllamacpp()
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    # One slot: requests are serialised anyway, and a single slot keeps the whole context and the
    # prompt cache for the one conversation prefix being worked on (a transcript asked many questions).
    params.n_parallel = 1
    params.cpuparams.n_threads = n_threads
    params.cpuparams_batch.n_threads = n_threads
    params.sampling.temp = 0.0
    params.cache_prompt = True
    # Host-RAM cache of earlier prefixes; llama.cpp's 8 GiB default is more than this box should give.
    params.cache_ram_mib = 1024
    params.verbosity = 0
    params.api_keys = [api_key]
    if port is not None:
        params.port = port
    params.ui = False  # the web UI is off: only the API is served
    params.endpoint_slots = False
    try:
        return xllamacpp.Server(params)
    except RuntimeError as e:
        raise ModelNotFoundError(f"llama.cpp could not load {model_path} as a GGUF model: {e}") from e


class LocalLlamaLLM:
    """A GGUF model served by llama.cpp inside this process; loads on first use, one request at a time."""

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 8192,
        n_threads: int = 2,
        model_name: str | None = None,
        compact_json: bool = True,
        server_factory: ServerFactory = _default_server,
    ) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self._name = model_name or model_path.stem
        self.compact_json = compact_json
        self._server_factory = server_factory
        self._server: Any = None
        # One lock for loading and generating: llama.cpp would queue requests for the single slot
        # anyway, and serialising here keeps the prompt cache on the conversation being worked on.
        self._lock = threading.Lock()
        self.usage = TokenUsage()
        self.last_timings: dict[str, float] = {}

    @property
    def model_name(self) -> str:
        return self._name

    def load(self) -> None:
        """Load the model now instead of on the first request (start-up warm-up, benchmarks)."""
        with self._lock:
            self._loaded()

    def close(self) -> None:
        """Free the model; the next request loads it again."""
        with self._lock:
            self._server = None

    def _loaded(self) -> Any:
        if self._server is None:
            self._server = self._server_factory(self.model_path, self.n_ctx, self.n_threads)
        return self._server

    def _request(
        self, messages: list[ChatMessage], json_schema: dict[str, Any] | None, max_tokens: int
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "cache_prompt": True,
        }
        if json_schema is not None and self.compact_json:
            # A grammar rather than the `json_schema` field: on the chat route llama.cpp turns
            # `json_schema` into GBNF, which ignores the one-line option above.
            request["grammar"] = _xllamacpp().json_schema_to_grammar(constrained_schema(json_schema))
        elif json_schema is not None:
            # llama.cpp's own GBNF: pretty-printed, whitespace bounded per gap, about 2x the tokens.
            request["json_schema"] = json_schema
        return request

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> str:
        """One reply; with `json_schema` the output is constrained to it by llama.cpp's grammar."""
        choice = self._run(self._request(messages, json_schema, max_tokens))["choices"][0]
        if choice.get("finish_reason") == "length":
            log.warning("%s stopped at max_tokens=%d; the reply is cut off", self._name, max_tokens)
        return str(choice["message"].get("content") or "")

    def prefill(self, messages: list[ChatMessage], *, json_schema: dict[str, Any] | None = None) -> None:
        """Load the model if needed and read `messages` into the prompt cache. llama.cpp reads a prompt only
        to answer it, so this asks for a one-token reply and drops it; with `json_schema` that reply is
        constrained, which sets up llguidance's tokenizer tables (about 1 s, otherwise the first constrained
        request's, measured with eval/bench_chat.py)."""
        self._run(self._request(messages, json_schema, 1))

    def _run(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            server = self._loaded()
            try:
                result: dict[str, Any] = server.handle_chat_completions(request)
            except RuntimeError as e:
                raise LLMOutputError(f"The local model {self._name} rejected the request: {e}") from e
            self._check(result)
            self._record(result)
        return result

    def stream(
        self,
        messages: list[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
    ) -> Generator[str, None, None]:
        """Yield the reply's text as llama.cpp produces it; holds the model until exhausted or closed."""
        request = self._request(messages, json_schema, max_tokens) | {"stream": True}
        with self._lock:
            server = self._loaded()
            # xllamacpp streams by calling a callback until generation ends; a worker thread runs
            # that call and a queue hands the chunks to this generator as they arrive.
            chunks: queue.Queue[Any] = queue.Queue()
            stop = threading.Event()

            def on_chunk(chunk: Any) -> bool:
                chunks.put(chunk)
                return stop.is_set()  # True tells llama.cpp to stop generating

            def run() -> None:
                try:
                    server.handle_chat_completions(request, on_chunk)
                except BaseException as e:  # handed to the consumer, raised there
                    chunks.put(e)
                finally:
                    chunks.put(_DONE)

            worker = threading.Thread(target=run, name="llama-stream", daemon=True)
            worker.start()
            try:
                while (chunk := chunks.get()) is not _DONE:
                    if isinstance(chunk, BaseException):
                        raise LLMOutputError(f"The local model {self._name} failed: {chunk}") from chunk
                    self._check(chunk)
                    if "timings" in chunk:
                        self._record(chunk)
                    for choice in chunk.get("choices", []):
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            yield text
            finally:
                stop.set()
                worker.join()

    def _check(self, result: Any) -> None:
        if isinstance(result, dict) and "error" not in result and {"choices", "timings"} & result.keys():
            return
        error = result.get("error", result) if isinstance(result, dict) else result
        message = error.get("message", error) if isinstance(error, dict) else error
        raise LLMOutputError(f"The local model {self._name} failed: {message}")

    def _record(self, result: dict[str, Any]) -> None:
        timings = result.get("timings") or {}
        self.last_timings = {k: float(v) for k, v in timings.items() if isinstance(v, int | float)}
        # llama.cpp's timings count what it actually evaluated; cache_n is the reused prefix.
        cached = int(timings.get("cache_n", 0))
        self.usage.add(
            prompt=int(timings.get("prompt_n", 0)) + cached,
            completion=int(timings.get("predicted_n", 0)),
            cached=cached,
        )
