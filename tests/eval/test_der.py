"""Diarization error rate: hand-computed cases for each error kind, the collar, and the speaker mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.der import diarization_error_rate, read_rttm, write_rttm

REFERENCE = [(0.0, 10.0, "alice"), (10.0, 20.0, "bob")]


def test_a_perfect_hypothesis_with_other_names_scores_zero() -> None:
    result = diarization_error_rate(REFERENCE, [(0.0, 10.0, "B"), (10.0, 20.0, "A")], collar=0.0)
    assert result.der == 0.0
    assert result.reference_speech == pytest.approx(20.0)


def test_missed_false_alarm_and_confusion_add_up_over_reference_speech() -> None:
    # Speaker 1 covers 0-12 (2 s of bob confused), nothing at 18-20 (2 s missed), 20-21 extra (1 s false alarm).
    hypothesis = [(0.0, 12.0, "1"), (12.0, 18.0, "2"), (20.0, 21.0, "2")]
    result = diarization_error_rate(REFERENCE, hypothesis, collar=0.0)
    assert result.confusion == pytest.approx(2.0)
    assert result.missed == pytest.approx(2.0)
    assert result.false_alarm == pytest.approx(1.0)
    assert result.der == pytest.approx(5.0 / 20.0)


def test_the_collar_ignores_errors_near_reference_boundaries() -> None:
    hypothesis = [(0.2, 10.2, "1"), (10.2, 19.8, "2")]  # every boundary 0.2 s off
    assert diarization_error_rate(REFERENCE, hypothesis, collar=0.0).der == pytest.approx(0.6 / 20.0)
    collared = diarization_error_rate(REFERENCE, hypothesis, collar=0.25)
    assert collared.der == 0.0
    # 0.25 s is removed on both sides of the 3 distinct boundaries (0, 10, 20), inside the speech: 1.0 s.
    assert collared.reference_speech == pytest.approx(19.0)


def test_overlapping_reference_speech_counts_each_speaker() -> None:
    reference = [(0.0, 4.0, "a"), (2.0, 4.0, "b")]
    result = diarization_error_rate(reference, [(0.0, 4.0, "x")], collar=0.0)
    assert result.reference_speech == pytest.approx(6.0)
    assert result.missed == pytest.approx(2.0)
    assert result.der == pytest.approx(2.0 / 6.0)


def test_each_reference_speaker_maps_to_one_hypothesis_speaker() -> None:
    # One hypothesis speaker for both: only the better half can be right.
    result = diarization_error_rate(REFERENCE, [(0.0, 20.0, "x")], collar=0.0)
    assert result.confusion == pytest.approx(10.0)


def test_rttm_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "h.rttm"
    path.write_text(write_rttm(REFERENCE, file_id="call"), encoding="utf-8")
    assert read_rttm(path) == REFERENCE
