"""Benchmark the local LLM: load time, prompt and generation speed, prompt-cache reuse and peak memory.

The demo discovery call (~790 words, ~1,000 tokens as numbered turns) is asked one schema-constrained
question cold, then a second question over the same prefix (llama.cpp's prompt cache), as the analysis
pipeline does. Other processes on the same
cores slow llama.cpp a lot (DESIGN.md), so the load average is printed next to the figures.

    .venv/bin/python -m eval.bench_llm --models-dir .venv/callsight-models [--threads 1] [--pretty]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.config import get_settings
from assistant.demo import DISCOVERY_CALL_SCRIPT
from assistant.llm.base import ChatMessage
from assistant.llm.local import LocalLlamaLLM
from assistant.llm.model_files import ensure_default_gguf, resolve_gguf


def numbered(script: Path) -> str:
    """The call as numbered turns, the form the analysis prompts use."""
    turns = [line.strip() for line in script.read_text().splitlines() if line.strip()]
    return "\n".join(f"[{i}] {turn}" for i, turn in enumerate(turns, start=1))


class Objection(BaseModel):
    kind: Literal["price", "competitor", "timing", "roi", "security", "other"]
    turn: int = Field(description="Number of the prospect turn that states it.")
    summary: str = Field(max_length=120)


class Qualification(BaseModel):
    budget: str | None = Field(description="Budget as the prospect stated it, or null.")
    decision_maker: str | None
    timeline: str | None
    objections: list[Objection] = Field(max_length=5)


class NextSteps(BaseModel):
    next_steps: list[str] = Field(max_length=4)


def messages(call: str, question: str) -> list[ChatMessage]:
    return [
        {"role": "system", "content": "You analyse sales call transcripts. Answer in JSON only."},
        {"role": "user", "content": f"Transcript:\n{call}\n\n{question}"},
    ]


def run(llm: LocalLlamaLLM, msgs: list[ChatMessage], output: type[BaseModel], max_tokens: int) -> dict[str, float]:
    """One constrained request; wall time plus llama.cpp's own timings."""
    start = time.perf_counter()
    reply = llm.complete(msgs, json_schema=output.model_json_schema(), max_tokens=max_tokens)
    wall = time.perf_counter() - start
    try:
        output.model_validate_json(reply)
        valid = 1.0
    except ValidationError:
        valid = 0.0
    print(f"  reply: {reply[:300]}{'...' if len(reply) > 300 else ''}")
    return {"wall_s": wall, "valid": valid, **llm.last_timings}


def row(name: str, t: dict[str, float]) -> str:
    return (
        f"{name:<26} {t['wall_s']:>7.1f} {int(t.get('cache_n', 0)):>7} {int(t['prompt_n']):>7} "
        f"{t['prompt_per_second']:>8.1f} {int(t['predicted_n']):>7} {t['predicted_per_second']:>8.1f} "
        f"{'yes' if t['valid'] else 'no':>6}"
    )


def main() -> None:
    """Run the benchmark and print a table."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-path", type=Path, help="GGUF to load (default: the configured model)")
    parser.add_argument("--models-dir", type=Path, help="assemble the default model here instead")
    parser.add_argument("--threads", type=int, default=settings.llm_threads)
    parser.add_argument("--ctx", type=int, default=settings.llm_context)
    parser.add_argument("--call", type=Path, default=DISCOVERY_CALL_SCRIPT, help="call script, one turn a line")
    parser.add_argument("--pretty", action="store_true", help="also run llama.cpp's pretty-printed JSON mode")
    args = parser.parse_args()

    if args.model_path:
        path = args.model_path
    elif args.models_dir:
        path = ensure_default_gguf(args.models_dir)
    else:
        path = resolve_gguf(settings)
    llm = LocalLlamaLLM(path, n_ctx=args.ctx, n_threads=args.threads)
    call = numbered(args.call)
    print(f"model {path.name}, threads {args.threads}, n_ctx {args.ctx}, cores {os.cpu_count()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    start = time.perf_counter()
    llm.load()
    load_s = time.perf_counter() - start

    qualify = "Fill in the qualification fields and list the prospect's objections."
    results = [("cold: qualification", run(llm, messages(call, qualify), Qualification, 400))]
    follow = "List the agreed next steps."
    results.append(("cached prefix: next steps", run(llm, messages(call, follow), NextSteps, 200)))
    if args.pretty:
        llm.compact_json = False
        results.append(("cached, pretty JSON: qual.", run(llm, messages(call, qualify), Qualification, 400)))
    load_after = os.getloadavg()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print()
    print(f"load time {load_s:.1f} s, peak RSS {peak_rss_mb:.0f} MB")
    names = ("wall s", "cached", "prompt", "p tok/s", "gen", "g tok/s", "valid")
    widths = (7, 7, 7, 8, 7, 8, 6)
    print(f"{'request':<26} " + " ".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True)))
    for name, timings in results:
        print(row(name, timings))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")
    llm.close()


if __name__ == "__main__":
    main()
