"""`callsight demo`: a real recorded-style sales call through every stage, then the result and one question."""

from __future__ import annotations

import time

from rich.console import Console

from assistant import calls
from assistant.chat import chat_service
from assistant.cli.render import render_answer, render_call
from assistant.container import Container
from assistant.demo import DISCOVERY_CALL_AUDIO

DEMO_QUESTION = "What objections did prospects raise about price or competitors?"


def run_demo(container: Container, console: Console) -> None:
    """Ingest the bundled dual-channel call (rep on the left), process it, print it and a chat answer."""
    from assistant.cli import wait_for

    console.print(f"[bold]Callsight demo[/bold]: {DISCOVERY_CALL_AUDIO.name}, data in {container.settings.data_dir}")
    started = time.perf_counter()
    with DISCOVERY_CALL_AUDIO.open("rb") as fh:
        accepted = calls.accept_upload(
            container,
            fh,
            DISCOVERY_CALL_AUDIO.name,
            metadata=calls.parse_metadata(
                {"rep": "Maya", "account": "Northwind Freight", "lead_source": "webinar", "industry": "logistics"}
            ),
            title="Discovery call — Northwind Freight",
            rep_channel="left",
        )
    if not accepted.created:
        console.print(f"(this sample was ingested before as call {accepted.id}; showing it)")
    status, _ = calls.status_of(container, accepted.id)
    if status != "done":
        if status == "failed":
            calls.retry(container, accepted.id)
        wait_for(container, [accepted.id], show_progress=True)
    call = calls.get_call(container, accepted.id)
    render_call(console, call)
    console.print(f"\n[dim]pipeline wall time: {time.perf_counter() - started:.0f} s[/dim]")
    if call.status != "done":
        raise SystemExit(1)
    console.rule(f"[bold]Chat[/bold]: {DEMO_QUESTION}")
    render_answer(console, chat_service(container).ask(DEMO_QUESTION))
