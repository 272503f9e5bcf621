"""Fake-LLM replies for a whole analysis, in the order the analyzer asks: summary, each BANT criterion,
objections (per window)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.utils.fake_llm import FakeLLM

BANT_KEYS = ("budget", "authority", "need", "timeline")


def summary_reply(**overrides: Any) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "summary": "Tom from Northwind wants to stop manual order entry; budget and CFO sign-off are set.",
        "next_steps": [{"text": "Send the security questionnaire", "owner": "Rep", "due": "Friday"}],
        "themes": ["manual order entry"],
        "pain_points": ["ten hours a week re-entering orders"],
        "feature_requests": ["an implementation that needs little IT time"],
        "competitors": ["Acme Insights"],
    }
    reply.update(overrides)
    return reply


def criterion_reply(
    status: str = "unknown", lines: list[int] | None = None, value: str | None = None
) -> dict[str, Any]:
    return {"value": value, "status": status, "evidence_lines": lines or [], "rationale": "From the call."}


def met_reply(lines: list[int], value: str, checked: str = "met") -> tuple[dict[str, Any], dict[str, Any]]:
    """A criterion answered "met", then the answer to the analyzer's check of that "met" (`checked`)."""
    return criterion_reply("met", lines, value), {"status": checked}


def objection_reply(
    lines: list[int] | None = None, answered: list[int] | None = None
) -> Callable[[dict[str, Any] | None], dict[str, Any]]:
    """The objection question's answer: the candidate `lines` that raise one, `answered` by the rep.
    Fails the test when a line is not among the candidates the analyzer offered."""

    def reply(schema: dict[str, Any] | None) -> dict[str, Any]:
        assert schema is not None
        line = schema["$defs"]["ObjectionPick"]["properties"]["line"]
        offered = line["enum"] if "enum" in line else [line["const"]]  # one candidate is a const
        missing = [i for i in lines or [] if i not in offered]
        assert not missing, f"lines {missing} were not offered as objection candidates (offered: {offered})"
        return {"objections": [{"line": i, "answered_by_rep": i in (answered or [])} for i in lines or []]}

    return reply


def enqueue_unknown_analysis(fake: FakeLLM) -> None:
    """An analysis where the model finds nothing: every criterion unknown, no objections."""
    fake.enqueue(summary_reply(competitors=[], themes=[]))
    fake.enqueue(*(criterion_reply() for _ in BANT_KEYS))
    fake.enqueue(objection_reply())


def enqueue_short_call_analysis(fake: FakeLLM) -> None:
    """The right answers for tests.utils.calls.SHORT_CALL (prospect lines are 2, 4, 6, 8, 9, 11)."""
    fake.enqueue(summary_reply())
    fake.enqueue(
        *met_reply([4], "$40,000 this year"),
        *met_reply([6], "CFO Dana Ruiz"),
        *met_reply([2], "manual re-entry wastes ten hours a week"),
        *met_reply([8], "live before end of Q3"),
    )
    fake.enqueue(objection_reply([9, 11], answered=[9]))
