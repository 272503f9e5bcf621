"""What every `callsight` command shares: the consoles, the container over the local settings, JSON output."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console

from assistant.config import Settings, get_settings
from assistant.container import Container

console = Console()
err = Console(stderr=True)


def open_container(settings: Settings | None = None) -> Container:
    """The container over the local data dir: the CLI acts on it directly, as its owner."""
    return Container(settings or get_settings())


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
