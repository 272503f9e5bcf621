"""The prospect's direct answer to the rep's question about a criterion."""

from __future__ import annotations

from assistant.analysis.answers import answers_to
from assistant.analysis.lines import Line
from assistant.qualification.definition import builtin_framework_text, parse_framework

BANT = {c.key: c for c in parse_framework(builtin_framework_text("bant")).criteria}


def _lines(*turns: tuple[str, str]) -> list[Line]:
    return [
        Line(n, n * 5.0, n * 5.0 + 4, "Maya" if who == "rep" else "Terry", who, text)  # type: ignore[arg-type]
        for n, (who, text) in enumerate(turns, start=1)
    ]


def test_the_line_after_a_budget_question_is_its_answer() -> None:
    lines = _lines(
        ("rep", "Ha. Can I ask what kind of budget you'd have in mind for something like this?"),
        ("prospect", "I don't know. Maybe ten grand a year? But I'd have to see."),
        ("prospect", "We also have a budget for vans."),
    )
    assert answers_to(BANT["budget"].question_terms, lines) == [
        ("Can I ask what kind of budget you'd have in mind for something like this?", lines[1])
    ]


def test_the_question_may_be_any_sentence_of_a_rep_turn_over_several_lines() -> None:
    lines = _lines(
        ("rep", "Great."),
        ("rep", "Where are you in terms of decision making? Last time you mentioned finance."),
        ("prospect", "We're in the middle of a reorg, so I'd have to loop in finance leadership."),
    )
    assert answers_to(BANT["authority"].question_terms, lines) == [
        ("Where are you in terms of decision making?", lines[2])
    ]


def test_a_dodge_is_no_answer_and_every_later_answer_counts() -> None:
    lines = _lines(
        ("rep", "Is there a budget or a timeframe you're working with?"),
        ("prospect", "I\u2019d rather not get into commercials today."),
        ("rep", "Fair. And timing, is there a point where this becomes urgent?"),
        ("prospect", "Maybe next spring, if things pick up."),
        ("rep", "And budget-wise, what range?"),
        ("prospect", "Ten, maybe fifteen thousand."),
    )
    assert answers_to(BANT["budget"].question_terms, lines) == [("And budget-wise, what range?", lines[5])]
    assert answers_to(BANT["timeline"].question_terms, lines) == [
        ("And timing, is there a point where this becomes urgent?", lines[3])
    ]


def test_a_question_about_something_else_or_a_statement_has_no_answer() -> None:
    lines = _lines(
        ("rep", "How much time does the team spend chasing approvals?"),
        ("prospect", "About fifteen hours a week."),
        ("rep", "Our budget tier covers that."),
        ("prospect", "Good to know."),
    )
    assert answers_to(BANT["authority"].question_terms, lines) == []
    assert answers_to(BANT["budget"].question_terms, lines) == []
    assert answers_to(BANT["need"].question_terms, lines) == []
