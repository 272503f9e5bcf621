"""Find the lines most likely to answer a question, by embedding similarity, before asking the model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from assistant.analysis.lines import Line, split_sentences


class Embeds(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


class CandidateFinder:
    """Embeds every line once; then ranks lines against example sentences ("probes")."""

    def __init__(self, embedder: Embeds, lines: Sequence[Line]) -> None:
        self._embedder = embedder
        self.lines = list(lines)
        self._row = {line.id: i for i, line in enumerate(self.lines)}
        self._vectors = embedder.embed([line.text for line in self.lines]) if self.lines else np.zeros((0, 384))
        self._sentences: dict[int, np.ndarray] = {}

    def rank(self, probes: list[str], among: Sequence[Line], *, k: int, by_sentence: bool = False) -> list[Line]:
        """The `k` lines of `among` closest to any probe, in transcript order. Ranking within `among` (a
        window's prospect lines) gives every window of a long call its own candidates.

        With `by_sentence`, the line holding the sentence closest to any probe is added if it is not among
        them: a turn about three things ("We approved forty-two thousand for this, so that works. Second
        thing. Payment terms...") is far from every probe as a whole, and its budget sentence is not."""
        pool = [self._row[line.id] for line in among]
        if not pool or not probes:
            return []
        probe_vectors = self._embedder.embed(probes)
        scores = (self._vectors[pool] @ probe_vectors.T).max(axis=1)
        best = set(np.argsort(-scores)[:k].tolist())
        if by_sentence:
            sentence_scores = [float((self._sentence_vectors(self.lines[row]) @ probe_vectors.T).max()) for row in pool]
            best.add(int(np.argmax(sentence_scores)))
        return [self.lines[pool[i]] for i in sorted(best)]

    def _sentence_vectors(self, line: Line) -> np.ndarray:
        # Sentences of three words or more: "Okay." or "Second thing." is close to nothing that matters.
        if line.id not in self._sentences:
            sentences = [s for s in split_sentences(line.text) if len(s.split()) >= 3] or [line.text]
            self._sentences[line.id] = self._embedder.embed(sentences)
        return self._sentences[line.id]

    def vector(self, line: Line) -> np.ndarray:
        """The embedding of one of the finder's lines."""
        return np.asarray(self._vectors[self._row[line.id]])

    def embed(self, text: str) -> np.ndarray:
        """The unit-length embedding of `text`, comparable with the lines' vectors."""
        return np.asarray(self._embedder.embed([text])[0])

    def scores(self, text: str, among: Sequence[Line]) -> np.ndarray:
        """Cosine similarity of `text` to each line in `among` (one embedding of `text`)."""
        return self.similarities(self.embed(text), among)

    def similarities(self, vector: np.ndarray, among: Sequence[Line]) -> np.ndarray:
        """Cosine similarity of a unit-length `vector` to each line in `among`."""
        return np.asarray(self._vectors[[self._row[line.id] for line in among]] @ vector)

    def best_match(self, text: str, among: Sequence[Line], *, min_similarity: float) -> Line | None:
        """The line in `among` most similar to `text`, if it is similar enough to count as its evidence."""
        if not among or not text.strip():
            return None
        scores = self.scores(text, among)
        best = int(np.argmax(scores))
        return among[best] if float(scores[best]) >= min_similarity else None
