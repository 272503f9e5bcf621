"""Speaker corrections on a call: rename, set or swap roles, move a segment; analysis then re-runs."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.auth import CallChanger, authenticate
from api.deps import ContainerDep
from api.responses import errors
from assistant import speakers
from assistant.schemas import CallPublic
from assistant.speakers import SegmentUpdate, SpeakerUpdate

router = APIRouter(
    prefix="/v1/calls/{call_id}", tags=["speakers"], dependencies=[Depends(authenticate)], responses=errors(401, 403)
)


@router.patch("/speakers/{speaker_id}", response_model=CallPublic, responses=errors(400, 404, 409, 422))
def update_speaker(
    container: ContainerDep, _user: CallChanger, call_id: str, speaker_id: int, body: SpeakerUpdate
) -> CallPublic:
    """Rename a speaker and/or set their role; metrics are recomputed and the analysis is queued again."""
    return speakers.update_speaker(container, call_id, speaker_id, body)


@router.post("/speakers/swap", response_model=CallPublic, responses=errors(404, 409))
def swap_roles(container: ContainerDep, _user: CallChanger, call_id: str) -> CallPublic:
    """Swap rep and prospect; metrics are recomputed and the analysis is queued again."""
    return speakers.swap_roles(container, call_id)


@router.patch("/segments/{idx}", response_model=CallPublic, responses=errors(400, 404, 409, 422))
def reassign_segment(
    container: ContainerDep, _user: CallChanger, call_id: str, idx: int, body: SegmentUpdate
) -> CallPublic:
    """Give segment `idx` (0-based, as listed in the call) to another speaker of the call."""
    return speakers.reassign_segment(container, call_id, idx, body)
