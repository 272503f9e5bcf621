"""`callsight outbox`: CRM write-backs waiting, parked for review or dead, and retrying dead ones."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import common
from assistant.cli.common import console, print_json
from assistant.crm import service

outbox_app = typer.Typer(help="CRM write-back outbox: dead letters, review queue, retries.")


@outbox_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="pending, delivering, delivered, review or dead.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List write-backs, newest first."""
    items = service.list_items(common.open_container(), status=status, limit=500)
    if as_json:
        print_json([item.model_dump(mode="json") for item in items])
        return
    for item in items:
        why = item.review_reason or item.last_error or item.remote_id or ""
        console.print(f"{item.id:>5}  {item.status:<10} {item.provider:<10} {item.call_id}  {item.attempts}x  {why}")


@outbox_app.command("retry")
def retry(item_id: int) -> None:
    """Give a dead write-back a fresh round of attempts."""
    item = service.retry(common.open_container(), item_id)
    console.print(f"{item.id}  {item.status}")
