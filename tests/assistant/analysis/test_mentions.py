"""What counts as a stated time or number in a prospect's words."""

from __future__ import annotations

import pytest

from assistant.analysis.mentions import mentions


@pytest.mark.parametrize(
    "text",
    [
        "We want it live before the end of the third quarter.",
        "We need to decide by May 1.",
        "Our renewal is in March.",
        "Probably in a couple of weeks.",
        "We want it running before our busy season starts.",
        "Ideally Q3, at the latest by 2027.",
        "Let's aim for next month.",
        "Coverage should start on [DATE].",  # redacted transcripts keep the date's place
        "I'll sign before the end of the month.",
        "I want to be live by the start of May.",
        "We need it within the next six weeks.",
        "Two months from now, once the audit is over.",
    ],
)
def test_times_are_found(text: str) -> None:
    assert mentions("time", text)


@pytest.mark.parametrize(
    "text",
    [
        "Forever.",
        "Good.",
        "Auto and home.",
        "I want it as cheap as possible.",
        "It may work for us.",
        "Right now.",
        "Three years. She's brilliant, but she didn't join us to type numbers.",  # how long, not when
        "Errors cost us about ten hours a week.",
    ],
)
def test_words_that_state_no_time_are_not(text: str) -> None:
    assert not mentions("time", text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Errors cost us about ten hours a week.", True),
        ("We lose 3% of orders.", True),
        ("It's around $[MONEY_AMOUNT] a month.", True),
        ("Returns have doubled since spring.", True),
        ("Most of our returns are damaged items.", False),
        ("It takes forever and everyone hates it.", False),
    ],
)
def test_numbers(text: str, found: bool) -> None:
    assert mentions("number", text) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I pick the vendor. Linda Park, our VP of operations, signs the contract.", True),
        ("Yeah, it's my company. If I like it, I buy it.", True),
        ("Yes, it would be mine. But I don't have any budget for contract software.", True),
        ("My father. He owns the company, and he signs everything over ten thousand.", True),
        ("Anything over five thousand has to go to the school board.", True),
        ("It's my call. Support tooling sits with me.", True),
        ("No. Our investors haven't asked.", False),
        ("Phil takes the call, writes it on a pad, and texts whoever's closest.", False),
        ("Half the team uses a password manager, half doesn't.", False),
        ("We talked about having our own IT team build something.", False),
        ("Yeah, that's me. Hi Maya.", False),
    ],
)
def test_someone_who_decides(text: str, found: bool) -> None:
    assert mentions("person", text) is found
