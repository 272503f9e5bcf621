"""Conversation metrics against values worked out by hand on a six-segment call."""

from __future__ import annotations

import pytest

from assistant.metrics import compute_metrics
from ingestion.types import Segment

# rep 0-10 | prospect 12-20 | prospect 21-25 | rep 24-30 (cuts in 1 s early) | prospect 33-36 | rep 36.5-40
CALL = [
    Segment(0.0, 10.0, "r", "Hi Dana, thanks for your time. Um, how do you plan routes today? Who else decides?"),
    Segment(12.0, 20.0, "p", "We use spreadsheets, you know, and it is slow."),
    Segment(21.0, 25.0, "p", "Uh, the CFO decides."),
    Segment(24.0, 30.0, "r", "Got it. What budget do you have?"),
    Segment(33.0, 36.0, "p", "About forty thousand."),
    Segment(36.5, 40.0, "r", "Great, I will send a proposal."),
]
ROLES = {"r": "rep", "p": "prospect"}


def test_per_speaker_metrics_match_hand_computed_values() -> None:
    _, speakers = compute_metrics(CALL, ROLES)
    rep, prospect = speakers["r"], speakers["p"]
    # Talk time: rep 10 + 6 + 3.5 = 19.5 s, prospect 8 + 4 + 3 = 15 s, of 34.5 s.
    assert rep.talk_time_s == 19.5
    assert prospect.talk_time_s == 15.0
    assert rep.talk_ratio == pytest.approx(19.5 / 34.5, abs=1e-3)
    # Turns: rep [0-10], [24-30], [36.5-40]; prospect [12-25] (two segments in a row), [33-36].
    assert rep.turns == 3 and prospect.turns == 2
    assert rep.longest_monologue_s == 10.0
    assert prospect.longest_monologue_s == 13.0
    assert rep.questions == 3 and prospect.questions == 0
    # The rep starts at 24 s while the prospect's turn runs to 25 s.
    assert rep.interruptions == 1 and prospect.interruptions == 0
    assert rep.filler_words == 1  # "Um"
    assert prospect.filler_words == 2  # "you know", "Uh"
    # Words: rep 16 + 7 + 6 = 29 over 19.5 s; prospect 9 + 4 + 3 = 16 over 15 s.
    assert rep.words == 29 and prospect.words == 16
    assert rep.words_per_minute == pytest.approx(29 / 19.5 * 60, abs=0.05)
    assert prospect.words_per_minute == pytest.approx(64.0)


def test_call_metrics_match_hand_computed_values() -> None:
    call, _ = compute_metrics(CALL, ROLES)
    assert call.talk_time_s == 34.5
    assert call.speakers == 2
    assert call.rep_talk_ratio == pytest.approx(0.565)
    assert call.longest_monologue_s == 13.0
    assert call.rep_longest_monologue_s == 10.0
    assert call.rep_questions == 3
    assert call.interruptions == 1
    assert call.filler_words == 3
    assert call.words_per_minute == pytest.approx(45 / 34.5 * 60, abs=0.05)
    # Pauses before the rep answers a prospect turn: 24 - 25 -> 0 (overlap), 36.5 - 36 = 0.5.
    assert call.patience_s == 0.25


def test_without_a_single_known_rep_the_rep_figures_are_unknown() -> None:
    call, speakers = compute_metrics(CALL, {"r": "unknown", "p": "unknown"})
    assert call.rep_talk_ratio is None and call.rep_questions is None and call.patience_s is None
    assert speakers["r"].questions == 3


def test_a_speaker_without_segments_gets_zeros() -> None:
    call, speakers = compute_metrics(CALL, {**ROLES, "x": "unknown"})
    assert speakers["x"].talk_time_s == 0.0 and speakers["x"].words_per_minute == 0.0
    assert call.speakers == 2
