"""`callsight criteria`: show, list and set the qualification criteria sales and marketing agreed on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant import criteria
from assistant.cli import common
from assistant.cli.common import console, print_json
from assistant.schemas import CriteriaUpdate, CriteriaVersionPublic

criteria_app = typer.Typer(help="Qualification criteria (BANT, MEDDICC, CHAMP, SPICED or your own YAML), versioned.")


def _describe(version: CriteriaVersionPublic) -> None:
    state = "active" if version.is_active else "inactive"
    console.print(f"[bold]{version.framework}[/bold] version {version.version} ({state})")
    for c in version.criteria:
        console.print(f"  {c.key:<20} {'required' if c.required else 'optional':<9} {c.question}")


@criteria_app.command("show")
def show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the YAML definition.")] = False,
) -> None:
    """Show the criteria version new analyses use."""
    active = criteria.active(common.open_container())
    if as_json:
        print_json(active.model_dump(mode="json"))
    elif as_yaml:
        typer.echo(active.definition_yaml, nl=False)
    else:
        _describe(active)


@criteria_app.command("versions")
def versions(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every saved version, newest first."""
    history = criteria.history(common.open_container())
    if as_json:
        print_json([v.model_dump(mode="json") for v in history])
        return
    for v in history:
        console.print(f"{v.id:>4}  {v.framework:<12} v{v.version:<4} {'active' if v.is_active else ''}")


@criteria_app.command("set")
def set_(
    file: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False, help="A criteria YAML file.")] = None,
    builtin: Annotated[str | None, typer.Option(help="A built-in framework: bant, meddicc, champ, spiced.")] = None,
) -> None:
    """Save a new criteria version and make it active (`callsight reanalyze --all` applies it to past calls)."""
    text = file.read_text(encoding="utf-8") if file else None
    saved = criteria.save(common.open_container(), CriteriaUpdate(definition_yaml=text, builtin=builtin))
    _describe(saved)
