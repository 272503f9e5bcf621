"""Which prospect lines rule a criterion out by denying one of its terms."""

from __future__ import annotations

import pytest

from assistant.analysis.denials import denial
from assistant.qualification.definition import builtin_framework_text, parse_framework

BUDGET = ("budget", "budgeted", "money", "funds", "funding", "afford")
NEED = next(c for c in parse_framework(builtin_framework_text("bant")).criteria if c.key == "need").not_met_terms


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("There's no money for new software this year.", "no money"),
        ("I don't have any budget, obviously, so free is perfect.", "don't have any budget"),
        ("We don\u2019t really have money for software right now.", "don\u2019t really have money"),
        ("We can't afford anything like this.", "can't afford"),
        ("Nothing budgeted for it.", "Nothing budgeted"),
        ("There isn't enough funding left.", "isn't enough funding"),
        ("I don't think we have the budget for it.", "don't think we have the budget"),
    ],
)
def test_a_negated_term_is_a_denial(text: str, denied: str) -> None:
    assert denial(BUDGET, text) == denied


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("With four staff, I don't really have a problem that needs a tool.", "don't really have a problem that needs"),
        ("Our old system was replaced, so it's not a problem anymore.", "not a problem anymore"),
        ("It's not a problem we have, to be honest.", "not a problem we have"),
        ("We have no need for it at our size.", "no need for it"),
    ],
)
def test_a_prospect_without_the_problem_denies_the_need(text: str, denied: str) -> None:
    assert denial(NEED, text) == denied


@pytest.mark.parametrize(
    "text",
    [
        "Sure, no problem. Let's start.",  # the idiom, not a denial of a need
        "The reporting screens were a bit much, but that's not a problem.",
        "Then we won't have a problem with the terms.",
        "Our problem is that nobody trusts the numbers.",
    ],
)
def test_the_no_problem_idiom_is_no_denial_of_need(text: str) -> None:
    assert denial(NEED, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Our budget is forty thousand dollars.",
        "I don't know the budget yet.",  # not knowing is not having none
        "No, budget is fine.",  # a clause break ends the negation
        "We haven't got budget approved for this yet.",  # unapproved is partial, not absent
        "Money is not a problem.",
        "We don't spend much time on it.",
    ],
)
def test_other_lines_are_not_denials(text: str) -> None:
    assert denial(BUDGET, text) is None


def test_a_criterion_without_terms_denies_nothing() -> None:
    assert denial((), "There's no money for this.") is None
