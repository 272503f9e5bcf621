"""JSON and CSV transcripts: our own `show --json` round-trips, CSV columns by name, clear errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.errors import InvalidInputError
from ingestion.language import detect_language
from ingestion.transcript_import import detect_transcript_format, parse_transcript

SHOWN: dict[str, Any] = {
    "id": "abc",
    "title": "Intro",
    "language": "de",
    "speakers": [{"id": 1, "key": "maya", "label": "Maya", "role": "rep"}],
    "segments": [
        {"start": 0.0, "end": 2.5, "speaker": "Maya", "role": "rep", "text": "Guten Tag, wie geht es Ihnen?"},
        {
            "start": 2.5,
            "end": 6.0,
            "speaker": "Tom Berg",
            "role": "prospect",
            "text": "Gut, danke. Der Preis ist hoch.",
        },
    ],
}


def test_our_own_show_json_round_trips() -> None:
    transcript = parse_transcript(json.dumps(SHOWN, indent=2), filename="call.json")
    assert transcript.source == "json"
    assert transcript.language == "de"
    assert [s.label for s in transcript.speakers] == ["Maya", "Tom Berg"]
    back = [
        {
            "start": s.start,
            "end": s.end,
            "speaker": next(t.label for t in transcript.speakers if t.key == s.speaker),
            "text": s.text,
        }
        for s in transcript.segments
    ]
    assert back == [{k: seg[k] for k in ("start", "end", "speaker", "text")} for seg in SHOWN["segments"]]


def test_a_bare_json_list_of_segments_is_accepted_and_missing_times_are_estimated() -> None:
    data = [{"speaker": "A", "text": "one two three"}, {"speaker": "B", "start": "00:05", "text": "four"}]
    transcript = parse_transcript(json.dumps(data), filename="export")
    assert [s.start for s in transcript.segments] == [0.0, 5.0]
    assert transcript.segments[0].end == pytest.approx(1.2)


def test_csv_with_speaker_timestamp_and_text_columns() -> None:
    text = 'Timestamp,Speaker,Text\n00:00:01,Maya,"Hi Tom, thanks for joining."\n00:00:04.5,Tom,Happy to be here.\n'
    assert detect_transcript_format("notes.txt", text.encode()) == "csv"
    transcript = parse_transcript(text, filename="call.csv")
    assert [(s.start, s.text) for s in transcript.segments] == [
        (1.0, "Hi Tom, thanks for joining."),
        (4.5, "Happy to be here."),
    ]
    assert [t.label for t in transcript.speakers] == ["Maya", "Tom"]
    assert transcript.segments[0].end == 3.0  # no end column: 5 words at 150 wpm, never past the next start


def test_csv_with_start_and_end_seconds_and_semicolons() -> None:
    transcript = parse_transcript("speaker;start;end;text\nA;0;1.5;Hello\nB;2;3;Hi\n", filename="x.csv")
    assert [(s.start, s.end) for s in transcript.segments] == [(0.0, 1.5), (2.0, 3.0)]


def test_bad_json_and_csv_give_clear_errors() -> None:
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        parse_transcript('{"segments": [', filename="a.json")
    with pytest.raises(InvalidInputError, match="list of segments"):
        parse_transcript('{"segments": "nope"}', filename="a.json")
    with pytest.raises(InvalidInputError, match="not a time"):
        parse_transcript("speaker,timestamp,text\nA,yesterday,hi\n", filename="a.csv")
    with pytest.raises(InvalidInputError, match="speaker' and 'text"):
        parse_transcript("who,said\nA,hi\n", filename="a.csv")


def test_a_plain_text_line_opening_with_a_bracketed_time_is_not_json() -> None:
    assert detect_transcript_format("call.txt", b"[00:01] Rep: hello") == "txt"


def test_the_language_of_an_imported_transcript_is_detected() -> None:
    transcript = parse_transcript(
        "Rep: Hola, ¿cómo está usted? Queremos hablar de los precios.\nCliente: Es muy caro para nosotros.\n",
        filename="c.txt",
    )
    assert transcript.language == "es"
    assert detect_language("Thanks for joining, what is your budget for this?") == "en"
    assert detect_language("") == "en"
