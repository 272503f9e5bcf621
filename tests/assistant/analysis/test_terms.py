"""Criterion terms found in what people say: the built-in hedge words that make a "met" partial."""

from __future__ import annotations

import pytest

from assistant.analysis.terms import first_term
from assistant.qualification.definition import builtin_framework_text, parse_framework

CRITERIA = {c.key: c for c in parse_framework(builtin_framework_text("bant")).criteria}
TIMELINE, BUDGET = CRITERIA["timeline"], CRITERIA["budget"]


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


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "I put in around forty thousand. But honestly, if it comes back smaller, it comes back smaller.",
            "if it comes back",
        ),
        ("I have maybe fifteen, twenty thousand in mind, but that's not confirmed.", "not confirmed"),
        ("I have thirty-six thousand approved for this. If we sign for three years, I'd expect a discount.", None),
        ("Our engineers said that's maybe two months of work. We budgeted sixty thousand.", None),
    ],
)
def test_an_unapproved_budget_hedges_and_an_approved_one_does_not(text: str, said: str | None) -> None:
    assert first_term(BUDGET.hedge_terms, text) == said


@pytest.mark.parametrize(
    ("key", "text", "said"),
    [
        ("authority", "I'd need to check with my boss before we commit to anything.", "check with"),
        ("authority", "Yes, Peter Lund, our CFO, signs. I evaluate and recommend, and he decides.", None),
        (
            "need",
            "Not really, no. It'd be nice to be more organised, but it's not keeping me up at night.",
            "It'd be nice",
        ),
        ("need", "Last month we paid the same invoice twice, eighteen thousand dollars.", None),
    ],
)
def test_an_unsettled_decision_or_a_mild_need_hedges(key: str, text: str, said: str | None) -> None:
    assert first_term(CRITERIA[key].hedge_terms, text) == said
