"""The eval report: a table for people, a JSON file for CI and history, and the committed thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

THRESHOLDS = Path(__file__).resolve().parents[1] / "thresholds.yaml"


def print_table(console: Console, dataset: str, report: dict[str, Any]) -> None:
    table = Table(title=f"{dataset}: {report['metrics']['calls']} calls, {report['framework']}, LLM {report['llm']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in report["metrics"].items():
        table.add_row(name, "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(table)


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


def below_thresholds(dataset: str, found: dict[str, Any], path: Path = THRESHOLDS) -> list[str]:
    """The committed minimums (and maximums) `found` misses, each as a sentence; empty when all hold."""
    limits = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(dataset, {})
    problems = []
    for name, bound in limits.get("min", {}).items():
        if found.get(name) is None or found[name] < bound:
            problems.append(f"{name} is {found.get(name)}, below the committed minimum {bound}")
    for name, bound in limits.get("max", {}).items():
        if found.get(name) is None or found[name] > bound:
            problems.append(f"{name} is {found.get(name)}, above the committed maximum {bound}")
    return problems
