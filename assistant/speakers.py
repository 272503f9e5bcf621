"""Corrections to who said what: rename a speaker, set or swap roles, move a segment to another speaker.

Each correction is stored in one transaction with the call's metrics recomputed, then the analysis is
queued again (not the transcription), so the summary and qualification follow the corrected roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant import calls
from assistant.container import Container
from assistant.db.models import Call, CallStatus
from assistant.db.models import Speaker as SpeakerRow
from assistant.db.session import session_scope
from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.metrics import compute_metrics
from assistant.schemas import CallPublic
from ingestion.types import Segment

Role = Literal["rep", "prospect", "unknown"]
SWAPPED = {"rep": "prospect", "prospect": "rep"}


class SpeakerUpdate(BaseModel):
    """A new label and/or role for one speaker."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, min_length=1, max_length=200)
    role: Role | None = None


class SegmentUpdate(BaseModel):
    """The speaker a segment really belongs to."""

    model_config = ConfigDict(extra="forbid")

    speaker_id: int


def update_speaker(container: Container, call_id: str, speaker_id: int, update: SpeakerUpdate) -> CallPublic:
    """Rename a speaker and/or set their role (a role set by a person has confidence 1)."""
    if update.label is None and update.role is None:
        raise InvalidInputError("Give a new label, a role (rep, prospect, unknown), or both.")

    def change(call: Call) -> None:
        speaker = _speaker(call, speaker_id)
        if update.label is not None:
            label = update.label.strip()
            if not label:
                raise InvalidInputError("A speaker label cannot be blank.")
            speaker.label = label
        if update.role is not None:
            speaker.role, speaker.role_confidence = update.role, 1.0

    return _correct(container, call_id, change)


def swap_roles(container: Container, call_id: str) -> CallPublic:
    """Swap rep and prospect on every speaker of the call."""

    def change(call: Call) -> None:
        if not any(s.role in SWAPPED for s in call.speakers):
            raise ConflictError(f"Call {call_id} has no rep or prospect to swap; set a speaker's role instead.")
        for speaker in call.speakers:
            if speaker.role in SWAPPED:
                speaker.role, speaker.role_confidence = SWAPPED[speaker.role], 1.0

    return _correct(container, call_id, change)


def reassign_segment(container: Container, call_id: str, idx: int, update: SegmentUpdate) -> CallPublic:
    """Give one transcript segment (by its position, from 0) to another speaker of the same call."""

    def change(call: Call) -> None:
        segment = next((s for s in call.segments if s.idx == idx), None)
        if segment is None:
            raise NotFoundError(f"Call {call_id} has no segment {idx} (it has {len(call.segments)}).")
        segment.speaker_id = _speaker(call, update.speaker_id).id

    return _correct(container, call_id, change)


def _speaker(call: Call, speaker_id: int) -> SpeakerRow:
    speaker = next((s for s in call.speakers if s.id == speaker_id), None)
    if speaker is None:
        known = ", ".join(str(s.id) for s in call.speakers)
        raise NotFoundError(f"Call {call.id} has no speaker {speaker_id} (its speakers: {known}).")
    return speaker


def _correct(container: Container, call_id: str, change: Callable[[Call], None]) -> CallPublic:
    with session_scope(container.sessions) as session:
        call = session.get(Call, call_id)
        if call is None:
            raise NotFoundError(f"No call with id {call_id}.")
        if call.status in CallStatus.ACTIVE or call.transcribed_at is None:
            raise ConflictError(f"Call {call_id} is {call.status}; correct its speakers once it is done.")
        change(call)
        session.flush()
        refresh_metrics(call)
    calls.reanalyze(container, [call_id])
    return calls.get_call(container, call_id)


def refresh_metrics(call: Call) -> None:
    """Recompute the call's and its speakers' metrics from the stored segments and roles."""
    keys = {s.id: s.key for s in call.speakers}
    segments = [Segment(start=s.start, end=s.end, speaker=keys[s.speaker_id], text=s.text) for s in call.segments]
    call_metrics, per_speaker = compute_metrics(segments, {s.key: s.role for s in call.speakers})
    call.metrics = call_metrics.model_dump()
    for speaker in call.speakers:
        speaker.metrics = per_speaker[speaker.key].model_dump()
