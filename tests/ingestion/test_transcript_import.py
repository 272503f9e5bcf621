"""Importing transcripts made elsewhere: Teams/Zoom WebVTT, SubRip, and plain 'Speaker: text' files."""

from __future__ import annotations

import pytest

from assistant.errors import InvalidInputError, UnsupportedMediaError
from ingestion import SpeakerTrack, Transcript, detect_transcript_format, parse_transcript

TEAMS_VTT = """\
WEBVTT

NOTE
Exported from Microsoft Teams. Speaker names come from the meeting roster.

3f9c1a2b-5d1e-4c61-9a7f-2b8d0e1c4a11/12-0
00:00:01.250 --> 00:00:04.900
<v Dana Ruiz>Thanks for making time today. I want to walk you</v>

3f9c1a2b-5d1e-4c61-9a7f-2b8d0e1c4a11/13-0
00:00:04.900 --> 00:00:07.100 align:start position:10%
<v Dana Ruiz>through where dispatch is hurting us.</v>

3f9c1a2b-5d1e-4c61-9a7f-2b8d0e1c4a11/14-0
00:00:07.500 --> 00:00:12.000
<v.loud Sam O'Neil>Happy to. What does that cost you &amp; the team?</v>
<v Dana Ruiz>About two hours a day.</v>

00:00:12.000 --> 00:00:14.000
<v Sam O'Neil>Got it. And who signs off on a purchase
like this one?</v>
"""

ZOOM_VTT = """\
WEBVTT

1
00:00:00.000 --> 00:00:03.500
Priya Patel: Hi everyone, can you hear me?

2
00:03.500 --> 00:07.250
Alex Chen: Loud and clear. Shall we start with pricing?

3
01:02:03.000 --> 01:02:05.000
Alex Chen: Last point before we wrap up.
"""

SRT = """\
1
00:00:00,000 --> 00:00:03,200
Alex Chen: Hi, this is Alex from Callsight.

2
00:00:03,400 --> 00:00:06,000
Priya: Hi Alex. We looked at Acme as well.

3
00:00:06,100 --> 00:00:08,000
Their pricing was <i>lower</i>, to be honest.
"""

SRT_WITHOUT_NAMES = """\
1
00:00:00,500 --> 00:00:02,000
Can everyone see my screen?

2
00:00:02,500 --> 00:00:04,000
Yes, we can.
"""

PLAIN = """\
Alex Chen: Thanks for joining. How is dispatch going today?
Priya Patel: Honestly it is a mess. We lose two hours a day
re-keying orders from email.

Alex Chen: Who else would be involved in choosing a tool?
Priya Patel: Our CFO signs anything above ten thousand.
"""

PLAIN_TIMESTAMPED = """\
[00:00:05] Alex: Hello there, thanks for joining.
[00:00:09] Priya: Good to meet you.
00:01:10 Alex: Let's talk about the budget for this year.
Priya (00:01:20): We set aside some money in the spring.
"""

OTTER = """\
Dana Ruiz  0:03
Thanks for making time today.

Sam Lee  0:09
Happy to. Tell me about dispatch.
It sounds painful.
"""


def _turns(transcript: Transcript) -> list[tuple[str, str]]:
    return [(segment.speaker, segment.text) for segment in transcript.segments]


def test_teams_vtt_voice_tags_become_named_speakers():
    transcript = parse_transcript(TEAMS_VTT.encode(), filename="teams.vtt")

    assert transcript.source == "vtt"
    assert transcript.speakers == [
        SpeakerTrack(key="dana-ruiz", label="Dana Ruiz"),
        SpeakerTrack(key="sam-o-neil", label="Sam O'Neil"),
    ]
    assert _turns(transcript) == [
        ("dana-ruiz", "Thanks for making time today. I want to walk you"),
        ("dana-ruiz", "through where dispatch is hurting us."),
        ("sam-o-neil", "Happy to. What does that cost you & the team?"),
        ("dana-ruiz", "About two hours a day."),
        ("sam-o-neil", "Got it. And who signs off on a purchase like this one?"),
    ]


def test_vtt_cue_with_two_voices_shares_its_time_by_word_count():
    transcript = parse_transcript(TEAMS_VTT.encode(), filename="teams.vtt")
    sam, dana = transcript.segments[2], transcript.segments[3]

    assert (sam.start, dana.end) == (7.5, 12.0)
    assert sam.end == dana.start
    assert sam.end - sam.start > dana.end - dana.start  # ten words against five
    assert transcript.duration_s == 14.0


def test_zoom_vtt_name_prefixes_and_short_and_long_timestamps():
    transcript = parse_transcript(ZOOM_VTT.encode(), filename="zoom.vtt")

    assert [track.label for track in transcript.speakers] == ["Priya Patel", "Alex Chen"]
    assert _turns(transcript)[1] == ("alex-chen", "Loud and clear. Shall we start with pricing?")
    assert [(s.start, s.end) for s in transcript.segments] == [(0.0, 3.5), (3.5, 7.25), (3723.0, 3725.0)]


def test_srt_speaker_prefixes_tags_and_continuation():
    transcript = parse_transcript(SRT.encode("utf-8-sig"), filename="call.srt")

    assert transcript.source == "srt"
    assert _turns(transcript) == [
        ("alex-chen", "Hi, this is Alex from Callsight."),
        ("priya", "Hi Alex. We looked at Acme as well."),
        ("priya", "Their pricing was lower, to be honest."),
    ]
    assert (transcript.segments[1].start, transcript.segments[1].end) == (3.4, 6.0)


def test_srt_without_names_is_one_default_speaker():
    transcript = parse_transcript(SRT_WITHOUT_NAMES.encode(), filename="call.srt")

    assert transcript.speakers == [SpeakerTrack(key="speaker-1", label="Speaker 1")]
    assert [segment.text for segment in transcript.segments] == [
        "Can everyone see my screen?",
        "Yes, we can.",
    ]


def test_plain_text_turns_join_wrapped_lines_and_get_plausible_times():
    transcript = parse_transcript(PLAIN.encode(), filename="notes.txt")

    assert transcript.source == "txt"
    assert _turns(transcript)[1] == (
        "priya-patel",
        "Honestly it is a mess. We lose two hours a day re-keying orders from email.",
    )
    starts = [segment.start for segment in transcript.segments]
    assert starts == sorted(starts) and starts[0] == 0.0
    # ~150 words a minute: the 15-word turn lasts 6 s, and each turn starts where the last ended.
    assert transcript.segments[1].end - transcript.segments[1].start == pytest.approx(15 * 0.4)
    assert all(a.end == b.start for a, b in zip(transcript.segments, transcript.segments[1:], strict=False))


def test_plain_text_timestamps_are_honoured_in_any_common_position():
    transcript = parse_transcript(PLAIN_TIMESTAMPED, filename="notes.txt")

    assert [(s.speaker, s.start) for s in transcript.segments] == [
        ("alex", 5.0),
        ("priya", 9.0),
        ("alex", 70.0),
        ("priya", 80.0),
    ]
    assert transcript.segments[0].end <= transcript.segments[1].start


def test_otter_style_headers_name_the_speaker_of_the_following_lines():
    transcript = parse_transcript(OTTER, filename="otter.txt")

    assert _turns(transcript) == [
        ("dana-ruiz", "Thanks for making time today."),
        ("sam-lee", "Happy to. Tell me about dispatch. It sounds painful."),
    ]
    assert [segment.start for segment in transcript.segments] == [3.0, 9.0]


def test_a_sentence_with_a_colon_is_not_mistaken_for_a_speaker():
    transcript = parse_transcript("Alex: the plan is simple: we ship in May.\n", filename="notes.txt")

    assert _turns(transcript) == [("alex", "the plan is simple: we ship in May.")]


def test_windows_utf16_export_is_read():
    transcript = parse_transcript(PLAIN.replace("\n", "\r\n").encode("utf-16"), filename="notes.txt")

    assert len(transcript.segments) == 4


def test_transcript_without_any_lines_is_invalid_input():
    with pytest.raises(InvalidInputError, match=r"'empty\.vtt' has no transcript lines"):
        parse_transcript(b"WEBVTT\n\nNOTE nothing was said\n", filename="empty.vtt")


def test_unknown_format_is_unsupported():
    with pytest.raises(UnsupportedMediaError, match=r"'minutes\.docx' is not a transcript format"):
        parse_transcript(b"PK\x03\x04\x00\x00binary", filename="minutes.docx")


@pytest.mark.parametrize(
    ("filename", "head", "expected"),
    [
        ("call.vtt", TEAMS_VTT.encode()[:64], "vtt"),
        ("export", "\ufeffWEBVTT\n\n".encode(), "vtt"),
        ("call.bin", SRT.encode(), "srt"),
        ("call.txt", SRT.encode(), "srt"),
        ("call.srt", b"", "srt"),
        ("notes.txt", PLAIN.encode(), "txt"),
        ("notes.TXT", PLAIN.encode(), "txt"),
        ("call.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        ("call.mp3", b"ID3\x04\x00\x00\x00\x00\x00", None),
        ("call.wav", b"Rep: hello, this is text", None),
        ("notes.txt", b"\x00\x01\x02binary", None),
    ],
)
def test_detect_transcript_format(filename: str, head: bytes, expected: str | None):
    assert detect_transcript_format(filename, head) == expected
