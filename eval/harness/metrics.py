"""Metrics over predictions and labels: status accuracy and macro-F1, verdicts, objections, grounding, ROUGE-L."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STATUSES = ("met", "partial", "not_met", "unknown")


def accuracy(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Share of (predicted, expected) pairs that agree; None when there are none."""
    return sum(p == e for p, e in pairs) / len(pairs) if pairs else None


def macro_f1(pairs: Sequence[tuple[str, str]], classes: Iterable[str] = STATUSES) -> float | None:
    """Mean F1 over the classes that occur in the labels or the predictions."""
    if not pairs:
        return None
    scores = []
    for cls in classes:
        tp = sum(p == cls and e == cls for p, e in pairs)
        fp = sum(p == cls and e != cls for p, e in pairs)
        fn = sum(p != cls and e == cls for p, e in pairs)
        if tp + fp + fn == 0:
            continue
        scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else None


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, spaces squashed: how quotes are compared with transcript text."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


@dataclass
class ObjectionMatch:
    predicted: int
    expected: int
    matched: int
    category_right: int


def match_objections(predicted: list[tuple[str, str]], expected: list[tuple[str, str]]) -> ObjectionMatch:
    """Pair predicted (quote, category) with labelled ones: a pair matches when one quote contains the other
    (the labels quote part of a turn; the analysis shows the whole turn). Each label matches at most once."""
    free = list(range(len(expected)))
    matched = category_right = 0
    for quote, category in predicted:
        said = normalise(quote)
        hit = next(
            (i for i in free if normalise(expected[i][0]) in said or (said and said in normalise(expected[i][0]))),
            None,
        )
        if hit is None:
            continue
        free.remove(hit)
        matched += 1
        category_right += category == expected[hit][1]
    return ObjectionMatch(len(predicted), len(expected), matched, category_right)


def located(quote: str, transcript: str) -> bool:
    """True when the quote is in the transcript, ignoring case, punctuation and spacing."""
    return normalise(quote) in normalise(transcript)


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F-measure over word tokens (longest common subsequence)."""
    a, b = normalise(candidate).split(), normalise(reference).split()
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)
