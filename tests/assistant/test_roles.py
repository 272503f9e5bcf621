"""Rep vs prospect: channel, known rep names, labels, and what was said, each with its confidence."""

from __future__ import annotations

from assistant.roles import assign_roles
from ingestion.types import Segment, SpeakerTrack

TWO = [SpeakerTrack("S1", "Speaker 1"), SpeakerTrack("S2", "Speaker 2")]


def seg(speaker: str, text: str) -> Segment:
    return Segment(0.0, 1.0, speaker, text)


def test_the_rep_channel_decides_with_certainty() -> None:
    tracks = [SpeakerTrack("left", "Left", "left"), SpeakerTrack("right", "Right", "right")]
    roles = assign_roles(tracks, [], rep_channel="right")
    assert (roles["right"].role, roles["left"].role, roles["right"].confidence) == ("rep", "prospect", 1.0)


def test_a_label_that_is_a_known_rep_name_makes_that_speaker_the_rep() -> None:
    tracks = [SpeakerTrack("dana", "Dana Ruiz"), SpeakerTrack("maya", "Maya Lee")]
    roles = assign_roles(tracks, [seg("dana", "What does it cost?")], rep_channel=None, rep_names=["Maya"])
    assert roles["maya"].role == "rep" and roles["dana"].role == "prospect"
    assert roles["maya"].confidence == 0.95


def test_role_words_in_labels_are_used_when_no_name_matches() -> None:
    tracks = [SpeakerTrack("rep", "Rep"), SpeakerTrack("tom", "Tom")]
    roles = assign_roles(tracks, [], rep_channel=None, rep_names=["Someone Else"])
    assert (roles["rep"].role, roles["tom"].role, roles["rep"].confidence) == ("rep", "prospect", 0.9)


def test_who_introduces_the_company_is_the_rep_even_if_the_prospect_asks_more() -> None:
    segments = [
        seg("S1", "Hello?"),
        seg("S2", "Hi, this is Maya from Lumen, thanks for taking the time today."),
        seg("S1", "Sure. Is this going to take long? Who gave you my number?"),
        seg("S2", "Only fifteen minutes. How do you plan your routes today?"),
    ]
    roles = assign_roles(TWO, segments, rep_channel=None)
    assert roles["S2"].role == "rep" and roles["S1"].role == "prospect"
    assert 0.5 < roles["S2"].confidence <= 0.85


def test_discovery_questions_point_to_the_rep_with_a_lower_confidence() -> None:
    segments = [
        seg("S1", "How many dispatchers do you have? What does your process look like today?"),
        seg("S2", "About twelve, and it is mostly spreadsheets."),
        seg("S1", "Who else is involved in the decision?"),
        seg("S2", "Our CFO. Can you send pricing?"),
    ]
    roles = assign_roles(TWO, segments, rep_channel=None)
    assert roles["S1"].role == "rep" and roles["S2"].role == "prospect"
    assert roles["S1"].confidence < 0.85


def test_a_self_introduction_with_a_known_rep_name_counts() -> None:
    segments = [seg("S1", "Hi, I'm Maya."), seg("S2", "Hello.")]
    roles = assign_roles(TWO, segments, rep_channel=None, rep_names=["maya"])
    assert roles["S1"].role == "rep"


def test_no_evidence_means_unknown_with_zero_confidence() -> None:
    roles = assign_roles(TWO, [seg("S1", "Okay."), seg("S2", "Right.")], rep_channel=None)
    assert {r.role for r in roles.values()} == {"unknown"}
    assert {r.confidence for r in roles.values()} == {0.0}
    single = assign_roles(TWO[:1], [seg("S1", "How are you?")], rep_channel=None)
    assert single["S1"].role == "unknown"


def test_a_prospect_naming_their_current_vendor_is_not_an_introduction() -> None:
    segments = [
        seg("S1", "Could you tell me who insures your car today? How long have you been with them?"),
        seg("S2", "I'm with State Farm. We have been with them for years."),
    ]
    roles = assign_roles(TWO, segments, rep_channel=None)
    assert roles["S1"].role == "rep"
