"""Who is the rep and who is the prospect, with how sure we are.

Evidence, strongest first: the rep's channel on dual-channel audio (certain); a speaker label that is a
known rep's name (the call's metadata, the team's rep list); a label such as "Rep" or "Customer"; then
what was said: who introduces themselves and the company, who thanks the other for their time, and
who asks the discovery questions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingestion.types import Segment, SpeakerTrack

REP_WORDS = ("rep", "sales", "seller", "account executive", "ae", "agent")
PROSPECT_WORDS = ("prospect", "customer", "client", "buyer", "lead")

# How a rep opens: "this is Maya from Lumen", "Hi Kurt, Ben from Sentra", "calling from", "here at Lumen".
# A capitalised name or company, or an anonymiser's placeholder such as "[ORGANIZATION]".
_NAME = r"(?!(?:I|I'm|We|We're|It|It's|That|This)\b)(?:[A-Z][\w'-]+|\[[A-Z_]+\])"
_COMPANY_INTRO = re.compile(
    rf"\b(?:[Tt]his is|I'm|I am|[Mm]y name is|[Ii]t's)\s+{_NAME}(?:\s+{_NAME})?\s+(?:from|with|at|here at)\s+{_NAME}"
    rf"|(?:^|[,.!?]\s+){_NAME}(?: {_NAME})? (?:from|with|here at) {_NAME}"
    rf"|\b(?:[Cc]alling|[Rr]eaching out) from\b|\bhere at {_NAME}"
)
# Thanking the other side for their time: reps do it more, but prospects do too, so it weighs less.
_THANKS = re.compile(
    r"\bthanks? (?:you )?(?:so much )?for (?:taking|joining|making|finding|setting) "
    r"(?:the |some |this )?(?:time|call|up)",
    re.IGNORECASE,
)
# Discovery: open questions about the prospect's situation, team, budget, process and timing.
_DISCOVERY = re.compile(
    r"\b(?:how (?:do|does|are|is|many|much|often|long)|what (?:does|do|is|are|made|would)|tell me|walk me"
    r"|who (?:else|is|makes)|when (?:do|would|are)|why (?:did|do)|budget|timeline|decision|currently|today)\b",
    re.IGNORECASE,
)
INTRO_CONFIDENCE = 0.85
QUESTIONS_CONFIDENCE = 0.7
_QUESTION = re.compile(r"[^.?!]*\?")


@dataclass(frozen=True)
class RoleAssignment:
    role: str  # rep | prospect | unknown
    confidence: float


def assign_roles(
    speakers: list[SpeakerTrack],
    segments: list[Segment],
    *,
    rep_channel: str | None,
    rep_names: Sequence[str] = (),
) -> dict[str, RoleAssignment]:
    """Roles by speaker key, from the first kind of evidence that decides (see the module docstring)."""
    if rep_channel and any(s.channel == rep_channel for s in speakers):
        return {s.key: RoleAssignment("rep" if s.channel == rep_channel else "prospect", 1.0) for s in speakers}
    names = [n.strip().lower() for n in rep_names if n and n.strip()]
    named = [s for s in speakers if any(_is_name(s.label, n) for n in names)]
    if len(named) == 1 and len(speakers) > 1:
        return {s.key: RoleAssignment("rep" if s is named[0] else "prospect", 0.95) for s in speakers}
    by_label = {s.key: _role_from_label(s.label) for s in speakers}
    if "rep" in by_label.values() and len(speakers) > 1:
        return {k: RoleAssignment(v or "prospect", 0.9) for k, v in by_label.items()}
    return _roles_from_content(speakers, segments, names)


def _is_name(label: str, name: str) -> bool:
    """True when the label is the name, or the name's first word is the label's first word ("Maya Lee")."""
    text = label.strip().lower()
    return text == name or (bool(text.split()) and text.split()[0] == name.split()[0])


def _role_from_label(label: str) -> str | None:
    text = label.strip().lower()
    if any(text == w or text.startswith(w + " ") for w in REP_WORDS):
        return "rep"
    if any(text == w or text.startswith(w + " ") for w in PROSPECT_WORDS):
        return "prospect"
    return None


def intro_score(texts: Sequence[str], rep_names: Sequence[str] = ()) -> float:
    """How much a speaker introduces themselves and their company ("this is Maya from Lumen")."""
    score = 0.0
    for text in texts:
        lowered = text.lower()
        score += 1.0 * len(_COMPANY_INTRO.findall(text)) + 0.3 * len(_THANKS.findall(text))
        score += sum(
            1 for n in rep_names if re.search(rf"\b(?:this is|i'm|i am|my name is|^)\s*{re.escape(n)}\b", lowered)
        )
    return score


def discovery_score(texts: Sequence[str]) -> float:
    """How much a speaker runs discovery: questions, more for open ones about the other's situation."""
    return sum(
        1.0 + (0.5 if _DISCOVERY.search(question) else 0.0) for text in texts for question in _QUESTION.findall(text)
    )


def _roles_from_content(
    speakers: list[SpeakerTrack], segments: list[Segment], rep_names: Sequence[str]
) -> dict[str, RoleAssignment]:
    """The speaker who introduces the company is the rep; if nobody stands out, the one who asks most."""
    unknown = {s.key: RoleAssignment("unknown", 0.0) for s in speakers}
    if len(speakers) < 2:
        return unknown
    texts = {s.key: [seg.text for seg in segments if seg.speaker == s.key] for s in speakers}
    for score, ceiling in (
        (lambda k: intro_score(texts[k], rep_names), INTRO_CONFIDENCE),
        (lambda k: discovery_score(texts[k]), QUESTIONS_CONFIDENCE),
    ):
        scores = {key: score(key) for key in texts}
        ranked = sorted(scores, key=lambda k: scores[k], reverse=True)
        best, runner_up = scores[ranked[0]], scores[ranked[1]]
        if best > runner_up:
            # A clear lead earns up to the ceiling; a narrow one stays nearer a coin flip.
            confidence = round(0.5 + (ceiling - 0.5) * (best - runner_up) / best, 2)
            return {k: RoleAssignment("rep" if k == ranked[0] else "prospect", confidence) for k in scores}
    return unknown
