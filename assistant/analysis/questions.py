"""The narrow questions put to the model. Answers are JSON constrained to schemas whose line ids come from an
enum of real lines, so the model can point at evidence but never write a quote."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from assistant.analysis.results import ObjectionCategory, Status


def _line_id_type(ids: list[int]) -> Any:
    # An empty enum is not a valid schema; with no eligible line the list must stay empty instead.
    return Literal[tuple(ids)] if ids else int


class NextStepAnswer(BaseModel):
    text: str
    owner: str | None = None
    due: str | None = None


class SummaryAnswer(BaseModel):
    summary: str
    next_steps: list[NextStepAnswer] = Field(default_factory=list, max_length=8)
    themes: list[str] = Field(default_factory=list, max_length=5)
    competitors: list[str] = Field(default_factory=list, max_length=8)


class SummaryMergeAnswer(BaseModel):
    summary: str


def criterion_answer_model(prospect_ids: list[int]) -> type[BaseModel]:
    """Schema for one criterion: value first (what was said), then status, evidence lines, rationale."""
    line_id = _line_id_type(prospect_ids)
    return create_model(
        "CriterionAnswer",
        value=(str | None, None),
        status=(Status, ...),
        evidence_lines=(
            list[line_id],  # type: ignore[valid-type]
            Field(default_factory=list, max_length=3 if prospect_ids else 0),
        ),
        rationale=(str, ""),
    )


def objections_answer_model(prospect_ids: list[int]) -> type[BaseModel]:
    """Schema for the objection list: each item points at a prospect line and names a category."""
    item = create_model(
        "ObjectionAnswer",
        line=(_line_id_type(prospect_ids), ...),
        category=(ObjectionCategory, ...),
        summary=(str, ...),
    )
    return create_model(
        "ObjectionsAnswer",
        objections=(list[item], Field(default_factory=list, max_length=8 if prospect_ids else 0)),
    )
