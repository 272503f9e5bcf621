"""Fake-LLM replies for a whole analysis, in the order the analyzer asks: summary, each BANT criterion,
objections (per window)."""

from __future__ import annotations

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


def objection_reply(items: list[tuple[int, str]] | None = None, answered: list[int] | None = None) -> dict[str, Any]:
    """The objections answer: (line, summary) per concern; `answered` by the rep."""
    return {
        "objections": [
            {"summary": summary, "line": line, "handled": line in (answered or [])} for line, summary in items or []
        ]
    }


def met_reply(key: str) -> dict[str, Any]:
    """The model calling one BANT criterion of tests.utils.calls.SHORT_CALL met on the line that states it."""
    return {
        "budget": criterion_reply("met", [4], "$40,000 this year"),
        "authority": criterion_reply("met", [6], "CFO Dana Ruiz"),
        "need": criterion_reply("met", [2], "manual re-entry"),
        "timeline": criterion_reply("met", [8], "end of Q3"),
    }[key]


def enqueue_bant_analysis(fake: FakeLLM, **replies: dict[str, Any]) -> None:
    """A whole analysis: a summary naming no competitor or theme, each BANT criterion met (`met_reply`) unless
    `replies` gives the model's answer for it, and no objections."""
    fake.enqueue(summary_reply(competitors=[], themes=[]))
    fake.enqueue(*(replies.get(key) or met_reply(key) for key in BANT_KEYS))
    fake.enqueue(objection_reply())


def enqueue_unknown_analysis(fake: FakeLLM) -> None:
    """An analysis where the model finds nothing: every criterion unknown, no objections."""
    fake.enqueue(summary_reply(competitors=[], themes=[]))
    fake.enqueue(*(criterion_reply() for _ in BANT_KEYS))
    fake.enqueue(objection_reply())


def enqueue_short_call_analysis(fake: FakeLLM) -> None:
    """The right answers for tests.utils.calls.SHORT_CALL (prospect lines are 2, 4, 6, 8, 9, 11)."""
    fake.enqueue(summary_reply())
    fake.enqueue(
        criterion_reply("met", [4], "$40,000 this year"),
        criterion_reply("met", [6], "CFO Dana Ruiz"),
        criterion_reply("met", [2], "manual re-entry wastes ten hours a week"),
        criterion_reply("met", [8], "live before end of Q3"),
    )
    fake.enqueue(
        objection_reply(
            [(9, "Acme Insights is cheaper"), (11, "IT has no time")],
            answered=[9],
        )
    )
