"""The prospect's direct answer to the rep's question about a criterion.

Asked "what kind of budget would you have in mind?", a prospect who says "I don't know. Maybe ten grand a
year? But I'd have to see." has talked about budget, vaguely. The small local model answers "unknown" to
such lines (5 budget and 4 authority statuses of the team's labelled calls), because no clear amount or
name is in them. The question is found in code, by the criterion's `question_terms` in the criteria YAML,
and its answer makes the criterion partial rather than unknown. A dodge ("I'd rather not get into
commercials today") answers nothing."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.analysis.lines import Line, split_sentences
from assistant.analysis.terms import first_term

DODGES = (
    "rather not",
    "prefer not",
    "let's see",
    "let's stick",
    "not get into",
    "can't say",
    "can't share",
    "no comment",
    "not at liberty",
)


def answers_to(question_terms: tuple[str, ...], lines: Sequence[Line]) -> list[tuple[str, Line]]:
    """Every prospect line that directly follows a rep question saying one of `question_terms`, with that
    question, in call order; a dodge is no answer."""
    if not question_terms:
        return []
    found: list[tuple[str, Line]] = []
    rep_turn: list[str] = []
    for line in lines:
        if line.role == "rep":
            rep_turn.append(line.text)
            continue
        questions = [s for s in split_sentences(" ".join(rep_turn)) if s.endswith("?")]
        rep_turn = []
        asked = next((q for q in questions if first_term(question_terms, q)), None)
        if asked is not None and first_term(DODGES, line.text) is None:
            found.append((asked.strip(), line))
    return found
