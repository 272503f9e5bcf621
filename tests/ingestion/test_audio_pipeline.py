"""A recording becomes a Transcript: per-channel speakers for dual-channel calls, one speaker otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import InvalidInputError
from ingestion import SpeakerTrack, Transcriber, Transcript, transcribe_recording
from ingestion.types import Segment
from tests.ingestion.conftest import MAX_DURATION_S as MAX_S
from tests.ingestion.conftest import PROSPECT_TEXT, REP_TEXT
from tests.utils.audio import concat, convert, word_recall

pytestmark = pytest.mark.slow


def _text_of(transcript: Transcript, speaker: str) -> str:
    return " ".join(segment.text for segment in transcript.segments if segment.speaker == speaker)


def test_stereo_split_puts_each_channels_words_under_its_speaker(split_transcript: Transcript):
    left, right = _text_of(split_transcript, "left"), _text_of(split_transcript, "right")

    assert word_recall(REP_TEXT, left) >= 0.8, left
    assert word_recall(PROSPECT_TEXT, right) >= 0.8, right
    # No bleed: none of the prospect's words are on the rep's channel.
    assert not {"finance", "director", "summer"} & set(left.lower().split()), left


def test_stereo_split_declares_both_channel_tracks(split_transcript: Transcript):
    assert split_transcript.speakers == [
        SpeakerTrack(key="left", label="Left channel", channel="left"),
        SpeakerTrack(key="right", label="Right channel", channel="right"),
    ]
    assert (split_transcript.source, split_transcript.language) == ("audio", "en")
    assert 10 < split_transcript.duration_s < 14


def test_merged_segments_are_in_time_order_with_sane_timestamps(split_transcript: Transcript):
    segments = split_transcript.segments
    starts = [segment.start for segment in segments]

    assert starts == sorted(starts)
    for segment in segments:
        assert 0 <= segment.start < segment.end <= split_transcript.duration_s + 0.05
        word_starts = [word.start for word in segment.words]
        assert word_starts == sorted(word_starts)


def test_prospect_answer_is_timed_after_the_rep_question(split_transcript: Transcript):
    rep_end = max(s.end for s in split_transcript.segments if s.speaker == "left")
    prospect_start = min(s.start for s in split_transcript.segments if s.speaker == "right")

    # The right channel was delayed by the rep's duration plus 0.5 s when the call was mixed.
    assert prospect_start >= rep_end - 0.3


def test_without_rep_channel_a_stereo_call_is_one_speaker_with_both_sentences(
    stereo_call: Path, transcriber: Transcriber
):
    transcript = transcribe_recording(stereo_call, transcriber, rep_channel=None, max_duration_s=MAX_S)

    assert transcript.speakers == [SpeakerTrack(key="S1", label="Speaker 1")]
    assert {segment.speaker for segment in transcript.segments} == {"S1"}
    assert word_recall(f"{REP_TEXT} {PROSPECT_TEXT}", _text_of(transcript, "S1")) >= 0.8


def test_mono_file_with_rep_channel_falls_back_to_one_speaker(
    rep_wav: Path, prospect_wav: Path, tmp_path: Path, transcriber: Transcriber
):
    mono_call = concat([rep_wav, prospect_wav], tmp_path / "mono.wav")

    transcript = transcribe_recording(mono_call, transcriber, rep_channel="right", max_duration_s=MAX_S)

    assert [track.key for track in transcript.speakers] == ["S1"]
    assert word_recall(PROSPECT_TEXT, _text_of(transcript, "S1")) >= 0.8


def test_stereo_file_with_the_same_signal_on_both_channels_is_not_transcribed_twice(
    rep_wav: Path, tmp_path: Path, transcriber: Transcriber
):
    dual_mono = tmp_path / "dual-mono.wav"
    subprocess.run(["sox", str(rep_wav), "-c", "2", str(dual_mono)], check=True)

    transcript = transcribe_recording(dual_mono, transcriber, rep_channel="left", max_duration_s=MAX_S)

    assert [track.key for track in transcript.speakers] == ["S1"]
    assert word_recall(REP_TEXT, _text_of(transcript, "S1")) >= 0.8


def test_compressed_stereo_call_splits_like_the_wav(stereo_call: Path, tmp_path: Path, transcriber: Transcriber):
    call_mp3 = convert(stereo_call, tmp_path / "call.mp3")

    transcript = transcribe_recording(call_mp3, transcriber, rep_channel="left", max_duration_s=MAX_S)

    assert word_recall(REP_TEXT, _text_of(transcript, "left")) >= 0.8
    assert word_recall(PROSPECT_TEXT, _text_of(transcript, "right")) >= 0.8


def test_progress_rises_to_one_across_both_channels(split_transcript: Transcript, split_progress: list[float]):
    fractions = split_progress

    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert any(0.4 <= fraction <= 0.6 for fraction in fractions), "the first channel ends halfway"


def test_speaker_assigner_seam_decides_speakers_for_mono_audio(rep_wav: Path, transcriber: Transcriber):
    def two_speakers(audio: np.ndarray, segments: list[Segment]) -> tuple[list[Segment], list[SpeakerTrack]]:
        for segment in segments:
            segment.speaker = "S2"
        return segments, [SpeakerTrack(key="S2", label="Speaker 2")]

    transcript = transcribe_recording(
        rep_wav, transcriber, rep_channel=None, max_duration_s=MAX_S, assign_speakers=two_speakers
    )

    assert {segment.speaker for segment in transcript.segments} == {"S2"}
    assert transcript.speakers == [SpeakerTrack(key="S2", label="Speaker 2")]


def test_unknown_rep_channel_is_rejected(rep_wav: Path, transcriber: Transcriber):
    with pytest.raises(InvalidInputError, match="'left', 'right'"):
        transcribe_recording(rep_wav, transcriber, rep_channel="center", max_duration_s=MAX_S)  # type: ignore[arg-type]


def test_recording_over_the_limit_is_rejected_with_its_name(stereo_call: Path, transcriber: Transcriber):
    with pytest.raises(InvalidInputError, match=r"'Q3 renewal\.wav' is .* long; the limit is 5\.0 s"):
        transcribe_recording(stereo_call, transcriber, rep_channel="left", max_duration_s=5, name="Q3 renewal.wav")
