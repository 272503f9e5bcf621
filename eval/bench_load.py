"""Load on a running Callsight server, bigger than the CI load test: N distinct spoken clips uploaded and M chat
questions asked at once, then more questions once every call has settled; prints latency (p50/p95/max),
request throughput and calls processed per minute as JSON. The server's own model answers, so with the local
LLM expect chats to queue behind each other.

    .venv/bin/callsight keys create --role admin        # in the server's data dir; prints KEY
    .venv/bin/python -m eval.bench_load --url http://127.0.0.1:8000 --key KEY --uploads 200 --chats 1000

Needs `espeak-ng` for the clips. Uploads add calls to that server's data: point it at a scratch data dir.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid

from eval import load

QUESTIONS = (
    "What do prospects say about price?",
    "Which competitors come up?",
    "When do prospects want to start?",
    "Who signs off on the budget?",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="an API key that may upload, read calls and chat")
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--chats", type=int, default=400, help="half with the uploads, half after")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the calls to settle")
    args = parser.parse_args(argv)

    headers = {"Authorization": f"Bearer {args.key}"}
    # A different sentence per clip, so no upload is a duplicate of another (or of an earlier run's).
    run_tag = uuid.uuid4().hex[:6]
    clips = [
        (f"load-{n}.wav", load.spoken_clip(f"Run {run_tag}, call {n}. Our budget is {n + 10} thousand dollars."))
        for n in range(args.uploads)
    ]
    questions = [QUESTIONS[n % len(QUESTIONS)] for n in range(args.chats // 2)]
    burst = asyncio.run(load.fire(args.url, headers, clips, questions))
    accepted = [str(s.body["id"]) for s in burst.uploads if s.status == 202]
    statuses, settled_s = asyncio.run(load.settle(args.url, headers, accepted, args.timeout))
    after = asyncio.run(load.fire(args.url, headers, [], questions))
    report = {
        "with uploads": load.figures(burst, settled_s),
        "after": load.figures(after, 0.0),
        "errors": sum(s.status >= 400 for s in burst.uploads + burst.chats + after.chats),
        "calls": {status: list(statuses.values()).count(status) for status in sorted(set(statuses.values()))},
    }
    print(json.dumps(report, indent=2))
    return 1 if report["errors"] or set(statuses.values()) != {"done"} else 0


if __name__ == "__main__":
    raise SystemExit(main())
