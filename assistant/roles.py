"""Who is the rep and who is the prospect, with how sure we are."""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.types import Segment, SpeakerTrack

REP_WORDS = ("rep", "sales", "seller", "account executive", "ae")
PROSPECT_WORDS = ("prospect", "customer", "client", "buyer", "lead")


@dataclass(frozen=True)
class RoleAssignment:
    role: str  # rep | prospect | unknown
    confidence: float


def assign_roles(
    speakers: list[SpeakerTrack],
    segments: list[Segment],
    *,
    rep_channel: str | None,
    rep_name: str | None,
) -> dict[str, RoleAssignment]:
    """Roles by speaker key: from the rep's channel, the rep's name, labels like "Rep:", then questions asked."""
    if rep_channel and any(s.channel == rep_channel for s in speakers):
        return {s.key: RoleAssignment("rep" if s.channel == rep_channel else "prospect", 1.0) for s in speakers}
    if rep_name:
        wanted = rep_name.strip().lower()
        named = [s for s in speakers if s.label.strip().lower() == wanted or wanted in s.label.lower().split()]
        if len(named) == 1:
            return {s.key: RoleAssignment("rep" if s is named[0] else "prospect", 0.95) for s in speakers}
    by_label = {s.key: _role_from_label(s.label) for s in speakers}
    if "rep" in by_label.values() and len(speakers) > 1:
        return {k: RoleAssignment(v or "prospect", 0.9) for k, v in by_label.items()}
    if len(speakers) == 2:
        # Reps run discovery: the speaker who asks more questions is most likely the rep.
        asked = {s.key: sum(seg.text.count("?") for seg in segments if seg.speaker == s.key) for s in speakers}
        first, second = sorted(asked, key=lambda k: asked[k], reverse=True)
        if asked[first] > asked[second]:
            return {first: RoleAssignment("rep", 0.6), second: RoleAssignment("prospect", 0.6)}
    return {s.key: RoleAssignment("unknown", 0.0) for s in speakers}


def _role_from_label(label: str) -> str | None:
    text = label.strip().lower()
    if any(text == w or text.startswith(w + " ") for w in REP_WORDS):
        return "rep"
    if any(text == w or text.startswith(w + " ") for w in PROSPECT_WORDS):
        return "prospect"
    return None
