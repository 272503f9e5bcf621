"""Typed results of ingestion: what a transcript is, whichever way it arrived."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass
class Segment:
    """One stretch of speech by one speaker. `speaker` is the key of a `SpeakerTrack`."""

    start: float
    end: float
    speaker: str
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass(frozen=True)
class SpeakerTrack:
    """A speaker as ingestion found it: a channel ("left"/"right"), a cluster, or a name from a transcript."""

    key: str
    label: str
    channel: str | None = None


@dataclass
class Transcript:
    segments: list[Segment]
    speakers: list[SpeakerTrack]
    duration_s: float
    language: str = "en"
    source: str = "audio"  # "audio" or the imported format: "vtt", "srt", "txt"
