"""`callsight eval`: run a labelled dataset through the real pipeline and print the metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import console, err, print_json
from assistant.config import get_settings


def evaluate(
    dataset: Annotated[
        str,
        typer.Argument(
            help="team_calls, team_calls_ci, team_calls_audio, agentune (or agentune_objections, "
            "agentune_not_qualified) or qmsum."
        ),
    ],
    framework: Annotated[str, typer.Option(help="Built-in criteria to score: bant or meddicc.")] = "bant",
    limit: Annotated[int | None, typer.Option(help="Only the first N calls.")] = None,
    out: Annotated[Path | None, typer.Option(help="JSON report path (default: DATA_DIR/eval/DATASET.json).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON report instead of the table.")] = False,
    check: Annotated[bool, typer.Option(help="Exit 1 when a metric misses eval/thresholds.yaml.")] = False,
) -> None:
    """Evaluate analysis quality: status accuracy and macro-F1, verdicts, objections, grounding, ROUGE-L, time."""
    from eval.harness import datasets, report, run

    settings = get_settings()
    found = run.run_dataset(
        datasets.load(dataset), settings, framework=framework, limit=limit, progress=lambda line: err.print(line)
    )
    path = out or settings.data_dir / "eval" / f"{dataset}.json"
    report.write_json(found, path)
    if as_json:
        print_json(found)
    else:
        report.print_table(console, dataset, found)
        err.print(f"report written to {path}")
    if check:
        problems = report.below_thresholds(dataset, found["metrics"])
        for problem in problems:
            err.print(f"[red]{problem}[/red]")
        if problems:
            raise typer.Exit(1)
