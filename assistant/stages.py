"""The pipeline's stages for one call. Each is idempotent: it replaces what an earlier attempt wrote."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import delete, select

import prompts
from assistant.analysis.analyzer import Analyzer
from assistant.analysis.lines import MAX_LINE_CHARS, Line
from assistant.container import Container
from assistant.db.models import Analysis, Call, Segment, Speaker, utcnow
from assistant.db.session import session_scope
from assistant.metrics import compute_metrics
from assistant.qualification import versions
from assistant.roles import assign_roles
from ingestion.audio_pipeline import transcribe_recording
from ingestion.transcript_import import parse_transcript
from ingestion.types import Transcript


def transcribe(container: Container, call_id: str) -> None:
    """Audio to transcript (or parse an imported transcript), speakers with roles, stored in one transaction."""
    with session_scope(container.sessions) as session:
        call = session.get_one(Call, call_id)
        path, kind, rep_channel = Path(call.media_path), call.media_kind, call.rep_channel
        filename = call.source_filename
        rep_name = (call.call_metadata or {}).get("rep")
    transcript: Transcript
    if kind == "transcript":
        transcript = parse_transcript(path.read_bytes(), filename=filename)
    else:
        transcript = transcribe_recording(
            path,
            container.transcriber,
            rep_channel=rep_channel,  # type: ignore[arg-type]
            max_duration_s=container.settings.max_audio_minutes * 60.0,
            name=filename,
            assign_speakers=container.diarizer,
        )
    rep_names = [rep_name, *container.settings.rep_names] if rep_name else container.settings.rep_names
    roles = assign_roles(transcript.speakers, transcript.segments, rep_channel=rep_channel, rep_names=rep_names)
    call_metrics, speaker_metrics = compute_metrics(transcript.segments, {k: r.role for k, r in roles.items()})
    with session_scope(container.sessions) as session:
        call = session.get_one(Call, call_id)
        session.execute(delete(Segment).where(Segment.call_id == call_id))
        session.execute(delete(Speaker).where(Speaker.call_id == call_id))
        rows: dict[str, Speaker] = {}
        for track in transcript.speakers:
            role = roles[track.key]
            rows[track.key] = Speaker(
                call_id=call_id,
                key=track.key,
                label=track.label,
                channel=track.channel,
                role=role.role,
                role_confidence=role.confidence,
                metrics=speaker_metrics[track.key].model_dump(),
            )
            session.add(rows[track.key])
        session.flush()
        for idx, seg in enumerate(transcript.segments):
            session.add(
                Segment(
                    call_id=call_id,
                    idx=idx,
                    start=seg.start,
                    end=seg.end,
                    speaker_id=rows[seg.speaker].id,
                    text=seg.text,
                    words=[[w.start, w.end, w.text, round(w.probability, 3)] for w in seg.words],
                )
            )
        call.duration_s = transcript.duration_s
        call.language = transcript.language
        call.metrics = call_metrics.model_dump()
        call.transcribed_at = utcnow()


def load_lines(container: Container, call_id: str) -> list[Line]:
    """The call's segments as numbered lines with speaker roles (see `merge_into_lines`)."""
    with session_scope(container.sessions) as session:
        rows = session.execute(
            select(Segment, Speaker).join(Speaker, Segment.speaker_id == Speaker.id).where(Segment.call_id == call_id)
        ).all()
        ordered = sorted(rows, key=lambda r: r[0].idx)
        return merge_into_lines([(seg.start, seg.end, spk.label, spk.role, seg.text) for seg, spk in ordered])


def merge_into_lines(segments: list[tuple[float, float, str, str, str]]) -> list[Line]:
    """Join a speaker's consecutive segments until a sentence ends: Whisper cuts mid-sentence, and a quote
    or a question about half a sentence misleads both the model and the reader."""
    lines: list[Line] = []
    for start, end, speaker, role, text in segments:
        last = lines[-1] if lines else None
        if (
            last is not None
            and last.speaker == speaker
            and not last.text.rstrip().endswith((".", "?", "!"))
            and len(last.text) < MAX_LINE_CHARS
        ):
            lines[-1] = Line(last.id, last.start, end, speaker, last.role, f"{last.text} {text}".strip())
        else:
            lines.append(Line(len(lines) + 1, start, end, speaker, role, text))  # type: ignore[arg-type]
    return lines


def analyse(container: Container, call_id: str) -> None:
    """Run the analysis under the active criteria version and store it as the call's newest analysis."""
    with session_scope(container.sessions) as session:
        call = session.get_one(Call, call_id)
        title = call.title
        criteria = versions.active_version(session)
        criteria_id, criteria_number = criteria.id, criteria.version
        framework = versions.load(criteria)
    lines = load_lines(container, call_id)
    settings = container.settings
    analyzer = Analyzer(
        container.llm,
        container.embedder,
        context_tokens=settings.llm_context,
        retries=settings.llm_max_retries,
        known_competitors=tuple(settings.competitors),
    )
    started = time.perf_counter()
    result = analyzer.analyse(title, lines, framework, criteria_number)
    with session_scope(container.sessions) as session:
        session.add(
            Analysis(
                call_id=call_id,
                criteria_version_id=criteria_id,
                llm_model=container.llm.model_name,
                prompt_version=prompts.prompt_version(),
                summary=result.summary,
                verdict=result.qualification.verdict,
                result=result.model_dump(mode="json"),
                dropped_evidence=result.dropped_evidence,
                duration_s=time.perf_counter() - started,
            )
        )
        session.get_one(Call, call_id).analysis_requested_at = None


def index(container: Container, call_id: str) -> None:
    """Put the call's objections, evidence, themes, competitors and prospect lines into the vector index."""
    from assistant.indexing import items_for_call

    items = items_for_call(container, call_id)
    container.index.delete_call(call_id)
    container.index.add(items)
    with session_scope(container.sessions) as session:
        session.get_one(Call, call_id).indexed_at = utcnow()


def analysis_is_current(container: Container, call_id: str) -> bool:
    """True when the call has an analysis made under the active criteria version and none was requested since."""
    with session_scope(container.sessions) as session:
        if session.get_one(Call, call_id).analysis_requested_at is not None:
            return False
        active = versions.active_version(session)
        latest = session.scalars(
            select(Analysis).where(Analysis.call_id == call_id).order_by(Analysis.id.desc())
        ).first()
        return latest is not None and latest.criteria_version_id == active.id
