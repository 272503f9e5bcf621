"""From a recording on disk to a `Transcript`: decode, transcribe each speaker channel, assign speakers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.errors import InvalidInputError
from ingestion.decode import SAMPLE_RATE, load_channels
from ingestion.transcribe import ProgressCallback, Transcriber
from ingestion.types import Segment, SpeakerTrack, Transcript

RepChannel = Literal["left", "right"]
# Given the mixed-down audio and its segments, decide who spoke each one. Diarization plugs in here.
SpeakerAssigner = Callable[[np.ndarray, list[Segment]], tuple[list[Segment], list[SpeakerTrack]]]

SINGLE_SPEAKER = SpeakerTrack(key="S1", label="Speaker 1")
CHANNEL_TRACKS = (
    SpeakerTrack(key="left", label="Left channel", channel="left"),
    SpeakerTrack(key="right", label="Right channel", channel="right"),
)


def single_speaker(audio: np.ndarray, segments: list[Segment]) -> tuple[list[Segment], list[SpeakerTrack]]:
    """The assigner used until diarization exists: every segment belongs to one speaker."""
    for segment in segments:
        segment.speaker = SINGLE_SPEAKER.key
    return segments, [SINGLE_SPEAKER]


def transcribe_recording(
    path: Path,
    transcriber: Transcriber,
    *,
    rep_channel: RepChannel | None,
    max_duration_s: float,
    name: str | None = None,
    on_progress: ProgressCallback | None = None,
    assign_speakers: SpeakerAssigner = single_speaker,
) -> Transcript:
    """Transcribe a recording; with `rep_channel` set, a stereo file is split into one speaker per channel."""
    if rep_channel not in (None, "left", "right"):
        raise InvalidInputError(f"Rep channel must be 'left', 'right' or empty, not '{rep_channel}'.")
    channels = load_channels(path, split_stereo=rep_channel is not None, max_duration_s=max_duration_s, name=name)
    duration_s = len(channels[0]) / SAMPLE_RATE
    if len(channels) == 2 and not _is_dual_mono(channels[0], channels[1]):
        segments, language = _transcribe_channels(channels, transcriber, on_progress)
        tracks = list(CHANNEL_TRACKS)
    else:
        # Mono, or "stereo" that carries the same mix twice: splitting would transcribe every word twice.
        audio = channels[0] if len(channels) == 1 else (channels[0] + channels[1]) / 2
        segments, language = transcriber.transcribe(audio, speaker="S1", on_progress=on_progress)
        segments, tracks = assign_speakers(audio, segments)
    return Transcript(segments=segments, speakers=tracks, duration_s=duration_s, language=language, source="audio")


def _transcribe_channels(
    channels: list[np.ndarray], transcriber: Transcriber, on_progress: ProgressCallback | None
) -> tuple[list[Segment], str]:
    segments: list[Segment] = []
    languages: list[tuple[int, str]] = []
    for index, (audio, track) in enumerate(zip(channels, CHANNEL_TRACKS, strict=True)):
        progress = _scaled(on_progress, index, len(channels))
        channel_segments, language = transcriber.transcribe(audio, speaker=track.key, on_progress=progress)
        segments.extend(channel_segments)
        languages.append((sum(len(s.text) for s in channel_segments), language))
    segments.sort(key=lambda s: (s.start, s.end))
    # The channel with the most speech decides; a near-silent channel's language guess is noise.
    return segments, max(languages)[1]


def _scaled(on_progress: ProgressCallback | None, part: int, parts: int) -> ProgressCallback | None:
    """Map one channel's 0..1 progress onto its share of the whole recording."""
    if on_progress is None:
        return None
    callback = on_progress
    return lambda fraction: callback((part + fraction) / parts)


def _is_dual_mono(left: np.ndarray, right: np.ndarray) -> bool:
    """True if both channels carry (nearly) the same signal, as many 'stereo' phone exports do."""
    # A strided sample of about two million points decides as well as hours of audio, without the copy.
    step = max(1, len(left) // 2_000_000)
    left, right = left[::step], right[::step]
    signal = float(np.dot(left, left) + np.dot(right, right))
    if signal == 0.0:
        return True
    difference = left - right
    return float(np.dot(difference, difference)) < 1e-3 * signal
