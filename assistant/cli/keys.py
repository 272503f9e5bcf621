"""`callsight keys`: create, revoke and list API keys. The CLI acts as admin on the local data dir."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant import auth
from assistant.cli import common
from assistant.cli.common import console, err, print_json

keys_app = typer.Typer(help="API keys for the HTTP API and the web pages (roles: admin, sales, marketing).")


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="The person or integration the key is for; owns its uploads.")],
    role: Annotated[str, typer.Option(help="admin, sales or marketing.")],
) -> None:
    """Create a key and print it alone on stdout (it is shown only once; only its hash is kept)."""
    public, key = auth.create_key(common.open_container(), name, role)
    err.print(f"Created key {public.id} ({public.prefix}…) for {public.name}, role {public.role}.")
    err.print("Store it now: it cannot be shown again. Send it as 'Authorization: Bearer KEY'.")
    typer.echo(key)


@keys_app.command("revoke")
def revoke(id_or_prefix: Annotated[str, typer.Argument(help="The key's id or its listed prefix.")]) -> None:
    """Revoke a key: requests and web sessions with it are refused from now on."""
    public = auth.revoke_key(common.open_container(), id_or_prefix)
    console.print(f"{public.id}  {public.prefix}…  {public.name}  revoked")


@keys_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List keys (never the keys themselves): id, prefix, name, role, created, last used, revoked."""
    keys = auth.list_keys(common.open_container())
    if as_json:
        print_json([key.model_dump(mode="json") for key in keys])
        return
    for key in keys:
        used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never used"
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        console.print(f"{key.id:>4}  {key.prefix}…  {key.role:<9} {key.name}  ({used}, {state})")
