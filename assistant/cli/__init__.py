"""`callsight`: ingest calls, show them, ask questions, run the server or a worker, run the demo."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from assistant import auth, calls
from assistant.chat import chat_service, parse_chat_filters
from assistant.chat_export import answer_markdown
from assistant.cli import common
from assistant.cli.common import console, err, print_json
from assistant.cli.criteria import criteria_app
from assistant.cli.evaluate import evaluate
from assistant.cli.keys import keys_app
from assistant.cli.outbox import outbox_app
from assistant.cli.privacy import delete, retention_app
from assistant.cli.render import render_answer, render_call
from assistant.cli.speakers import speakers_app
from assistant.container import Container
from assistant.db.models import CallStatus
from assistant.errors import CallsightError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

STAGE_PROGRESS = {
    CallStatus.QUEUED: 0,
    CallStatus.TRANSCRIBING: 1,
    CallStatus.ANALYSING: 2,
    CallStatus.INDEXING: 3,
    CallStatus.DONE: 4,
    CallStatus.FAILED: 4,
}


def wait_for(container: Container, ids: list[str], *, show_progress: bool) -> None:
    """Process the queue in this process until every call in `ids` is done or failed."""
    container.queue.start_consumer(container.settings.workers)
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[stage]}"),
            TimeElapsedColumn(),
            console=err,
            disable=not show_progress,
        ) as progress:
            tasks = {i: progress.add_task(i, total=4, stage="queued") for i in ids}
            pending = set(ids)
            while pending:
                for call_id in list(pending):
                    status, _ = calls.status_of(container, call_id)
                    progress.update(tasks[call_id], completed=STAGE_PROGRESS[status], stage=status)
                    if status in CallStatus.SETTLED:
                        pending.discard(call_id)
                time.sleep(0.5)
    finally:
        container.queue.stop_consumer()


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="Audio or transcript files.")],
    title: Annotated[str | None, typer.Option(help="Call title (default: file name).")] = None,
    rep_channel: Annotated[str | None, typer.Option(help="Dual-channel audio: which channel is the rep.")] = None,
    metadata: Annotated[str | None, typer.Option(help="JSON object: title, rep, account, lead_source, crm...")] = None,
    wait: Annotated[bool, typer.Option(help="Process now and wait until done.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Store calls and queue them for transcription and analysis."""
    container = common.open_container()
    meta = calls.parse_metadata(metadata)
    accepted = []
    for path in paths:
        with path.open("rb") as fh:
            accepted.append(
                calls.accept_upload(container, fh, path.name, metadata=meta, title=title, rep_channel=rep_channel)
            )
    results: list[Any] = accepted
    if wait:
        wait_for(container, [a.id for a in accepted], show_progress=not as_json)
        results = [calls.get_call(container, a.id) for a in accepted]
    if as_json:
        dumped = [r.model_dump(mode="json") for r in results]
        print_json(dumped[0] if len(dumped) == 1 else dumped)
    else:
        for r in results:
            console.print(f"{r.id}  {r.status}" + (f"  {r.error}" if getattr(r, "error", None) else ""))
    if wait and any(r.status == CallStatus.FAILED for r in results):
        raise typer.Exit(1)


@app.command()
def show(call_id: str, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Show a call: transcript, summary, scorecard with evidence, objections."""
    call = calls.get_call(common.open_container(), call_id)
    if as_json:
        print_json(call.model_dump(mode="json"))
    else:
        render_call(console, call)


@app.command("list")
def list_(status: Annotated[str | None, typer.Option(help="Only calls with this status.")] = None) -> None:
    """List calls, newest first."""
    for c in calls.list_calls(common.open_container(), status=status, limit=500):
        console.print(f"{c.id}  {c.status:<12} {c.verdict or '-':<12} {c.title}")


@app.command()
def retry(call_id: str) -> None:
    """Queue a failed call again; it resumes at the stage that failed."""
    accepted = calls.retry(common.open_container(), call_id)
    console.print(f"{accepted.id}  {accepted.status}")


@app.command()
def reanalyze(
    call_ids: Annotated[list[str] | None, typer.Argument(help="Calls to re-analyse.")] = None,
    all_calls: Annotated[bool, typer.Option("--all", help="Every finished call.")] = False,
    wait: Annotated[bool, typer.Option(help="Process now and wait until done.")] = False,
) -> None:
    """Re-run analysis (not transcription) under the active criteria version."""
    if bool(call_ids) == all_calls:
        raise typer.BadParameter("Give call ids or --all.")
    container = common.open_container()
    queued = calls.reanalyze(container, None if all_calls else call_ids)
    if wait:
        wait_for(container, queued, show_progress=True)
    for call_id in queued:
        status, error = calls.status_of(container, call_id)
        console.print(f"{call_id}  {status}" + (f"  {error}" if error else ""))


@app.command()
def ask(
    question: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the answer and sources as Markdown.")] = False,
    category: Annotated[str | None, typer.Option(help="Only this category (e.g. price_budget).")] = None,
    kind: Annotated[str | None, typer.Option(help="objection, evidence, theme, competitor or quote.")] = None,
    filters: Annotated[
        str | None, typer.Option(help='More filters as JSON: {"lead_source": "webinar", "date_from": "2026-01-01"}.')
    ] = None,
) -> None:
    """Ask the calls a question; the answer cites call, time and quote."""
    chosen = parse_chat_filters(filters).model_copy(
        update={k: v for k, v in (("category", category), ("kind", kind)) if v}
    )
    answer = chat_service(common.open_container()).ask(question, chosen)
    if markdown:
        typer.echo(answer_markdown(question, answer, base_url="http://127.0.0.1:8000"), nl=False)
    elif as_json:
        print_json(answer.model_dump(mode="json"))
    else:
        render_answer(console, answer)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    consumer: Annotated[
        bool, typer.Option(help="Also process the job queue here; --no-consumer when `callsight worker`s do.")
    ] = True,
) -> None:
    """Run the API and web pages, by default with the job consumer in the same process."""
    import uvicorn

    from api.main import create_app

    logging.basicConfig(level=logging.INFO)
    container = common.open_container()
    if not auth.has_active_key(container):
        logging.getLogger(__name__).warning(
            "No API key exists yet, so nobody can sign in: create one with "
            "`callsight keys create --name YOUR_NAME --role admin` (it prints the key)."
        )
    uvicorn.run(create_app(container, run_consumer=consumer), host=host, port=port)


@app.command()
def worker(
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (each loads its own models).")] = 1,
    threads: Annotated[int, typer.Option(min=1, help="Consumer threads per process.")] = 1,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics here (process n on port + n).")
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="Address the metrics listen on (0.0.0.0 for a scraper on another machine).")
    ] = "127.0.0.1",
) -> None:
    """Process the job queue only (no API); SIGTERM hands running calls over to other workers."""
    from assistant.worker import run_workers

    run_workers(workers, threads=threads, metrics_port=metrics_port, metrics_host=metrics_host)


app.add_typer(criteria_app, name="criteria")
app.add_typer(keys_app, name="keys")
app.add_typer(outbox_app, name="outbox")
app.add_typer(speakers_app, name="speakers")
app.add_typer(retention_app, name="retention")
app.command("delete")(delete)
app.command("eval")(evaluate)

db_app = typer.Typer(help="Database schema.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations (also done automatically at start)."""
    common.open_container()
    console.print("database is at the newest schema")


@app.command()
def demo() -> None:
    """Run the bundled sample sales call through the whole pipeline and show the result."""
    from assistant.cli.demo import run_demo

    run_demo(common.open_container(), console)


def main() -> None:
    """Entry point: domain errors become a clear message and exit code 2, not a traceback."""
    try:
        app()
    except CallsightError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise SystemExit(2) from exc
