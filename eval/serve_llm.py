"""Serve the configured local model over an OpenAI-compatible HTTP API on loopback (llama.cpp's own server).

It lets the `openai` provider be checked end to end against a real endpoint on a machine without a network:
the same eval, switched by settings only.

    .venv/bin/python -m eval.serve_llm --port 8088 --api-key local-check &
    CALLSIGHT_LLM_PROVIDER=openai CALLSIGHT_LLM_BASE_URL=http://127.0.0.1:8088/v1 \\
        CALLSIGHT_LLM_API_KEY=local-check .venv/bin/callsight eval team_calls_ci --check
"""

from __future__ import annotations

import argparse

from assistant.config import Settings
from assistant.llm.local import start_server
from assistant.llm.model_files import resolve_gguf
from assistant.worker import stop_on_signal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--api-key", required=True, help="the key clients must send (CALLSIGHT_LLM_API_KEY)")
    args = parser.parse_args(argv)
    stop = stop_on_signal()
    settings = Settings()
    server = start_server(
        resolve_gguf(settings), settings.llm_context, settings.llm_threads, api_key=args.api_key, port=args.port
    )
    print(f"serving {settings.llm_model} at {server.listening_address}/v1", flush=True)
    stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
