"""`callsight speakers`: see a call's speakers and metrics, and correct who said what."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant import calls, speakers
from assistant.cli import common
from assistant.cli.common import console, print_json
from assistant.container import Container
from assistant.schemas import CallPublic
from assistant.speakers import Role, SegmentUpdate, SpeakerUpdate

speakers_app = typer.Typer(help="A call's speakers and conversation metrics; rename, set roles, swap, move segments.")

WaitOption = Annotated[bool, typer.Option(help="Re-run the analysis now and wait until done.")]


def _finish(container: Container, call: CallPublic, wait: bool) -> None:
    """After a correction: optionally process the re-queued analysis here, then show the speakers."""
    if wait:
        from assistant.cli import wait_for  # the parent app imports this module: import at call time

        wait_for(container, [call.id], show_progress=True)
        call = calls.get_call(container, call.id)
    _describe(call)
    if not wait:
        console.print("analysis queued: run `callsight worker` (or `serve`), or pass --wait")


def _describe(call: CallPublic) -> None:
    for s in call.speakers:
        m = s.metrics
        figures = (
            f"  talk {m.talk_ratio:.0%}  longest {m.longest_monologue_s:.0f}s  questions {m.questions}  "
            f"{m.words_per_minute:.0f} wpm  fillers {m.filler_words}  interruptions {m.interruptions}"
            if m
            else ""
        )
        console.print(f"{s.id:>5}  {s.label:<24} {s.role:<9} ({s.role_confidence:.2f}){figures}")
    if call.metrics and call.metrics.patience_s is not None:
        console.print(f"patience (mean pause before the rep answers): {call.metrics.patience_s:.2f} s")


@speakers_app.command("show")
def show(call_id: str, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The call's speakers with roles, confidence and metrics."""
    call = calls.get_call(common.open_container(), call_id)
    if as_json:
        print_json(
            {
                "speakers": [s.model_dump(mode="json") for s in call.speakers],
                "metrics": call.metrics.model_dump(mode="json") if call.metrics else None,
            }
        )
    else:
        _describe(call)


@speakers_app.command("rename")
def rename(call_id: str, speaker_id: int, label: str, wait: WaitOption = False) -> None:
    """Give a speaker a name, e.g. `callsight speakers rename CALL 12 "Dana Ruiz"`."""
    container = common.open_container()
    _finish(container, speakers.update_speaker(container, call_id, speaker_id, SpeakerUpdate(label=label)), wait)


@speakers_app.command("role")
def role(
    call_id: str, speaker_id: int, new_role: Annotated[Role, typer.Argument(metavar="ROLE")], wait: WaitOption = False
) -> None:
    """Set a speaker's role: rep, prospect or unknown."""
    container = common.open_container()
    _finish(container, speakers.update_speaker(container, call_id, speaker_id, SpeakerUpdate(role=new_role)), wait)


@speakers_app.command("swap")
def swap(call_id: str, wait: WaitOption = False) -> None:
    """Swap rep and prospect."""
    container = common.open_container()
    _finish(container, speakers.swap_roles(container, call_id), wait)


@speakers_app.command("move")
def move(call_id: str, segment: int, speaker_id: int, wait: WaitOption = False) -> None:
    """Give one segment (0-based, as `callsight show --json` lists them) to another speaker."""
    container = common.open_container()
    _finish(
        container, speakers.reassign_segment(container, call_id, segment, SegmentUpdate(speaker_id=speaker_id)), wait
    )
