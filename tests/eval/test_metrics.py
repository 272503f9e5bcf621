"""The eval metrics against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.harness import metrics, report


def test_accuracy_and_macro_f1() -> None:
    pairs = [("met", "met"), ("met", "partial"), ("unknown", "unknown"), ("not_met", "unknown")]
    assert metrics.accuracy(pairs) == 0.5
    # met: tp1 fp1 fn0 -> 2/3; partial: tp0 fn1 -> 0; unknown: tp1 fn1 -> 2/3; not_met: fp1 -> 0
    assert metrics.macro_f1(pairs) == pytest.approx((2 / 3 + 0 + 2 / 3 + 0) / 4)
    assert metrics.accuracy([]) is None and metrics.macro_f1([]) is None


def test_objections_match_when_one_quote_contains_the_other_and_each_label_once() -> None:
    labels = [
        ("That's more than we planned to spend.", "price_budget"),
        ("We use Beacon today.", "competitor_incumbent"),
    ]
    predicted = [
        ("Yeah. That's more than we planned to spend. I'm not saying no.", "price_budget"),
        ("that's more than we planned to spend", "other"),  # the same label again does not count twice
        ("We use beacon today", "other"),
        ("Something else entirely.", "other"),
    ]
    found = metrics.match_objections(predicted, labels)
    assert (found.predicted, found.expected, found.matched, found.category_right) == (4, 2, 2, 1)


def test_located_ignores_case_and_punctuation_but_not_words() -> None:
    transcript = "Frank: We haven't got budget approved for this yet.\nMaya: Understood."
    assert metrics.located("we haven't got budget approved, for this yet", transcript)
    assert not metrics.located("we have budget approved", transcript)


def test_rouge_l() -> None:
    assert metrics.rouge_l("the cat sat on the mat", "the cat sat on the mat") == 1.0
    # LCS "the cat the mat" = 4 of 6 and 4 of 5
    assert metrics.rouge_l("the cat sat on the mat", "the cat ate the mat") == pytest.approx(
        2 * (4 / 6) * (4 / 5) / (4 / 6 + 4 / 5)
    )
    assert metrics.rouge_l("", "anything") == 0.0


def test_thresholds_name_every_miss(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text("demo:\n  min: {status_accuracy: 0.8, grounding_rate: 1.0}\n  max: {failed: 0}\n")
    assert report.below_thresholds("demo", {"status_accuracy": 0.9, "grounding_rate": 1.0, "failed": 0}, path) == []
    problems = report.below_thresholds("demo", {"status_accuracy": 0.7, "grounding_rate": None, "failed": 1}, path)
    assert len(problems) == 3 and "status_accuracy is 0.7" in problems[0]
