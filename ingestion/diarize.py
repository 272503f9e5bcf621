"""Who spoke when on a mono recording: speech regions, d-vectors over sliding windows, spectral clustering,
then every transcribed word goes to the speaker talking at that moment and segments split where it changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingestion.clustering import cluster_speakers
from ingestion.speaker_embedding import HOP, SAMPLE_RATE, WINDOW_FRAMES, SpeakerEmbedder, log_mel
from ingestion.types import Segment, SpeakerTrack, Word

STEP_FRAMES = 40  # a window every 0.4 s: each moment of speech is seen by two 0.8 s windows
SMOOTHING = 5  # windows in the median filter that removes one-window flips (about 2 s)
# Pauses shorter than this stay inside a speech region; longer ones end it (faster-whisper's Silero VAD).
MIN_SILENCE_MS = 300


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    speaker: int


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of speech, from the Silero VAD model faster-whisper ships."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=100)
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in get_speech_timestamps(audio, options)]


class Diarizer:
    """A `SpeakerAssigner` for mono audio. `num_speakers` fixes the count; None estimates it."""

    def __init__(self, embedder: SpeakerEmbedder, *, num_speakers: int | None = None, max_speakers: int = 8) -> None:
        self.embedder = embedder
        self.num_speakers = num_speakers
        self.max_speakers = max_speakers

    def __call__(self, audio: np.ndarray, segments: list[Segment]) -> tuple[list[Segment], list[SpeakerTrack]]:
        """Segments split at speaker changes, each with its speaker's key, and the speakers found."""
        if not segments:  # silence: nobody to tell apart, and the embeddings would be wasted work
            return [], [SpeakerTrack(key="S1", label="Speaker 1")]
        turns = self.turns(audio)
        split = [piece for segment in segments for piece in _split_segment(segment, turns)]
        order: dict[str, int] = {}
        for segment in split:
            order.setdefault(segment.speaker, len(order))
        # Speakers are numbered by who talks first in the transcript, so "Speaker 1" opens the call.
        renamed = {key: f"S{n + 1}" for key, n in order.items()}
        for segment in split:
            segment.speaker = renamed[segment.speaker]
        tracks = [SpeakerTrack(key=f"S{n + 1}", label=f"Speaker {n + 1}") for n in range(len(order))]
        return split, tracks

    def turns(self, audio: np.ndarray) -> list[Turn]:
        """Speaker turns over the recording's speech, in time order."""
        regions = speech_regions(audio)
        features = log_mel(audio)
        if not regions or len(features) < WINDOW_FRAMES:
            return [Turn(start, end, 0) for start, end in regions]
        starts, region_of = _window_starts(regions, len(features))
        windows = np.stack([features[s : s + WINDOW_FRAMES] for s in starts])
        labels = cluster_speakers(
            self.embedder.embed(windows), num_speakers=self.num_speakers, max_speakers=self.max_speakers
        )
        centres = (starts * HOP + WINDOW_FRAMES * HOP / 2) / SAMPLE_RATE
        turns: list[Turn] = []
        for index, (start, end) in enumerate(regions):
            mask = region_of == index
            turns.extend(_region_turns(start, end, centres[mask], _median(labels[mask])))
        return turns


def _window_starts(regions: list[tuple[float, float]], frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Feature-frame starts of the windows over each region (one centred window for a short region)."""
    starts: list[int] = []
    owners: list[int] = []
    last = frames - WINDOW_FRAMES
    for index, (start, end) in enumerate(regions):
        first, stop = int(start * SAMPLE_RATE / HOP), int(end * SAMPLE_RATE / HOP) - WINDOW_FRAMES
        if stop < first:
            centre = (first + stop + WINDOW_FRAMES) // 2
            chosen = [min(max(centre - WINDOW_FRAMES // 2, 0), last)]
        else:
            chosen = list(range(first, stop + 1, STEP_FRAMES))
            if stop - chosen[-1] > STEP_FRAMES // 2:
                chosen.append(stop)  # cover the region's end too
        starts.extend(min(s, last) for s in chosen)
        owners.extend([index] * len(chosen))
    return np.array(starts), np.array(owners)


def _median(labels: np.ndarray) -> np.ndarray:
    """Majority vote in a sliding window, keeping changes that last longer than a breath."""
    if len(labels) < 3:
        return labels
    half = SMOOTHING // 2
    padded = np.concatenate([np.repeat(labels[:1], half), labels, np.repeat(labels[-1:], half)])
    return np.array([np.bincount(padded[i : i + SMOOTHING]).argmax() for i in range(len(labels))])


def _region_turns(start: float, end: float, centres: np.ndarray, labels: np.ndarray) -> list[Turn]:
    """Cut one speech region where its windows' labels change, halfway between the two windows."""
    turns: list[Turn] = []
    turn_start = start
    for i in range(1, len(labels)):
        if labels[i] != labels[i - 1]:
            boundary = float((centres[i] + centres[i - 1]) / 2)
            turns.append(Turn(turn_start, boundary, int(labels[i - 1])))
            turn_start = boundary
    turns.append(Turn(turn_start, end, int(labels[-1])))
    return turns


def speaker_at(turns: list[Turn], start: float, end: float) -> int:
    """The speaker who talks most within [start, end], or the nearest turn's if nobody does."""
    overlap: dict[int, float] = {}
    for turn in turns:
        shared = min(end, turn.end) - max(start, turn.start)
        if shared > 0:
            overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
    if overlap:
        return max(overlap, key=lambda speaker: overlap[speaker])
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: min(abs(t.start - middle), abs(t.end - middle)), default=None)
    return nearest.speaker if nearest else 0


def _split_segment(segment: Segment, turns: list[Turn]) -> list[Segment]:
    """One segment per run of words by the same speaker; the speaker key is the cluster id for now."""
    if not segment.words:
        segment.speaker = str(speaker_at(turns, segment.start, segment.end))
        return [segment]
    runs: list[tuple[int, list[Word]]] = []
    for word in segment.words:
        speaker = speaker_at(turns, word.start, word.end)
        if runs and runs[-1][0] == speaker:
            runs[-1][1].append(word)
        else:
            runs.append((speaker, [word]))
    if len(runs) == 1:
        segment.speaker = str(runs[0][0])
        return [segment]
    return [
        Segment(
            start=words[0].start,
            end=words[-1].end,
            speaker=str(speaker),
            text=" ".join(w.text for w in words),
            words=words,
        )
        for speaker, words in runs
    ]
