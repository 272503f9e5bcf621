"""Public shapes of calls, shared by the API and the CLI (`callsight show --json`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from assistant.analysis.results import Mention, NextStep, Objection, Qualification
from assistant.db.models import as_utc
from assistant.metrics import CallMetrics, SpeakerMetrics

# A moment as the API and `show --json` give it: always with its UTC offset, the date-time the schema promises.
UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]


def _iso_date(value: Any) -> Any:
    # Pydantic alone also reads a number, or numeric text, as a Unix timestamp: `since=20261001` would quietly
    # mean 1970-08-23. A day is its ISO text (or a date object).
    if isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, int | float):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


# A day given by a user (query parameter, chat filter), as the schema's `format: date` says.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class CrmRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: Literal["hubspot", "salesforce", "generic"]
    contact_id: str | None = None
    company_id: str | None = None
    deal_id: str | None = None


class CallMetadata(BaseModel):
    """What the uploader tells us about the call (`--metadata` / the `metadata` form field)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=300)
    rep: str | None = Field(None, max_length=200)
    account: str | None = Field(None, max_length=200)
    lead_source: str | None = Field(None, max_length=200)
    campaign: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=200)
    crm: CrmRef | None = None
    # Who was on the call; when CRM ids are missing, write-back matches these to a contact.
    participant_emails: list[Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]] | None = Field(
        None, max_length=50
    )


class SpeakerPublic(BaseModel):
    id: int
    key: str
    label: str
    role: str
    role_confidence: float
    channel: str | None
    metrics: SpeakerMetrics | None = None


class SegmentPublic(BaseModel):
    start: float
    end: float
    speaker: str
    role: str
    text: str


class AnalysisInfo(BaseModel):
    llm_model: str
    prompt_version: str
    criteria_version: int
    created_at: UtcDateTime
    duration_s: float


class CallSummaryPublic(BaseModel):
    id: str
    title: str
    status: str
    error: str | None
    failed_stage: str | None
    created_at: UtcDateTime
    duration_s: float | None
    source_filename: str
    media_kind: str
    verdict: str | None
    metadata: dict[str, Any]


class CallPublic(CallSummaryPublic):
    language: str | None
    speakers: list[SpeakerPublic]
    segments: list[SegmentPublic]
    summary: str | None
    next_steps: list[NextStep]
    qualification: Qualification | None
    objections: list[Objection]
    themes: list[Mention]
    pain_points: list[Mention]
    feature_requests: list[Mention]
    competitors: list[Mention]
    dropped_evidence: int
    analysis: AnalysisInfo | None
    metrics: CallMetrics | None = None


class CallsPublic(BaseModel):
    data: list[CallSummaryPublic]
    count: int


class CriterionPublic(BaseModel):
    key: str
    name: str
    required: bool
    question: str


class CriteriaVersionPublic(BaseModel):
    """One saved version of the agreed qualification criteria."""

    id: int
    framework: str
    version: int
    is_active: bool
    created_at: UtcDateTime
    verdict_rule: dict[str, Any]
    criteria: list[CriterionPublic]
    definition_yaml: str


class CriteriaUpdate(BaseModel):
    """A new criteria version: a YAML definition, or the name of a built-in framework."""

    model_config = ConfigDict(extra="forbid")

    definition_yaml: str | None = Field(None, max_length=100_000)
    builtin: str | None = Field(None, description="bant, meddicc, champ or spiced", max_length=50)


class ReanalyzeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_ids: list[str] | None = Field(None, description="Calls to re-analyse; omitted means every finished call.")


class CallAccepted(BaseModel):
    id: str
    status: str
    created: bool = Field(description="False when the same file was uploaded before: this is that call.")
