"""Benchmark streamed chat with the local model: time to the first answer token and to the whole answer.

The demo calls (assistant/demo/*.txt) are ingested into a data dir once and reused by later runs. By default
each goes through the whole pipeline with the local model (several minutes the first time), so chat draws
on objections, evidence and themes as well as transcript lines; `--transcripts-only` indexes just the
prospects' lines (seconds), which is enough to time the chat itself. Before timing, the model is warmed up as
`callsight serve` does at start-up: loaded, with chat's fixed instructions read into its prompt cache.

    .venv/bin/python -m eval.bench_chat [--data-dir data/bench-chat] [--models-dir DIR] [--questions 3]
        [--transcripts-only] [--follow-up]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from assistant import calls, stages
from assistant.chat import DoneEvent, SourcesEvent, TokenEvent, chat_service, warm_up
from assistant.config import Settings
from assistant.container import Container
from assistant.demo import DISCOVERY_CALL_SCRIPT, LONG_CALL_SCRIPT
from assistant.llm.base import ChatMessage
from assistant.pipeline import Pipeline
from assistant.schemas import CallMetadata

QUESTIONS = [
    "What do prospects say about their budget?",
    "Which competitors come up, and what do prospects say about them?",
    "What worries prospects about implementation?",
    "Who signs off on the purchase?",
    "What problems do prospects have today?",
]
# Asked after the first question, with it and its answer as the conversation so far.
FOLLOW_UP = "And who has to approve that money?"


def ingest_demo_calls(container: Container, *, transcripts_only: bool) -> None:
    """Store and index the demo calls unless the pipeline already did (same bytes, same call)."""
    for script in (DISCOVERY_CALL_SCRIPT, LONG_CALL_SCRIPT):
        with script.open("rb") as fh:
            accepted = calls.accept_upload(container, fh, script.name, metadata=CallMetadata(), enqueue=False)
        status, _ = calls.status_of(container, accepted.id)
        if status == "done":
            continue
        started = time.perf_counter()
        if transcripts_only:  # both stages replace what an earlier run stored, so repeating them is harmless
            stages.transcribe(container, accepted.id)
            stages.index(container, accepted.id)
        else:
            Pipeline(container).run(accepted.id)
        print(f"ingested {script.name} in {time.perf_counter() - started:.1f} s")


def time_question(
    container: Container, question: str, history: list[ChatMessage] | None = None
) -> tuple[dict[str, float], str]:
    """Seconds from asking to the sources, to the first answer token and to the whole answer; and the answer."""
    service = chat_service(container)
    started = time.perf_counter()
    marks: dict[str, float] = {"load": os.getloadavg()[0]}
    answer = ""
    for event in service.stream(question, history=history):
        now = time.perf_counter() - started
        if isinstance(event, SourcesEvent):
            marks["sources_s"] = now
            marks["cited"] = float(len(event.citations))
        elif isinstance(event, TokenEvent):
            marks.setdefault("first_token_s", now)
        elif isinstance(event, DoneEvent):
            marks["total_s"] = now
            answer = event.answer.answer
            print(f"  answer: {answer}")
    # What llama.cpp read (cache_n of it reused from the previous prompt) and wrote: where the time went.
    timings = getattr(container.llm, "last_timings", {})
    print(
        "  llama.cpp: "
        + ", ".join(f"{k} {timings[k]:.0f}" for k in ("prompt_n", "cache_n", "predicted_n") if k in timings)
        + "".join(
            f"; {label} {timings[k]:.0f} tok/s"
            for k, label in (("prompt_per_second", "reading"), ("predicted_per_second", "writing"))
            if k in timings
        )
    )
    return marks, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench-chat"))
    parser.add_argument("--questions", type=int, default=3, help=f"how many of the {len(QUESTIONS)} questions")
    parser.add_argument("--transcripts-only", action="store_true", help="index transcript lines, no analysis")
    parser.add_argument(
        "--models-dir", type=Path, help="where the default GGUF is (or is assembled); default: data dir"
    )
    parser.add_argument("--follow-up", action="store_true", help=f"then ask {FOLLOW_UP!r} after the first one")
    args = parser.parse_args()

    container = Container(Settings(data_dir=args.data_dir, llm_provider="local", models_dir=args.models_dir))
    ingest_demo_calls(container, transcripts_only=args.transcripts_only)
    started = time.perf_counter()
    warm_up(container)
    loaded = time.perf_counter() - started
    print(f"model {container.llm.model_name} warmed up in {loaded:.1f} s; indexed items: {container.index.count()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    asked: list[tuple[str, dict[str, float]]] = []
    answers = []
    for question in QUESTIONS[: args.questions]:
        print(f"Q: {question}")
        marks, answer = time_question(container, question)
        asked.append((question, marks))
        answers.append(answer)
    if args.follow_up:
        print(f"Q (follow-up): {FOLLOW_UP}")
        history: list[ChatMessage] = [
            {"role": "user", "content": QUESTIONS[0]},
            {"role": "assistant", "content": answers[0]},
        ]
        asked.append((f"(follow-up) {FOLLOW_UP}", time_question(container, FOLLOW_UP, history)[0]))
    results = [r for _, r in asked]
    # The machine is shared: the 1-minute load average when each question was asked says how busy it was.
    print(f"\n{'question':<66} {'sources':>8} {'first tok':>9} {'total':>7} {'cited':>5} {'load':>5}")
    for question, r in asked:
        first = r.get("first_token_s", float("nan"))
        print(
            f"{question:<66} {r['sources_s']:>7.1f}s {first:>8.1f}s {r['total_s']:>6.1f}s {int(r['cited']):>5}"
            f" {r['load']:>5.2f}"
        )
    firsts = [r["first_token_s"] for r in results if "first_token_s" in r]
    print(
        f"\nfirst token: median {statistics.median(firsts):.1f} s, max {max(firsts):.1f} s (target <= 3 s); "
        f"whole answer: median {statistics.median(r['total_s'] for r in results):.1f} s, "
        f"max {max(r['total_s'] for r in results):.1f} s (target <= 20 s)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    container.close()


if __name__ == "__main__":
    main()
