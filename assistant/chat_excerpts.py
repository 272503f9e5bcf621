"""What the model reads of each retrieved quote: the sentence nearest the question, not the whole turn.

The local model reads a prompt at about 60 tokens/s on this machine, so every excerpt word is time before the
first answer token. The citation still shows the whole quote; only the model's view is cut, to the sentence
that answers the question (with a neighbour when that one is too short to stand alone)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.analysis.lines import split_sentences
from assistant.index.embeddings import Embedder
from assistant.index.store import Hit

# Measured with the demo calls (eval/bench_chat.py): the sentence that answers is rarely over 25 words, and a
# prospect's turn often opens with a filler sentence ("Sure.", "Partly.") that says nothing on its own.
MIN_WORDS = 6
MAX_WORDS = 28


@dataclass(frozen=True)
class Excerpt:
    """A retrieved item with the part of its quote the model reads, ranked by how well that part matches."""

    hit: Hit
    text: str
    score: float


def quote_of(hit: Hit) -> str:
    """The verbatim words the hit cites (an item without a separate quote cites its own text)."""
    return str(hit.metadata.get("quote", hit.text))


def excerpts(embedder: Embedder, queries: np.ndarray, hits: list[Hit]) -> list[Excerpt]:
    """Each hit cut to its sentence nearest any of the `queries` (their embeddings, one row each), best first.
    A hit scores the better of its own similarity and that sentence's, so a long turn with one relevant
    sentence is not ranked below a short, vaguer one."""
    if not hits:
        return []
    split = [split_sentences(quote_of(h)) or [quote_of(h)] for h in hits]
    # One batch for every sentence: one model call instead of one per hit.
    vectors = embedder.embed([s for sentences in split for s in sentences])
    per_sentence = np.max(vectors @ queries.T, axis=1)
    out = []
    offset = 0
    for hit, sentences in zip(hits, split, strict=True):
        scores = per_sentence[offset : offset + len(sentences)]
        offset += len(sentences)
        best = int(np.argmax(scores))
        out.append(Excerpt(hit, _around(sentences, best), max(hit.similarity, float(scores[best]))))
    return sorted(out, key=lambda e: e.score, reverse=True)


def _around(sentences: list[str], best: int) -> str:
    """The best sentence, joined by its neighbours (next first) while it is shorter than MIN_WORDS, then cut
    to MAX_WORDS."""
    first = last = best
    words = len(sentences[best].split())
    while words < MIN_WORDS and (first > 0 or last < len(sentences) - 1):
        if last < len(sentences) - 1:
            last += 1
            words += len(sentences[last].split())
        else:
            first -= 1
            words += len(sentences[first].split())
    chosen = " ".join(sentences[first : last + 1]).split()
    return " ".join(chosen[:MAX_WORDS]) + (" …" if len(chosen) > MAX_WORDS else "")
