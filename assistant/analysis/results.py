"""What an analysis produces, as stored and shown: every claim about the call carries verbatim evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.qualification.definition import Verdict

Status = Literal["met", "partial", "not_met", "unknown"]
Role = Literal["rep", "prospect", "unknown"]

ObjectionCategory = Literal[
    "price_budget",
    "timing_priority",
    "authority_process",
    "need_fit",
    "competitor_incumbent",
    "trust_risk_security",
    "integration_technical",
    "contract_legal",
    "other",
]


class Evidence(BaseModel):
    """A verbatim transcript segment: its text, where it starts and ends, and who said it."""

    quote: str
    start: float
    end: float
    speaker: str
    role: Role


class CriterionResult(BaseModel):
    key: str
    name: str
    required: bool
    status: Status
    value: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    rationale: str = ""


class Qualification(BaseModel):
    framework: str
    criteria_version: int
    verdict: Verdict
    blocking: list[str] = Field(default_factory=list, description="Required criteria that are not met.")
    criteria: list[CriterionResult]


class Objection(Evidence):
    category: ObjectionCategory
    summary: str
    response: Evidence | None = Field(None, description="The rep's reply, the rep's next line after the objection.")
    handled: bool | None = Field(None, description="Whether the rep answered the concern, as the model judged it.")


class NextStep(BaseModel):
    text: str
    owner: str | None = None
    due: str | None = None


class Mention(Evidence):
    """A theme or competitor, with the segment where it comes up."""

    name: str


class AnalysisResult(BaseModel):
    summary: str
    next_steps: list[NextStep]
    qualification: Qualification
    objections: list[Objection]
    themes: list[Mention]
    competitors: list[Mention]
    # Defaults keep analyses stored before these existed readable.
    pain_points: list[Mention] = Field(default_factory=list)
    feature_requests: list[Mention] = Field(default_factory=list)
    dropped_evidence: int = Field(0, description="Claims dropped because their evidence was not in the transcript.")
