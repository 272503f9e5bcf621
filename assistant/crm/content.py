"""What goes onto the CRM record, built only from the stored analysis: summary, next steps, and the
qualification verdict with each criterion's verbatim evidence and its time."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.analysis.results import AnalysisResult, CriterionResult, Evidence
from assistant.db.models import Analysis, Call
from assistant.redaction import redact


@dataclass(frozen=True)
class WriteBack:
    call_id: str
    analysis_id: int
    title: str
    occurred_at: datetime
    duration_s: float | None
    summary: str
    result: AnalysisResult

    def as_json(self) -> dict[str, object]:
        """The generic write-back body."""
        return {
            "call_id": self.call_id,
            "analysis_id": self.analysis_id,
            "title": self.title,
            "occurred_at": self.occurred_at.isoformat(),
            "duration_s": self.duration_s,
            "summary": self.summary,
            "next_steps": [step.model_dump() for step in self.result.next_steps],
            "qualification": self.result.qualification.model_dump(mode="json"),
        }


def build_write_back(
    call: Call, analysis: Analysis, summary_override: str | None = None, *, redact_pii: bool
) -> WriteBack:
    """The write-back for `analysis`; a reviewer's edited summary replaces the model's. With `redact_pii`
    every text in it (summary, next steps, criterion values, quotes, speakers, title) is redacted."""
    clean = _redacted if redact_pii else _unchanged
    result = AnalysisResult.model_validate(clean(analysis.result))
    return WriteBack(
        call_id=call.id,
        analysis_id=analysis.id,
        title=clean(call.title),
        occurred_at=call.created_at,
        duration_s=call.duration_s,
        summary=clean(summary_override) if summary_override is not None else result.summary,
        result=result,
    )


def _redacted(value: Any) -> Any:
    # Every string of the stored analysis, wherever the schema puts it; enum values hold no PII and survive.
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return value


def _unchanged(value: Any) -> Any:
    return value


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def _evidence_line(evidence: Evidence) -> str:
    return f'  "{evidence.quote}" ({evidence.speaker}, {_clock(evidence.start)})'


def _criterion_lines(criterion: CriterionResult) -> list[str]:
    value = f": {criterion.value}" if criterion.value else ""
    return [f"- {criterion.name}: {criterion.status.replace('_', ' ')}{value}"] + [
        _evidence_line(e) for e in criterion.evidence
    ]


def render_lines(write_back: WriteBack) -> list[str]:
    """The record body as plain-text lines (Salesforce's Description, and the base of HubSpot's HTML)."""
    result = write_back.result
    qualification = result.qualification
    lines = ["Summary", write_back.summary, ""]
    if result.next_steps:
        lines.append("Next steps")
        for step in result.next_steps:
            extra = ", ".join(part for part in (step.owner, step.due) if part)
            lines.append(f"- {step.text}" + (f" ({extra})" if extra else ""))
        lines.append("")
    lines.append(
        f"Qualification ({qualification.framework} v{qualification.criteria_version}): "
        f"{qualification.verdict.replace('_', ' ').upper()}"
    )
    for criterion in qualification.criteria:
        lines.extend(_criterion_lines(criterion))
    return lines


def render_text(write_back: WriteBack) -> str:
    return "\n".join(render_lines(write_back))


def render_html(write_back: WriteBack) -> str:
    """HubSpot shows call and note bodies as HTML: escape every line, keep the line breaks."""
    return "<br>".join(html.escape(line) for line in render_lines(write_back))
