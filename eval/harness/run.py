"""Run a dataset through the real pipeline (a fresh data dir, the configured models) and score it."""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assistant import calls, criteria
from assistant.config import Settings
from assistant.container import Container
from assistant.pipeline import Pipeline
from assistant.qualification.definition import builtin_framework_text, parse_framework
from assistant.schemas import CallPublic, CriteriaUpdate
from eval.harness import metrics
from eval.harness.datasets import EvalCall


def eval_settings(base: Settings, data_dir: Path) -> Settings:
    """`base` with its stores moved to `data_dir`; the models stay where `base` keeps them."""
    return Settings(
        **base.model_dump(exclude={"data_dir", "database_url", "queue_path", "chroma_path"}), data_dir=data_dir
    )


def run_dataset(
    dataset: Iterable[EvalCall],
    base: Settings,
    *,
    framework: str = "bant",
    limit: int | None = None,
    container_factory: Callable[[Settings], Container] = Container,
    progress: Callable[[str], None] = lambda _line: None,
) -> dict[str, Any]:
    """Every call through upload -> transcribe -> analyse -> index, then the metrics; returns the report."""
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="callsight-eval-") as tmp:
        container = container_factory(eval_settings(base, Path(tmp) / "data"))
        try:
            criteria.save(container, CriteriaUpdate(builtin=framework))
            for number, item in enumerate(dataset):
                if limit is not None and number >= limit:
                    break
                record = _run_call(container, item, framework)
                records.append(record)
                progress(_progress_line(record))
            model = container.settings.llm_model if container.settings.llm_provider == "openai" else "local"
        finally:
            container.close()
    return {"framework": framework, "llm": model, "calls": records, "metrics": score(records, framework)}


def _progress_line(record: dict[str, Any]) -> str:
    line = f"{record['key']}: {record['status']} in {record['seconds']:.0f}s"
    if record["error"]:
        return f"{line} ({record['error']})"
    if record["verdict"]:
        line += f", {record['verdict']} ({' '.join(f'{k}={v}' for k, v in record['criteria'].items())})"
    return line + f", {len(record['objections'])} objection(s)"


def _run_call(container: Container, item: EvalCall, framework: str) -> dict[str, Any]:
    started = time.perf_counter()
    accepted = calls.accept_upload(
        container,
        io.BytesIO(item.content),
        item.filename,
        metadata=calls.parse_metadata(item.metadata),
        rep_channel=item.rep_channel,
        enqueue=False,
    )
    Pipeline(container).run(accepted.id)
    call = calls.get_call(container, accepted.id)
    return {"key": item.key, "seconds": time.perf_counter() - started, **_prediction(call), "labels": item.labels}


def _prediction(call: CallPublic) -> dict[str, Any]:
    transcript = "\n".join(s.text for s in call.segments)
    criteria = call.qualification.criteria if call.qualification else []
    shown = [e.quote for c in criteria for e in c.evidence]
    shown += [o.quote for o in call.objections] + [m.quote for m in [*call.themes, *call.competitors]]
    return {
        "status": call.status,
        "error": call.error,
        "analysis_s": call.analysis.duration_s if call.analysis else None,
        "summary": call.summary,
        "verdict": call.qualification.verdict if call.qualification else None,
        "criteria": {c.key: c.status for c in criteria},
        # the quotes behind each status, so a wrong verdict can be read without re-running the call
        "evidence": {c.key: [e.quote for e in c.evidence] for c in criteria},
        "objections": [{"quote": o.quote, "category": o.category, "summary": o.summary} for o in call.objections],
        "competitors": [m.name for m in call.competitors],
        "quotes_shown": len(shown),
        "quotes_located": sum(metrics.located(q, transcript) for q in shown),
        "dropped_evidence": call.dropped_evidence,
    }


def score(records: list[dict[str, Any]], framework: str) -> dict[str, Any]:
    """The metrics for whatever labels the records carry (qualification, objections, outcomes, summaries)."""
    done = [r for r in records if r["status"] == "done"]
    out: dict[str, Any] = {
        "calls": len(records),
        "failed": len(records) - len(done),
        "seconds_per_call": _mean([r["seconds"] for r in records]),
        "analysis_seconds_per_call": _mean([r["analysis_s"] for r in done if r["analysis_s"] is not None]),
        "grounding_rate": _ratio(sum(r["quotes_located"] for r in done), sum(r["quotes_shown"] for r in done)),
        "dropped_evidence": sum(r["dropped_evidence"] for r in done),
    }
    labelled = [r for r in done if framework in r["labels"]]
    if labelled:
        out.update(_qualification_scores(labelled, framework))
        out.update(_objection_scores(labelled))
    outcomes = [r for r in done if "expect" in r["labels"]]
    if outcomes:
        with_objections = [r for r in outcomes if r["labels"]["expect"] == "objections"]
        not_qualified = [r for r in outcomes if r["labels"]["expect"] == "not_qualified"]
        out["objection_calls_with_objection"] = sum(bool(r["objections"]) for r in with_objections)
        out["objection_calls"] = len(with_objections)
        out["not_qualified_calls_qualified_rate"] = _ratio(
            sum(r["verdict"] == "qualified" for r in not_qualified), len(not_qualified)
        )
    summaries = [r for r in done if "reference_summary" in r["labels"]]
    if summaries:
        out["summary_rouge_l"] = _mean(
            [metrics.rouge_l(r["summary"] or "", r["labels"]["reference_summary"]) for r in summaries]
        )
    return out


def _qualification_scores(records: list[dict[str, Any]], framework: str) -> dict[str, Any]:
    rule = parse_framework(builtin_framework_text(framework))
    keys = [c.key for c in rule.criteria]
    out: dict[str, Any] = {}
    every: list[tuple[str, str]] = []
    for key in keys:
        pairs = [(r["criteria"].get(key, "unknown"), r["labels"][framework][key]) for r in records]
        every += pairs
        out[f"status_accuracy.{key}"] = metrics.accuracy(pairs)
        out[f"status_macro_f1.{key}"] = metrics.macro_f1(pairs)
    out["status_accuracy"] = metrics.accuracy(every)
    out["status_macro_f1"] = metrics.macro_f1(every)
    expected = [
        rule.verdict_rule.decide([(c.key, c.required, r["labels"][framework][c.key]) for c in rule.criteria])[0]
        for r in records
    ]
    out["verdict_accuracy"] = metrics.accuracy([(r["verdict"], e) for r, e in zip(records, expected, strict=True)])
    return out


def _objection_scores(records: list[dict[str, Any]]) -> dict[str, Any]:
    totals = metrics.ObjectionMatch(0, 0, 0, 0)
    for r in records:
        found = metrics.match_objections(
            [(o["quote"], o["category"]) for o in r["objections"]],
            [(o["quote"], o["category"]) for o in r["labels"].get("objections") or []],
        )
        totals.predicted += found.predicted
        totals.expected += found.expected
        totals.matched += found.matched
        totals.category_right += found.category_right
    return {
        "objection_precision": _ratio(totals.matched, totals.predicted),
        "objection_recall": _ratio(totals.matched, totals.expected),
        "objection_category_accuracy": _ratio(totals.category_right, totals.matched),
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
