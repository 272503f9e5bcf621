"""Criterion terms found in what people say: here, hedge words that make a stated timeline partial."""

from __future__ import annotations

import pytest

from assistant.analysis.terms import first_term
from assistant.qualification.definition import builtin_framework_text, parse_framework

TIMELINE = next(c for c in parse_framework(builtin_framework_text("bant")).criteria if c.key == "timeline")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("September at the earliest, once the audit is over.", "at the earliest"),
        ("Probably after the harvest, in October.", "Probably"),
        ("Q2 would be nice, but I can\u2019t promise that.", "would be nice"),
        ("Sometime next year.", "Sometime"),
        ("I'm not sure, maybe March.", "not sure"),
    ],
)
def test_a_hedged_timeline_is_found(text: str, said: str) -> None:
    assert first_term(TIMELINE.hedge_terms, text) == said


@pytest.mark.parametrize(
    "text",
    [
        "We have to be live by March thirty-first, no later.",
        "The contract renews on June first, so we need to decide in May.",
        "Ideally mid-March, and the end of March at the very latest.",  # a firm deadline with a wish before it
        "Somewhere between fifty and sixty stores.",  # "some" in a longer word is no hedge
    ],
)
def test_a_firm_timeline_is_no_hedge(text: str) -> None:
    assert first_term(TIMELINE.hedge_terms, text) is None


def test_no_terms_no_hedge() -> None:
    assert first_term((), "Probably in March.") is None
