"""Benchmark the whole pipeline on a synthesised call of a few minutes, stage by stage.

Prints audio seconds, wall seconds per stage (store, decode, transcribe, analyse, index), the real-time
factor of transcription and of the whole pipeline, and peak RSS. Uses the real models (local LLM by default).

    .venv/bin/python eval/bench_pipeline.py                     # the ~10-minute call (assistant/demo/long_call.txt)
    .venv/bin/python eval/bench_pipeline.py --script assistant/demo/discovery_call.txt
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant import calls, stages
from assistant.config import Settings
from assistant.container import Container
from assistant.demo import LONG_CALL_SCRIPT
from eval.synth_call import synth_call
from ingestion.decode import load_channels, probe


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(script: Path, settings: Settings) -> dict[str, float]:
    """Synthesise `script`, run it through every stage, and return the figures."""
    work = settings.data_dir.parent
    audio = work / "call.ogg"
    synth_call(script, audio)
    container = Container(settings)
    figures: dict[str, float] = {"audio_s": float(probe(audio).duration_s or 0.0)}
    # Models load once per process in production; their load time is reported apart from the stages.
    figures["load_whisper_s"], _ = _timed(lambda: container.transcriber.model)
    figures["load_llm_s"], _ = _timed(lambda: container.llm.prefill([{"role": "user", "content": "Hi"}]))
    figures["decode_s"], _ = _timed(lambda: load_channels(audio, split_stereo=True))
    with audio.open("rb") as fh:
        figures["store_s"], accepted = _timed(
            lambda: calls.accept_upload(
                container, fh, audio.name, metadata=calls.parse_metadata(None), rep_channel="left", enqueue=False
            )
        )
    call_id = accepted.id
    for name, stage in (("transcribe", stages.transcribe), ("analyse", stages.analyse), ("index", stages.index)):
        figures[f"{name}_s"], _ = _timed(lambda stage=stage: stage(container, call_id))  # type: ignore[misc]
    figures["upload_to_indexed_s"] = sum(figures[k] for k in ("store_s", "transcribe_s", "analyse_s", "index_s"))
    figures["transcribe_rtf"] = figures["transcribe_s"] / figures["audio_s"]
    figures["pipeline_rtf"] = figures["upload_to_indexed_s"] / figures["audio_s"]
    figures["peak_rss_mb"] = peak_rss_mb()
    call = calls.get_call(container, call_id)
    figures["segments"] = len(call.segments)
    figures["dropped_evidence"] = call.dropped_evidence
    container.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--script", type=Path, default=LONG_CALL_SCRIPT, help="call script to synthesise")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="callsight-bench-") as tmp:
        # A fresh data dir, but the assembled model stays where the configured settings keep it.
        settings = Settings(data_dir=Path(tmp) / "data", models_dir=Settings().models_dir)
        figures = run(args.script, settings)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value:10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
