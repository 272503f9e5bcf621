"""What the model reads of each retrieved quote: the sentence nearest the question (real embeddings)."""

from __future__ import annotations

from assistant.chat_excerpts import MAX_WORDS, excerpts
from assistant.index import Embedder, Hit

BUDGET_TURN = (
    "Sure. We set aside about forty thousand dollars this year for analytics software. "
    "That covers the software and the setup together."
)
DELIVERY_TURN = "Our CEO wants ninety five percent on time delivery, and right now we're at about eighty eight percent."


def hit(quote: str, similarity: float, call_id: str = "c1") -> Hit:
    return Hit(
        id=f"{call_id}:quote:1", text=quote, metadata={"call_id": call_id, "quote": quote}, similarity=similarity
    )


def test_the_model_reads_the_sentence_that_answers_and_the_citation_keeps_the_whole_turn(embedder: Embedder) -> None:
    [found] = excerpts(embedder, embedder.embed(["What budget do prospects have?"]), [hit(BUDGET_TURN, 0.3)])
    assert found.text == "We set aside about forty thousand dollars this year for analytics software."
    assert found.hit.metadata["quote"] == BUDGET_TURN


def test_a_sentence_too_short_to_stand_alone_is_joined_by_the_next(embedder: Embedder) -> None:
    turn = "No budget. The money went to the warehouse upgrade this year, so nothing is left for new software."
    [found] = excerpts(embedder, embedder.embed(["Do they have a budget?"]), [hit(turn, 0.3)])
    assert found.text == turn


def test_a_long_sentence_is_cut_to_the_word_limit(embedder: Embedder) -> None:
    turn = " ".join(["budget"] * (MAX_WORDS + 10)) + "."
    [found] = excerpts(embedder, embedder.embed(["budget"]), [hit(turn, 0.3)])
    assert found.text.endswith(" …") and len(found.text.split()) == MAX_WORDS + 1


def test_a_turn_whose_one_sentence_answers_ranks_above_a_vaguer_but_closer_turn(embedder: Embedder) -> None:
    ranked = excerpts(
        embedder,
        embedder.embed(["What budget do prospects have?"]),
        [hit(DELIVERY_TURN, 0.30, "c1"), hit(BUDGET_TURN, 0.28, "c2")],
    )
    assert [e.hit.metadata["call_id"] for e in ranked] == ["c2", "c1"]
    assert ranked[0].score > 0.30


def test_a_follow_up_is_matched_with_its_earlier_question_too(embedder: Embedder) -> None:
    queries = ["And how much?", "What budget do prospects have? And how much?"]
    [found] = excerpts(embedder, embedder.embed(queries), [hit(BUDGET_TURN, 0.3)])
    assert "forty thousand dollars" in found.text
