"""Which prospect lines rule a criterion out by denying one of its terms."""

from __future__ import annotations

import pytest

from assistant.analysis.denials import denial

BUDGET = ("budget", "budgeted", "money", "funds", "funding", "afford")


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("There's no money for new software this year.", "no money"),
        ("I don't have any budget, obviously, so free is perfect.", "don't have any budget"),
        ("We don\u2019t really have money for software right now.", "don\u2019t really have money"),
        ("We can't afford anything like this.", "can't afford"),
        ("Nothing budgeted for it.", "Nothing budgeted"),
        ("There isn't enough funding left.", "isn't enough funding"),
    ],
)
def test_a_negated_term_is_a_denial(text: str, denied: str) -> None:
    assert denial(BUDGET, text) == denied


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
