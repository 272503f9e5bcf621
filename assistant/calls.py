"""Calls as users see them: accept an upload, list, show, retry, re-analyse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from assistant.analysis.results import AnalysisResult
from assistant.config import Settings
from assistant.container import Container
from assistant.db.models import Analysis, Call, CallStatus, Segment, utcnow
from assistant.db.session import session_scope
from assistant.errors import ConflictError, InvalidInputError, NotFoundError
from assistant.schemas import (
    AnalysisInfo,
    CallAccepted,
    CallMetadata,
    CallPublic,
    CallSummaryPublic,
    SegmentPublic,
    SpeakerPublic,
)
from ingestion.decode import check_channels, check_duration, probe
from ingestion.transcript_import import detect_transcript_format


def parse_metadata(raw: str | dict[str, Any] | None) -> CallMetadata:
    """Validate the metadata JSON object given with an upload."""
    if raw is None or raw == "":
        return CallMetadata()
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return CallMetadata.model_validate(data)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"metadata is not valid JSON: {exc.msg}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidInputError(f"metadata is not valid: {problems}") from exc


def _media_kind(filename: str, path: Path, settings: Settings) -> str:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if detect_transcript_format(filename, head) is not None:
        return "transcript"
    info = probe(path, name=filename)
    check_duration(filename, info.duration_s, settings.max_audio_minutes * 60.0)
    check_channels(filename, info.channels, settings.max_audio_channels)
    return "audio"


def accept_upload(
    container: Container,
    stream: BinaryIO,
    filename: str,
    *,
    metadata: CallMetadata,
    title: str | None = None,
    rep_channel: str | None = None,
    enqueue: bool = True,
    uploaded_by: str | None = None,
) -> CallAccepted:
    """Store the file (fsynced), create the call and queue it; the same bytes again return the same call.
    `uploaded_by` is the uploading key's name (None from the CLI and webhooks)."""
    if rep_channel not in (None, "left", "right"):
        raise InvalidInputError("rep_channel must be 'left' or 'right'.")
    settings = container.settings
    kinds: dict[str, str] = {}

    def validate(path: Path) -> None:
        kinds["kind"] = _media_kind(filename, path, settings)

    stored = container.media.save(stream, filename, max_bytes=settings.max_upload_mb * (1 << 20), validate=validate)
    with session_scope(container.sessions) as session:
        existing = session.scalars(select(Call).where(Call.media_sha256 == stored.sha256)).first()
        if existing is not None:
            return CallAccepted(id=existing.id, status=existing.status, created=False)
    call = Call(
        title=title or metadata.title or Path(filename).stem or "Untitled call",
        media_sha256=stored.sha256,
        media_path=str(stored.path),
        media_kind=kinds["kind"],
        source_filename=Path(filename).name[:300],
        rep_channel=rep_channel,
        call_metadata=metadata.model_dump(exclude_none=True),
        uploaded_by=uploaded_by,
    )
    try:
        with session_scope(container.sessions) as session:
            session.add(call)
    except IntegrityError:
        # Another request stored the same bytes a moment ago: that call is this call.
        with session_scope(container.sessions) as session:
            other = session.scalars(select(Call).where(Call.media_sha256 == stored.sha256)).one()
            return CallAccepted(id=other.id, status=other.status, created=False)
    if enqueue:
        container.queue.enqueue(call.id)
    return CallAccepted(id=call.id, status=call.status, created=True)


def retry(container: Container, call_id: str) -> CallAccepted:
    """Queue a failed call again; it resumes at the stage that failed."""
    with session_scope(container.sessions) as session:
        call = session.get(Call, call_id)
        if call is None:
            raise NotFoundError(f"No call with id {call_id}.")
        if call.status != CallStatus.FAILED:
            raise ConflictError(f"Call {call_id} is {call.status}; only failed calls can be retried.")
        call.status = CallStatus.QUEUED
        call.error = None
        call.failed_stage = None
    container.queue.enqueue(call_id)
    return CallAccepted(id=call_id, status=CallStatus.QUEUED, created=False)


def reanalyze(container: Container, call_ids: list[str] | None = None) -> list[str]:
    """Queue analysis (not transcription) again for `call_ids`, or for every finished call when None.

    The analysis runs under the criteria version active when it runs; the older analyses stay as history.
    Returns the ids queued. A call that is still being processed, or was never transcribed, is refused."""
    finished = (Call.status.in_(CallStatus.SETTLED), Call.transcribed_at.is_not(None))
    with session_scope(container.sessions) as session:
        if call_ids is None:
            call_ids = list(session.scalars(select(Call.id).where(*finished).order_by(Call.created_at)))
        for call_id in call_ids:
            # One conditional UPDATE, so a call a worker is processing is never queued twice.
            queued = session.execute(
                update(Call)
                .where(Call.id == call_id, *finished)
                .values(
                    status=CallStatus.QUEUED,
                    error=None,
                    failed_stage=None,
                    analysis_requested_at=utcnow(),
                    indexed_at=None,
                )
            )
            if not queued.rowcount:  # type: ignore[attr-defined]
                call = session.get(Call, call_id)
                if call is None:
                    raise NotFoundError(f"No call with id {call_id}.")
                if call.transcribed_at is None:
                    raise ConflictError(f"Call {call_id} has no transcript yet; use retry instead.")
                raise ConflictError(f"Call {call_id} is {call.status}; wait until it is done to re-analyse it.")
    for call_id in call_ids:
        container.queue.enqueue(call_id)
    return call_ids


def _latest_analysis(call: Call) -> Analysis | None:
    return call.analyses[-1] if call.analyses else None


def _summary(call: Call) -> dict[str, Any]:
    analysis = _latest_analysis(call)
    return {
        "id": call.id,
        "title": call.title,
        "status": call.status,
        "error": call.error,
        "failed_stage": call.failed_stage,
        "created_at": call.created_at,
        "duration_s": call.duration_s,
        "source_filename": call.source_filename,
        "media_kind": call.media_kind,
        "verdict": analysis.verdict if analysis else None,
        "metadata": call.call_metadata or {},
    }


def get_call(container: Container, call_id: str) -> CallPublic:
    """The full call: transcript, speakers and its newest analysis."""
    with session_scope(container.sessions) as session:
        # Each segment with its speaker in one statement: read separately, a transcription committing in
        # between (a call polled while it runs) would pair new segments with the old speakers.
        call = session.get(Call, call_id, options=[joinedload(Call.segments).joinedload(Segment.speaker)])
        if call is None:
            raise NotFoundError(f"No call with id {call_id}.")
        analysis = _latest_analysis(call)
        result = AnalysisResult.model_validate(analysis.result) if analysis else None
        return CallPublic(
            **_summary(call),
            language=call.language,
            speakers=[
                SpeakerPublic(
                    id=s.id,
                    key=s.key,
                    label=s.label,
                    role=s.role,
                    role_confidence=s.role_confidence,
                    channel=s.channel,
                    metrics=s.metrics,
                )
                for s in call.speakers
            ],
            segments=[
                SegmentPublic(
                    start=seg.start,
                    end=seg.end,
                    speaker=seg.speaker.label,
                    role=seg.speaker.role,
                    text=seg.text,
                )
                for seg in call.segments
            ],
            summary=result.summary if result else None,
            next_steps=result.next_steps if result else [],
            qualification=result.qualification if result else None,
            objections=result.objections if result else [],
            themes=result.themes if result else [],
            pain_points=result.pain_points if result else [],
            feature_requests=result.feature_requests if result else [],
            competitors=result.competitors if result else [],
            dropped_evidence=result.dropped_evidence if result else 0,
            metrics=call.metrics,
            analysis=AnalysisInfo(
                llm_model=analysis.llm_model,
                prompt_version=analysis.prompt_version,
                criteria_version=analysis.criteria_version.version,
                created_at=analysis.created_at,
                duration_s=analysis.duration_s,
            )
            if analysis
            else None,
        )


def list_calls(
    container: Container,
    *,
    limit: int = 50,
    offset: int = 0,
    status: str | None = None,
    verdict: str | None = None,
    metadata: dict[str, str] | None = None,
    owner: str | None = None,
) -> list[CallSummaryPublic]:
    """Calls, newest first; `verdict` is the newest analysis's, `metadata` matches fields exactly, `owner`
    keeps only the calls that key name uploaded."""
    with session_scope(container.sessions) as session:
        query = select(Call).order_by(Call.created_at.desc()).limit(limit).offset(offset)
        if status:
            query = query.where(Call.status == status)
        if owner is not None:
            query = query.where(Call.uploaded_by == owner)
        if verdict:
            newest = select(func.max(Analysis.id)).group_by(Analysis.call_id)
            query = query.where(
                Call.id.in_(select(Analysis.call_id).where(Analysis.id.in_(newest), Analysis.verdict == verdict))
            )
        for key, value in (metadata or {}).items():
            query = query.where(Call.call_metadata[key].as_string() == value)
        return [CallSummaryPublic(**_summary(c)) for c in session.scalars(query)]


def media_file(container: Container, call_id: str) -> tuple[Path, str]:
    """The call's stored recording and the name it was uploaded as; NotFoundError for a transcript upload."""
    with session_scope(container.sessions) as session:
        call = session.get(Call, call_id)
        if call is None:
            raise NotFoundError(f"No call with id {call_id}.")
        if call.media_kind != "audio":
            raise NotFoundError(f"Call {call_id} was uploaded as a transcript; it has no recording.")
        return Path(call.media_path), call.source_filename


def status_of(container: Container, call_id: str) -> tuple[str, str | None]:
    """The call's status and error, cheaply (for progress polling)."""
    with session_scope(container.sessions) as session:
        call = session.get(Call, call_id)
        if call is None:
            raise NotFoundError(f"No call with id {call_id}.")
        return call.status, call.error
