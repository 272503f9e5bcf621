"""The narrow questions put to the model. Answers are JSON constrained to schemas whose line ids come from an
enum of real lines, so the model can point at evidence but never write a quote."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, create_model

from assistant.analysis.results import Status
from assistant.llm.structured import whole_sentences


def _line_id_type(ids: list[int]) -> Any:
    # An empty enum is not a valid schema; with no eligible line the list must stay empty instead.
    return Literal[tuple(ids)] if ids else int


# Length limits are part of the schema, so constrained decoding enforces them: a small model left free
# repeats itself until max_tokens (seen: a 600-token summary looping over the same three sentences).
Short = Annotated[str, Field(max_length=60), AfterValidator(whole_sentences(60))]
Sentence = Annotated[str, Field(max_length=200), AfterValidator(whole_sentences(200))]
Paragraph = Annotated[str, Field(max_length=700), AfterValidator(whole_sentences(700))]


class NextStepAnswer(BaseModel):
    text: Sentence
    owner: Short | None
    due: Short | None


class SummaryAnswer(BaseModel):
    # Every field is required: llama.cpp's grammar lets the model skip optional ones, and it does.
    summary: Paragraph
    next_steps: list[NextStepAnswer] = Field(max_length=6)
    themes: list[Short] = Field(max_length=5)
    pain_points: list[Short] = Field(max_length=4)
    feature_requests: list[Short] = Field(max_length=3)
    competitors: list[Short] = Field(max_length=6)


class SummaryMergeAnswer(BaseModel):
    summary: Paragraph


def criterion_answer_model(prospect_ids: list[int]) -> type[BaseModel]:
    """Schema for one criterion. The evidence lines come first: asked for a value first, the 1.5B model
    answers "unknown" to facts it states correctly in free text (measured on the demo call); made to look at
    the lines first, it then states the value and status well."""
    line_id = _line_id_type(prospect_ids)
    return create_model(
        "CriterionAnswer",
        evidence_lines=(list[line_id], Field(max_length=3 if prospect_ids else 0)),  # type: ignore[valid-type]
        value=(Short | None, ...),
        status=(Status, ...),
        rationale=(Sentence, ...),
    )


def objections_answer_model(candidate_ids: list[int]) -> type[BaseModel]:
    """Schema for the objection list: each item says the concern first (the model names concerns well but
    points at lines poorly, so the line is checked in code), then a candidate line and whether the rep
    answered it. The category is not asked: the embedding categoriser is right more often, and every
    generated token costs about 0.09 s at a 30-minute call's context."""
    item = create_model(
        "ObjectionAnswer",
        summary=(Sentence, ...),
        line=(_line_id_type(candidate_ids), ...),
        handled=(bool, ...),
    )
    return create_model(
        "ObjectionsAnswer",
        objections=(list[item], Field(max_length=5 if candidate_ids else 0)),
    )
