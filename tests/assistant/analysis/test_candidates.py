"""Candidate lines for a criterion, found by embedding similarity (real embeddings)."""

from __future__ import annotations

from assistant.analysis.candidates import CandidateFinder
from assistant.analysis.lines import Line
from assistant.index import Embedder
from assistant.qualification.definition import builtin_framework_text, parse_framework

BUDGET = next(c for c in parse_framework(builtin_framework_text("bant")).criteria if c.key == "budget")
# From the team's labelled negotiation call: the budget is one sentence of a turn about payment terms.
PROSPECT_SAYS = [
    "That's right. And we had zero no-show subs on that job in the last month of the trial.",
    "Three things. First, price. Your per-user pricing punishes us for adding foremen. Every time we add a foreman,"
    " we pay more.",
    "Okay. We approved forty-two thousand for this, so that works. Second thing. Payment terms. Your contract says"
    " net thirty. We pay vendors net sixty, and net thirty isn't going to work with our AP.",
    "Good. Third. We already pay for Procore, and my project managers will ask why we need another login.",
    "No. I'm the COO, contracts under fifty thousand are mine.",
    "Good. Then send me the revised contract with the project pricing, net sixty and the on-site week.",
]


def _lines() -> list[Line]:
    return [Line(n, n * 10.0, n * 10.0 + 9, "Marcus", "prospect", text) for n, text in enumerate(PROSPECT_SAYS, 1)]


def test_the_closest_lines_come_in_transcript_order(embedder: Embedder) -> None:
    lines = _lines()
    ranked = CandidateFinder(embedder, lines).rank(BUDGET.probes, lines, k=3)
    assert len(ranked) == 3
    assert [line.id for line in ranked] == sorted(line.id for line in ranked)


def test_a_turn_whose_one_sentence_answers_is_added_by_that_sentence(embedder: Embedder) -> None:
    lines = _lines()
    finder = CandidateFinder(embedder, lines)
    # As a whole, the turn ranks below two lines that only talk about pricing and the contract.
    assert lines[2] not in finder.rank(BUDGET.probes, lines, k=2)
    by_sentence = finder.rank(BUDGET.probes, lines, k=2, by_sentence=True)
    assert lines[2] in by_sentence and len(by_sentence) == 3
