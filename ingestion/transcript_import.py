"""Import calls that were transcribed elsewhere: WebVTT (Zoom, Teams), SubRip, plain 'Speaker: text',
JSON (our own `callsight show --json`, or a list of segments) and CSV with speaker/timestamp/text columns."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InvalidInputError, UnsupportedMediaError
from ingestion.language import detect_language
from ingestion.types import Segment, SpeakerTrack, Transcript

FORMATS = ("vtt", "srt", "txt", "json", "csv")
# Plain text has no times; ~150 spoken words per minute keeps order and relative lengths plausible.
SECONDS_PER_WORD = 60 / 150
DEFAULT_SPEAKER = "Speaker 1"

_TS = r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}")
_SRT_START = re.compile(rf"^\d+\s*\r?\n{_TS}\s*-->")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)*\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>")
# A speaker name: up to four capitalised words ("Dana Ruiz", "Speaker 2", "SPEAKER_00", "Dr. Lee"),
# lower-case particles allowed ("Ana de Souza"). Requiring capitals keeps "the plan is: ..." a sentence.
_NAME_CHARS = "-\\w.'\u2019"  # hyphen first: literal inside a character class
_PARTICLES = "de|da|del|der|di|du|la|le|van|von|bin"
_NAME = rf"(?![a-z])[^\W\d_][{_NAME_CHARS}]*(?:\s+(?:[A-Z0-9][{_NAME_CHARS}()&]*|{_PARTICLES})){{0,3}}"
_SPEAKER_LINE = re.compile(rf"^(?P<name>{_NAME})\s*(?:[\[(](?P<ts>{_TS})[\])])?\s*:(?!//)\s*(?P<text>.*)$")
_LEADING_TS = re.compile(rf"^[\[(]?(?P<ts>{_TS})[\])]?\s*[-\u2013\u2014|]?\s*(?P<rest>.*)$")
# Otter-style header line: "Dana Ruiz  0:03" with the words on the following lines.
_HEADER_LINE = re.compile(rf"^(?P<name>{_NAME})\s+(?P<ts>{_TS})$")


@dataclass
class _Turn:
    speaker: str | None
    text: str
    start: float | None = None
    end: float | None = None


def detect_transcript_format(filename: str, head: bytes) -> str | None:
    """Return the transcript format ("vtt", "srt", "txt", "json", "csv"), or None if the file may be audio."""
    text = _sniff_text(head)
    if text is None:
        return None
    stripped = text.lstrip()
    if stripped.startswith("WEBVTT"):
        return "vtt"
    if _SRT_START.match(stripped):
        return "srt"
    first_line = stripped.split("\n", 1)[0]
    if _TIMING.match(first_line):
        return "srt" if "," in first_line else "vtt"
    # "[" alone would also open a plain-text line such as "[00:01] Rep: hi".
    if stripped.startswith("{") or re.match(r"\[\s*[{\]]", stripped):
        return "json"
    if _csv_columns(first_line) is not None:
        return "csv"
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    return "txt" if suffix == "text" else None


def parse_transcript(data: bytes | str, *, filename: str, fmt: str | None = None) -> Transcript:
    """Parse a transcript file into a `Transcript` whose `source` names the format."""
    text = data if isinstance(data, str) else _decode(data)
    if fmt is None:
        fmt = detect_transcript_format(filename, text.encode("utf-8")[:4096])
    if fmt not in FORMATS:
        raise UnsupportedMediaError(
            f"'{filename}' is not a transcript format we know; use WebVTT (.vtt), SubRip (.srt), "
            "plain text (.txt) with 'Speaker: text' lines, JSON (.json) or CSV (.csv) with speaker, "
            "timestamp and text columns."
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    language = None
    if fmt == "json":
        turns, language = _parse_json(text, filename)
    elif fmt == "csv":
        turns = _parse_csv(text, filename)
    else:
        turns = _parse_cues(text) if fmt in ("vtt", "srt") else _parse_plain(text)
    return _build(turns, source=fmt, filename=filename, language=language)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Windows tools still save UTF-16 with a BOM
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _sniff_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if b"\x00" in head:
        return None
    return head.decode("utf-8-sig", errors="ignore").replace("\r\n", "\n")


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, fraction = groups
    value = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
    return value + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def _parse_cues(text: str) -> list[_Turn]:
    """WebVTT and SubRip share a shape: blocks with an optional id, a timing line, then payload lines."""
    turns: list[_Turn] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines or lines[0].lstrip().startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if timing_at is None:
            continue
        match = _TIMING.match(lines[timing_at])
        assert match is not None  # found just above
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        pieces = _cue_pieces("\n".join(lines[timing_at + 1 :]))
        turns.extend(_spread(pieces, start, max(end, start)))
    return turns


def _cue_pieces(payload: str) -> list[tuple[str | None, str]]:
    """Split a cue's payload by speaker: `<v Name>` voice tags first, else 'Name: text' line prefixes."""
    parts = _VOICE.split(payload)
    pieces: list[tuple[str | None, str]] = []
    tagged = [(None, parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]
    for voice, chunk in tagged:
        clean = html.unescape(_TAG.sub("", chunk))
        if voice is not None:
            pieces.append((voice.strip(), _squash(clean)))
            continue
        for line in clean.split("\n"):
            prefixed = _SPEAKER_LINE.match(line.strip())
            if prefixed:
                pieces.append((prefixed["name"], _squash(prefixed["text"])))
            elif pieces:
                pieces[-1] = (pieces[-1][0], _squash(f"{pieces[-1][1]} {line}"))
            else:
                pieces.append((None, _squash(line)))
    return [(speaker, words) for speaker, words in pieces if words]


def _spread(pieces: list[tuple[str | None, str]], start: float, end: float) -> list[_Turn]:
    """Share one cue's time between its speakers in proportion to their words."""
    total = sum(len(text.split()) for _, text in pieces) or 1
    turns, cursor = [], start
    for speaker, text in pieces:
        length = (end - start) * len(text.split()) / total
        turns.append(_Turn(speaker=speaker, text=text, start=cursor, end=cursor + length))
        cursor += length
    return turns


def _parse_plain(text: str) -> list[_Turn]:
    turns: list[_Turn] = []
    open_turn = False  # whether an un-prefixed line continues the previous turn (no blank line between)
    pending_start: float | None = None  # a timestamp alone on its line dates the next turn
    for raw_line in text.split("\n"):
        line = raw_line.strip()
        if not line:
            open_turn = False
            continue
        header = _HEADER_LINE.match(line)
        if header:
            turns.append(_Turn(header["name"], "", _seconds(_ts_groups(header))))
            open_turn = True
            continue
        start, pending_start = pending_start, None
        leading = _LEADING_TS.match(line)
        if leading and not leading["rest"]:
            pending_start = _seconds(_ts_groups(leading))
            continue
        if leading:
            start, line = _seconds(_ts_groups(leading)), leading["rest"]
        prefixed = _SPEAKER_LINE.match(line)
        if prefixed:
            if prefixed["ts"] and start is None:
                start = _seconds(_ts_groups(prefixed))
            turns.append(_Turn(prefixed["name"], _squash(prefixed["text"]), start))
        elif turns and open_turn and start is None:
            turns[-1].text = _squash(f"{turns[-1].text} {line}")
        else:
            turns.append(_Turn(None, _squash(line), start))
        open_turn = True
    turns = [turn for turn in turns if turn.text]
    _fill_times(turns)
    return turns


def _ts_groups(match: re.Match[str]) -> tuple[str | None, ...]:
    """The four timestamp groups that follow the named `ts` group in a match."""
    index = match.re.groupindex["ts"]  # 1-based group number, so groups()[index] is its first inner group
    return match.groups()[index : index + 4]


def _fill_times(turns: list[_Turn]) -> None:
    """Honour given start times; estimate the rest from word counts, never running past the next start."""
    cursor = 0.0
    for index, turn in enumerate(turns):
        turn.start = cursor if turn.start is None else turn.start
        estimate = turn.start + max(len(turn.text.split()), 1) * SECONDS_PER_WORD
        next_start = next((t.start for t in turns[index + 1 :] if t.start is not None), None)
        later = next_start is not None and next_start > turn.start
        turn.end = min(estimate, next_start) if later and next_start is not None else estimate
        cursor = turn.end


def _build(turns: list[_Turn], *, source: str, filename: str, language: str | None = None) -> Transcript:
    keys: dict[str, str] = {}
    tracks: dict[str, SpeakerTrack] = {}
    segments: list[Segment] = []
    current = DEFAULT_SPEAKER
    for turn in turns:
        # A cue or line without a name continues whoever spoke last (long turns span several cues).
        current = turn.speaker or current
        key = keys.setdefault(current, _slug(current) or f"speaker-{len(keys) + 1}")
        tracks.setdefault(key, SpeakerTrack(key=key, label=current))
        # Millisecond precision, as the formats carry; float sums would otherwise leak (3.2000000000000006).
        start = round(turn.start or 0.0, 3)
        end = round(max(turn.end or start, start), 3)
        segments.append(Segment(start=start, end=end, speaker=key, text=turn.text))
    if not segments:
        raise InvalidInputError(
            f"'{filename}' has no transcript lines we could read; expected timed cues (.vtt/.srt) "
            "or 'Speaker: text' lines (.txt)."
        )
    segments.sort(key=lambda s: s.start)  # stable: cues at the same time keep file order
    duration = max(segment.end for segment in segments)
    language = language or detect_language(" ".join(segment.text for segment in segments))
    return Transcript(
        segments=segments, speakers=list(tracks.values()), duration_s=duration, language=language, source=source
    )


def _slug(name: str) -> str:
    return re.sub(r"[\W_]+", "-", name.lower()).strip("-")


def _squash(text: str) -> str:
    return " ".join(text.split())


# Column names tools use for the three things a transcript row needs (compared case-insensitively).
_CSV_SPEAKER = ("speaker", "speaker_name", "speaker name", "author", "name", "role")
_CSV_START = ("timestamp", "start", "start_time", "start time", "time", "begin", "offset")
_CSV_END = ("end", "end_time", "end time", "stop")
_CSV_TEXT = ("text", "message", "transcript", "content", "utterance", "words")
_JSON_SPEAKER = ("speaker", "speaker_label", "speaker_name", "name", "author")
_JSON_START = ("start", "start_time", "begin", "timestamp", "offset")
_JSON_END = ("end", "end_time", "stop")
_JSON_TEXT = ("text", "content", "transcript", "message", "words")


def _csv_columns(header: str) -> dict[str, int] | None:
    """Where the speaker, start, end and text columns are in a CSV header, or None if it is not one."""
    if "," not in header and ";" not in header and "\t" not in header:
        return None
    delimiter = max(",;\t", key=header.count)
    names = [n.strip().strip('"').lower() for n in next(csv.reader([header], delimiter=delimiter))]
    found = {
        role: next((i for i, n in enumerate(names) if n in aliases), -1)
        for role, aliases in (("speaker", _CSV_SPEAKER), ("start", _CSV_START), ("end", _CSV_END), ("text", _CSV_TEXT))
    }
    return found if found["speaker"] >= 0 and found["text"] >= 0 else None


def _parse_csv(text: str, filename: str) -> list[_Turn]:
    header = text.lstrip().split("\n", 1)[0]
    columns = _csv_columns(header)
    if columns is None:
        raise InvalidInputError(f"'{filename}' needs a header row with 'speaker' and 'text' columns (and 'timestamp').")
    rows = list(csv.reader(io.StringIO(text.lstrip()), delimiter=max(",;\t", key=header.count)))[1:]
    turns: list[_Turn] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(role: str, row: list[str] = row) -> str:
            index = columns[role]
            return row[index].strip() if 0 <= index < len(row) else ""

        turns.append(
            _Turn(
                cell("speaker") or None,
                _squash(cell("text")),
                _time(cell("start"), filename, number),
                _time(cell("end"), filename, number),
            )
        )
    return _timed([turn for turn in turns if turn.text])


def _parse_json(text: str, filename: str) -> tuple[list[_Turn], str | None]:
    """Our own `show --json` (segments with speaker labels), or any list of {speaker, start, end, text}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"'{filename}' is not valid JSON: {exc.msg} (line {exc.lineno}).") from exc
    language = data.get("language") if isinstance(data, dict) else None
    items = data.get("segments", data.get("utterances")) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidInputError(f"'{filename}' must hold a list of segments, or an object with a 'segments' list.")
    turns = []
    for number, item in enumerate(items, start=1):
        speaker = _first(item, _JSON_SPEAKER)
        turns.append(
            _Turn(
                str(speaker) if speaker not in (None, "") else None,
                _squash(str(_first(item, _JSON_TEXT) or "")),
                _time(_first(item, _JSON_START), filename, number),
                _time(_first(item, _JSON_END), filename, number),
            )
        )
    return _timed([turn for turn in turns if turn.text]), language if isinstance(language, str) and language else None


def _timed(turns: list[_Turn]) -> list[_Turn]:
    """Estimate missing times as for plain text, but keep every end time the file gives."""
    given = [turn.end for turn in turns]
    _fill_times(turns)
    for turn, end in zip(turns, given, strict=True):
        if end is not None and turn.start is not None:
            turn.end = max(end, turn.start)
    return turns


def _first(item: Mapping[str, object], keys: tuple[str, ...]) -> object:
    return next((item[k] for k in keys if k in item and item[k] is not None), None)


def _time(value: object, filename: str, row: int) -> float | None:
    """Seconds from a number, "12.5", "01:02:03.5" or "1:02"; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    raw = str(value).strip()
    try:
        return float(raw)
    except ValueError:
        match = re.fullmatch(_TS, raw)
        if match is None:
            raise InvalidInputError(f"'{filename}' row {row}: '{raw}' is not a time (seconds or hh:mm:ss).") from None
        return _seconds(match.groups())
