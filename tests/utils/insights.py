"""Analysed calls written straight into the database, for insights and dashboard tests that need many calls
over several weeks without running the pipeline for each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assistant.analysis.results import (
    AnalysisResult,
    CriterionResult,
    Evidence,
    Mention,
    Objection,
    Qualification,
)
from assistant.container import Container
from assistant.db.models import Analysis, Call, CallStatus
from assistant.db.session import session_scope
from assistant.qualification.versions import active_version

BANT = {"budget": "Budget", "authority": "Authority", "need": "Need", "timeline": "Timeline"}


def _evidence(quote: str, start: float = 12.0) -> dict[str, Any]:
    return Evidence(quote=quote, start=start, end=start + 4, speaker="Prospect", role="prospect").model_dump()


def add_analysed_call(
    container: Container,
    title: str,
    created_at: datetime,
    *,
    metadata: dict[str, str] | None = None,
    verdict: str = "qualified",
    blocking: tuple[str, ...] = (),
    objections: tuple[str, ...] = (),
    competitors: tuple[str, ...] = (),
    themes: tuple[str, ...] = (),
) -> str:
    """A done call uploaded at `created_at` whose newest analysis says these things; returns its id."""
    result = AnalysisResult(
        summary=f"Summary of {title}.",
        next_steps=[],
        qualification=Qualification(
            framework="bant",
            criteria_version=1,
            verdict=verdict,
            blocking=list(blocking),
            criteria=[
                CriterionResult(
                    key=key, name=name, required=True, status="not_met" if key in blocking else "met", evidence=[]
                )
                for key, name in BANT.items()
            ],
        ),
        objections=[
            Objection(**_evidence(f"I worry about {c}.", 20.0 + n), category=c, summary=f"Concern: {c}")
            for n, c in enumerate(objections)
        ],
        themes=[Mention(**_evidence(f"We talked about {t}.", 30.0), name=t) for t in themes],
        competitors=[Mention(**_evidence(f"We also looked at {c}.", 40.0), name=c) for c in competitors],
    )
    with session_scope(container.sessions) as session:
        call = Call(
            title=title,
            status=CallStatus.DONE,
            media_sha256=f"{title}-{created_at.isoformat()}",
            media_path="/nonexistent",
            media_kind="transcript",
            source_filename=f"{title}.txt",
            call_metadata=metadata or {},
            created_at=created_at,
        )
        session.add(call)
        session.flush()
        session.add(
            Analysis(
                call_id=call.id,
                criteria_version_id=active_version(session).id,
                llm_model="fake",
                prompt_version="test",
                summary=result.summary,
                verdict=verdict,
                result=result.model_dump(mode="json"),
            )
        )
        return call.id
