"""What of a call goes into the vector index, with the metadata chat filters and citations need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from assistant.analysis.results import AnalysisResult, Evidence
from assistant.container import Container
from assistant.db.models import Analysis, Call
from assistant.db.session import session_scope
from assistant.index.store import IndexItem
from assistant.redaction import redact
from assistant.stages import load_lines

INDEXED_METRICS = ("rep_talk_ratio", "rep_questions", "rep_longest_monologue_s", "patience_s", "interruptions")
# Metadata that is free text someone said or typed; ids, kinds, roles, dates and numbers carry no PII.
_FREE_TEXT = ("quote", "speaker", "call_title", "category", "account", "rep")


def items_for_call(container: Container, call_id: str) -> list[IndexItem]:
    """Index items for the call's latest analysis and its prospect lines."""
    with session_scope(container.sessions) as session:
        call = session.get_one(Call, call_id)
        analysis = session.scalars(
            select(Analysis).where(Analysis.call_id == call_id).order_by(Analysis.id.desc())
        ).first()
        meta = call.call_metadata or {}
        base: dict[str, Any] = {
            "call_id": call_id,
            "call_title": call.title,
            "call_date": call.created_at.date().isoformat(),
            "call_ts": int(call.created_at.timestamp()),
            "verdict": analysis.verdict if analysis else "unknown",
        }
        for key in ("account", "lead_source", "campaign", "industry", "rep"):
            if meta.get(key):
                base[key] = str(meta[key])
        if call.language:
            base["language"] = call.language
        # Chat for a sales key is held to `uploaded_by` (assistant/auth.py chat_scope); no owner, no sales key.
        if call.uploaded_by:
            base["uploaded_by"] = call.uploaded_by
        # Conversation metrics as numbers, so chat can filter ("calls where the rep talked over 70 %").
        for key in INDEXED_METRICS:
            value = (call.metrics or {}).get(key)
            if value is not None:
                base[key] = value
        result = AnalysisResult.model_validate(analysis.result) if analysis else None
    items: list[IndexItem] = []

    def add(kind: str, n: int, text: str, ev: Evidence, **extra: Any) -> None:
        metadata = {
            **base,
            "kind": kind,
            "start": ev.start,
            "end": ev.end,
            "speaker": ev.speaker,
            "speaker_role": ev.role,
            "quote": ev.quote,
            **extra,
        }
        items.append(IndexItem(id=f"{call_id}:{kind}:{n}", text=text, metadata=metadata))

    if result is not None:
        # The kind is spelled out in the indexed text because questions ("which competitors come up?")
        # match a labelled sentence far better than the bare quote (MiniLM, measured).
        for n, obj in enumerate(result.objections):
            about = obj.category.replace("_", " / ")
            add("objection", n, f'Objection about {about}: {obj.summary}. "{obj.quote}"', obj, category=obj.category)
        n = 0
        for crit in result.qualification.criteria:
            for ev in crit.evidence:
                text = f'{crit.name} ({crit.status}): "{ev.quote}"'
                add("evidence", n, text, ev, category=crit.key, criterion=crit.key, status=crit.status)
                n += 1
        for n, theme in enumerate(result.themes):
            add("theme", n, f'Theme: {theme.name}. "{theme.quote}"', theme, category=theme.name)
        for n, pain in enumerate(result.pain_points):
            add("pain_point", n, f'Pain point: {pain.name}. "{pain.quote}"', pain, category=pain.name)
        for n, request in enumerate(result.feature_requests):
            add(
                "feature_request",
                n,
                f'Feature request: {request.name}. "{request.quote}"',
                request,
                category=request.name,
            )
        for n, comp in enumerate(result.competitors):
            add("competitor", n, f'Competitor mentioned: {comp.name}. "{comp.quote}"', comp, category=comp.name)
    for line in load_lines(container, call_id):
        if line.role == "prospect" or line.role == "unknown":
            add("quote", line.id, line.text, line.evidence(), category="transcript")
    # Chat citations are read from the index, so what is redacted here never reaches a chat answer either.
    return [_redacted(item) for item in items] if container.settings.redact_pii else items


def _redacted(item: IndexItem) -> IndexItem:
    metadata = {
        key: redact(value) if key in _FREE_TEXT and isinstance(value, str) else value
        for key, value in item.metadata.items()
    }
    return IndexItem(id=item.id, text=redact(item.text), metadata=metadata)
