"""How a call looks in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from assistant.analysis.results import Evidence
from assistant.chat import ChatAnswer
from assistant.schemas import CallPublic

STATUS_STYLE = {"met": "green", "partial": "yellow", "not_met": "red", "unknown": "dim"}


def timestamp(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def _cite(ev: Evidence) -> str:
    return f'[dim]{timestamp(ev.start)} {ev.speaker}:[/dim] "{ev.quote}"'


def render_call(console: Console, call: CallPublic, *, transcript_lines: int = 8) -> None:
    """Transcript excerpt, summary, next steps, scorecard with evidence, objections, themes, competitors."""
    duration = f"{call.duration_s:.0f} s" if call.duration_s else "?"
    console.rule(f"[bold]{call.title}[/bold]  ({call.id}, {call.status}, {duration})")
    if call.error:
        console.print(f"[red]Failed in {call.failed_stage}: {call.error}[/red]")
    if call.segments:
        console.print("[bold]Transcript[/bold] (first lines)")
        for seg in call.segments[:transcript_lines]:
            console.print(f"  [dim]{timestamp(seg.start)}[/dim] [cyan]{seg.speaker} ({seg.role})[/cyan]: {seg.text}")
        if len(call.segments) > transcript_lines:
            console.print(f"  [dim]… {len(call.segments) - transcript_lines} more lines[/dim]")
    if call.summary:
        console.print("\n[bold]Summary[/bold]")
        console.print(f"  {call.summary}")
    if call.next_steps:
        console.print("\n[bold]Next steps[/bold]")
        for step in call.next_steps:
            extra = ", ".join(x for x in (step.owner, step.due) if x)
            console.print(f"  • {step.text}" + (f" [dim]({extra})[/dim]" if extra else ""))
    q = call.qualification
    if q:
        blocking = f" — blocked by {', '.join(q.blocking)}" if q.blocking else ""
        console.print(
            f"\n[bold]Qualification[/bold] ({q.framework} v{q.criteria_version}): [bold]{q.verdict}[/bold]{blocking}"
        )
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("Criterion", width=10)
        table.add_column("Status", width=8)
        table.add_column("Evidence")
        for c in q.criteria:
            evidence = "\n".join(_cite(e) for e in c.evidence) or "[dim]no evidence in the call[/dim]"
            if c.value:
                evidence = f"[bold]{c.value}[/bold]\n{evidence}"
            table.add_row(c.name, f"[{STATUS_STYLE[c.status]}]{c.status}[/]", evidence)
        console.print(table)
    if call.objections:
        console.print("\n[bold]Objections[/bold]")
        for o in call.objections:
            console.print(f"  • [magenta]{o.category}[/magenta] {o.summary}\n    {_cite(o)}")
            if o.response:
                state = "handled" if o.handled else "not handled"
                console.print(f"    [dim]rep ({state}):[/dim] {_cite(o.response)}")
    for title, mentions in (
        ("Pain points", call.pain_points),
        ("Feature requests", call.feature_requests),
        ("Themes", call.themes),
    ):
        if mentions:
            console.print(f"\n[bold]{title}[/bold]: " + ", ".join(m.name for m in mentions))
    if call.competitors:
        console.print("[bold]Competitors[/bold]: " + ", ".join(c.name for c in call.competitors))
    if call.dropped_evidence:
        console.print(f"[dim]{call.dropped_evidence} claim(s) dropped for lack of evidence in the transcript.[/dim]")


def render_answer(console: Console, answer: ChatAnswer) -> None:
    """A chat answer with its sources."""
    console.print(f"[bold]{answer.answer}[/bold]")
    for n, c in enumerate(answer.citations, start=1):
        console.print(f'  [{n}] {c.call_title} at {timestamp(c.start)} ({c.speaker_role}): "{c.quote}"')
