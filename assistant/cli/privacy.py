"""`callsight delete` and `callsight retention run`: removing calls from every store."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import common
from assistant.cli.common import console
from assistant.deletion import delete_call
from assistant.retention import delete_expired

retention_app = typer.Typer(help="Retention: delete calls older than CALLSIGHT_RETENTION_DAYS.")


def delete(
    call_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a call: recording, transcript, analyses, index entries and CRM outbox rows."""
    if not yes:
        typer.confirm(f"Delete call {call_id} and everything derived from it?", abort=True)
    delete_call(common.open_container(), call_id)
    console.print(f"deleted {call_id}")


@retention_app.command("run")
def run() -> None:
    """Delete the calls older than the retention period now (job processes also do it on their own)."""
    container = common.open_container()
    if container.settings.retention_days is None:
        console.print("CALLSIGHT_RETENTION_DAYS is not set: calls are kept.")
        return
    deleted = delete_expired(container)
    console.print(f"deleted {len(deleted)} call(s) older than {container.settings.retention_days} days")
    for call_id in deleted:
        console.print(f"  {call_id}")
