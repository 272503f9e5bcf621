"""Benchmark analysis of a 30-minute call with the configured LLM (local by default).

Two 30-minute transcripts: the longest real call in the public agentune set (29.4 minutes of phone speech,
slow with pauses) and a dense one, the bundled 10-minute B2B call said three times over (about 150 words a
minute, as in a fast-talking sales call). Prints the words, the analysis seconds and peak RSS.

    .venv/bin/python eval/bench_analysis.py
    .venv/bin/python eval/bench_analysis.py --only dense --json
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

from assistant import calls, stages
from assistant.config import Settings
from assistant.container import Container
from assistant.demo import LONG_CALL_SCRIPT
from eval.bench_pipeline import peak_rss_mb
from eval.harness.datasets import agentune
from eval.harness.run import eval_settings


def real_30_minutes() -> bytes:
    """The agentune call with the most words among those near 30 minutes long."""
    return max(agentune(), key=lambda c: len(c.content)).content


def dense_30_minutes() -> bytes:
    script = LONG_CALL_SCRIPT.read_text(encoding="utf-8").strip()
    return "\n".join([script] * 3).encode()


def bench(container: Container, name: str, content: bytes) -> dict[str, float]:
    accepted = calls.accept_upload(
        container, io.BytesIO(content), f"{name}.txt", metadata=calls.parse_metadata(None), enqueue=False
    )
    stages.transcribe(container, accepted.id)  # a transcript import: parsing and roles only
    started = time.perf_counter()
    stages.analyse(container, accepted.id)
    seconds = time.perf_counter() - started
    return {"words": float(len(content.split())), "analysis_s": seconds, "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", choices=["real", "dense"], help="run one of the two transcripts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sources = {"real": real_30_minutes, "dense": dense_30_minutes}
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="callsight-bench-") as tmp:
        container = Container(eval_settings(Settings(), Path(tmp) / "data"))
        container.llm.prefill([{"role": "user", "content": "Hi"}])  # load the model first
        for name, source in sources.items():
            if args.only in (None, name):
                figures[name] = bench(container, name, source())
        container.close()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, values in figures.items():
            print(f"{name:<6} " + "  ".join(f"{k} {v:,.1f}" for k, v in values.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
