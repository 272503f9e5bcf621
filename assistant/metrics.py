"""Conversation metrics from a speaker-labelled transcript: who talked how much, how fast, how patiently.

Definitions (the same for audio and imported transcripts):
- a *turn* is a run of consecutive segments by one speaker; a *monologue* is a turn's length in seconds;
- *talk time* sums a speaker's segment lengths; *talk ratio* is its share of everyone's talk time;
- *questions* are sentences ending in "?";
- an *interruption* is a turn that starts before the previous speaker's turn has ended (overlap, which
  only dual-channel audio and timed transcripts show), counted for the speaker who cut in;
- *filler words* are um, uh, er, erm, hmm, mm, "you know", "I mean", "kind of", "sort of";
- *words per minute* is words over talk time;
- *patience* is the mean pause between the end of a prospect's turn and the start of the rep's answer
  (an answer that overlaps counts as 0 s).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping

from pydantic import BaseModel

from ingestion.types import Segment

_FILLERS = re.compile(r"\b(?:u+m+|u+h+|e+r+m*|h+m+|m{2,}|you know|i mean|kind of|sort of)\b", re.IGNORECASE)
_QUESTION = re.compile(r"[^.?!]*\?")


class SpeakerMetrics(BaseModel):
    talk_time_s: float
    talk_ratio: float
    longest_monologue_s: float
    turns: int
    questions: int
    interruptions: int
    filler_words: int
    words: int
    words_per_minute: float


class CallMetrics(BaseModel):
    talk_time_s: float
    speakers: int
    rep_talk_ratio: float | None
    longest_monologue_s: float
    rep_longest_monologue_s: float | None
    rep_questions: int | None
    questions: int
    interruptions: int
    filler_words: int
    words_per_minute: float
    patience_s: float | None


def compute_metrics(segments: list[Segment], roles: Mapping[str, str]) -> tuple[CallMetrics, dict[str, SpeakerMetrics]]:
    """Metrics for the call and for each speaker key in `roles` (role: rep | prospect | unknown)."""
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    turns = _turns(ordered)
    total_talk = sum(max(0.0, s.end - s.start) for s in ordered)
    per_speaker: dict[str, SpeakerMetrics] = {}
    for key in roles:
        own = [s for s in ordered if s.speaker == key]
        own_turns = [t for t in turns if t[0] == key]
        talk = sum(max(0.0, s.end - s.start) for s in own)
        words = sum(len(s.text.split()) for s in own)
        per_speaker[key] = SpeakerMetrics(
            talk_time_s=round(talk, 2),
            talk_ratio=round(talk / total_talk, 3) if total_talk else 0.0,
            longest_monologue_s=round(max((end - start for _, start, end in own_turns), default=0.0), 2),
            turns=len(own_turns),
            questions=sum(len(_QUESTION.findall(s.text)) for s in own),
            interruptions=sum(1 for prev, cur in itertools.pairwise(turns) if cur[0] == key and cur[1] < prev[2]),
            filler_words=sum(len(_FILLERS.findall(s.text)) for s in own),
            words=words,
            words_per_minute=round(words / (talk / 60), 1) if talk else 0.0,
        )
    reps = [key for key, role in roles.items() if role == "rep"]
    rep = per_speaker[reps[0]] if len(reps) == 1 else None
    all_words = sum(m.words for m in per_speaker.values())
    call = CallMetrics(
        talk_time_s=round(total_talk, 2),
        speakers=sum(1 for m in per_speaker.values() if m.turns),
        rep_talk_ratio=rep.talk_ratio if rep else None,
        longest_monologue_s=max((m.longest_monologue_s for m in per_speaker.values()), default=0.0),
        rep_longest_monologue_s=rep.longest_monologue_s if rep else None,
        rep_questions=rep.questions if rep else None,
        questions=sum(m.questions for m in per_speaker.values()),
        interruptions=sum(m.interruptions for m in per_speaker.values()),
        filler_words=sum(m.filler_words for m in per_speaker.values()),
        words_per_minute=round(all_words / (total_talk / 60), 1) if total_talk else 0.0,
        patience_s=_patience(turns, roles),
    )
    return call, per_speaker


def _turns(ordered: list[Segment]) -> list[tuple[str, float, float]]:
    """(speaker, start, end) of each run of consecutive segments by one speaker."""
    turns: list[tuple[str, float, float]] = []
    for segment in ordered:
        if turns and turns[-1][0] == segment.speaker:
            speaker, start, end = turns[-1]
            turns[-1] = (speaker, start, max(end, segment.end))
        else:
            turns.append((segment.speaker, segment.start, segment.end))
    return turns


def _patience(turns: list[tuple[str, float, float]], roles: Mapping[str, str]) -> float | None:
    pauses = [
        max(0.0, cur[1] - prev[2])
        for prev, cur in itertools.pairwise(turns)
        if roles.get(prev[0]) == "prospect" and roles.get(cur[0]) == "rep"
    ]
    return round(sum(pauses) / len(pauses), 2) if pauses else None
