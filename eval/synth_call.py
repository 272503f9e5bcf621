"""Synthesise a dual-channel sales-call recording from a plain-text call script.

The script has one turn per line, ``Rep: ...`` or ``Prospect: ...``; blank lines and lines starting
with ``#`` are ignored. With ``--rep NAME`` the script is instead a ``Name: text`` transcript as the
importer reads it (the team's labelled calls): NAME's turns are the rep's, everyone else's the
prospect's. Each turn is spoken by espeak-ng (a different voice per speaker); the rep is on the LEFT
channel and the prospect on the RIGHT channel, with silence on the other channel, and a short
pseudo-random pause (deterministic for a given seed) between turns. The result is written at
16 kHz in the format given by the output's extension (.ogg Vorbis, .wav, .mp3, .flac) through sox.

Next to the audio a sidecar ``<output>.json`` lists the reference turns,
``[{"speaker": "Rep", "start": s, "end": e, "text": ...}]``, with times in seconds measured from the
real synthesised audio (leading and trailing silence of each utterance trimmed).

Needs the ``espeak-ng`` and ``sox`` executables (``apt-get install espeak-ng sox libsox-fmt-all``).

    python -m eval.synth_call assistant/demo/discovery_call.txt assistant/demo/discovery_call.ogg
    python -m eval.synth_call --rep Maya eval/datasets/team_calls/calls/16-quickstep-couriers-too-small.txt \
        eval/datasets/team_calls/audio/16-quickstep-couriers-too-small.ogg
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingestion.transcript_import import parse_transcript

SAMPLE_RATE = 16_000
SPEAKERS = ("Rep", "Prospect")  # index = channel: 0 = left, 1 = right
DEFAULT_VOICES = {"Rep": "en-us+Linda", "Prospect": "en-us+m3"}
SUPPORTED_FORMATS = {".ogg", ".wav", ".mp3", ".flac"}
_TURN_RE = re.compile(r"^\s*(Rep|Prospect)\s*:\s*(.+?)\s*$")
# Samples below this absolute amplitude (int16 scale, about -50 dBFS) count as silence when trimming.
_SILENCE_THRESHOLD = 100
# Keep this much audio either side of the detected speech so onsets/offsets are not clipped.
_TRIM_MARGIN_S = 0.02
# Spoken-only respellings for words espeak-ng mispronounces; the sidecar keeps the written text.
PRONUNCIATIONS = {"HIPAA": "Hippa"}


class SynthError(RuntimeError):
    """A call script could not be parsed or synthesised."""


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


@dataclass(frozen=True)
class TimedTurn:
    speaker: str
    start: float
    end: float
    text: str

    def as_dict(self) -> dict[str, str | float]:
        return {"speaker": self.speaker, "start": self.start, "end": self.end, "text": self.text}


def parse_script(text: str) -> list[Turn]:
    """Parse ``Rep: ...`` / ``Prospect: ...`` lines into turns; anything else is an error."""
    turns: list[Turn] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _TURN_RE.match(stripped)
        if match is None:
            raise SynthError(f"line {lineno}: expected 'Rep: ...' or 'Prospect: ...', got {stripped[:60]!r}")
        turns.append(Turn(speaker=match.group(1), text=match.group(2)))
    if not turns:
        raise SynthError("the script has no turns")
    return turns


def parse_named_script(text: str, rep: str) -> list[Turn]:
    """Parse a ``Name: text`` transcript with the importer; ``rep`` names the rep, all other speakers are prospects."""
    transcript = parse_transcript(text, filename="script.txt", fmt="txt")
    labels = {track.key: track.label for track in transcript.speakers}
    if rep not in labels.values():
        raise SynthError(f"no speaker named {rep!r} in the script; speakers: {', '.join(sorted(labels.values()))}")
    return [
        Turn(speaker="Rep" if labels[segment.speaker] == rep else "Prospect", text=segment.text)
        for segment in transcript.segments
    ]


def _require_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise SynthError(
            f"missing executable(s): {', '.join(missing)}; install with "
            "'apt-get install -y espeak-ng sox libsox-fmt-all'"
        )


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SynthError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()[:500]}")


def _read_mono_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1 or wav.getframerate() != SAMPLE_RATE:
            raise SynthError(f"unexpected wav format in {path}")
        frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype=np.int16).copy()


def _trim(samples: np.ndarray) -> np.ndarray:
    """Drop leading/trailing silence (espeak-ng pads each utterance), keeping a small margin."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > _SILENCE_THRESHOLD)
    if loud.size == 0:
        return samples[:0]
    margin = int(_TRIM_MARGIN_S * SAMPLE_RATE)
    first = max(0, int(loud[0]) - margin)
    last = min(samples.size, int(loud[-1]) + 1 + margin)
    return samples[first:last]


def spoken_form(text: str) -> str:
    """Apply :data:`PRONUNCIATIONS` (whole words only) to the text handed to the synthesiser."""
    for written, spoken in PRONUNCIATIONS.items():
        text = re.sub(rf"\b{re.escape(written)}\b", spoken, text)
    return text


def synthesise_turn(text: str, voice: str, wpm: int, workdir: Path, index: int) -> np.ndarray:
    """Speak one turn with espeak-ng and return 16 kHz mono int16 samples, silence trimmed."""
    text_file = workdir / f"turn{index:04d}.txt"
    raw_wav = workdir / f"turn{index:04d}.raw.wav"
    wav_16k = workdir / f"turn{index:04d}.wav"
    text_file.write_text(spoken_form(text), encoding="utf-8")
    # -f reads the text from a file, so a turn starting with '-' is never taken for an option.
    _run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(raw_wav), "-f", str(text_file)])
    _run(["sox", str(raw_wav), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(wav_16k)])
    samples = _trim(_read_mono_wav(wav_16k))
    if samples.size == 0:
        raise SynthError(f"espeak-ng produced no audible speech for turn {index + 1}: {text[:60]!r}")
    return samples


def build_call(
    turns: list[Turn],
    voices: dict[str, str],
    wpm: int,
    seed: int,
    min_pause: float,
    max_pause: float,
    lead_in: float,
    workdir: Path,
) -> tuple[np.ndarray, list[TimedTurn]]:
    """Synthesise every turn and lay them out on a stereo timeline (rep left, prospect right)."""
    rng = random.Random(seed)
    clips = [synthesise_turn(turn.text, voices[turn.speaker], wpm, workdir, i) for i, turn in enumerate(turns)]
    pauses = [rng.uniform(min_pause, max_pause) for _ in turns[1:]]
    pause_samples = [round(p * SAMPLE_RATE) for p in pauses]
    lead = round(lead_in * SAMPLE_RATE)
    total = 2 * lead + sum(c.size for c in clips) + sum(pause_samples)
    stereo = np.zeros((total, 2), dtype=np.int16)
    timed: list[TimedTurn] = []
    pos = lead
    for i, (turn, clip) in enumerate(zip(turns, clips, strict=True)):
        channel = SPEAKERS.index(turn.speaker)
        stereo[pos : pos + clip.size, channel] = clip
        timed.append(
            TimedTurn(
                speaker=turn.speaker,
                start=round(pos / SAMPLE_RATE, 3),
                end=round((pos + clip.size) / SAMPLE_RATE, 3),
                text=turn.text,
            )
        )
        pos += clip.size
        if i < len(pause_samples):
            pos += pause_samples[i]
    return stereo, timed


def _write_stereo_wav(path: Path, stereo: np.ndarray) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(np.ascontiguousarray(stereo).tobytes())


def encode(stereo_wav: Path, output: Path, ogg_quality: float, mp3_bitrate: int) -> None:
    """Convert the assembled 16 kHz stereo wav to the output's format with sox."""
    suffix = output.suffix.lower()
    if suffix == ".wav":
        shutil.copyfile(stereo_wav, output)
        return
    args = ["sox", str(stereo_wav)]
    if suffix == ".ogg":
        args += ["-t", "vorbis", "-C", str(ogg_quality)]
    elif suffix == ".mp3":
        args += ["-t", "mp3", "-C", str(mp3_bitrate)]
    elif suffix == ".flac":
        args += ["-t", "flac"]
    else:  # pragma: no cover - checked by the caller
        raise SynthError(f"unsupported output format {suffix!r}")
    _run([*args, str(output)])


def synth_call(
    script: Path,
    output: Path,
    *,
    rep: str | None = None,
    rep_voice: str = DEFAULT_VOICES["Rep"],
    prospect_voice: str = DEFAULT_VOICES["Prospect"],
    wpm: int = 160,
    seed: int = 7,
    min_pause: float = 0.3,
    max_pause: float = 0.8,
    lead_in: float = 0.5,
    ogg_quality: float = 3.0,
    mp3_bitrate: int = 64,
) -> list[TimedTurn]:
    """Synthesise ``script`` into ``output`` and write ``<output>.json``; return the reference turns.

    ``rep`` is the rep's speaker name when the script is a ``Name: text`` transcript."""
    if output.suffix.lower() not in SUPPORTED_FORMATS:
        raise SynthError(f"unsupported output extension {output.suffix!r}; use one of {sorted(SUPPORTED_FORMATS)}")
    if not 0 <= min_pause <= max_pause:
        raise SynthError("pauses must satisfy 0 <= min_pause <= max_pause")
    _require_tools()
    text = script.read_text(encoding="utf-8")
    turns = parse_script(text) if rep is None else parse_named_script(text, rep)
    voices = {"Rep": rep_voice, "Prospect": prospect_voice}
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="synth_call_") as tmp:
        workdir = Path(tmp)
        stereo, timed = build_call(turns, voices, wpm, seed, min_pause, max_pause, lead_in, workdir)
        stereo_wav = workdir / "call.wav"
        _write_stereo_wav(stereo_wav, stereo)
        encode(stereo_wav, output, ogg_quality, mp3_bitrate)
    sidecar = output.with_name(output.name + ".json")
    sidecar.write_text(json.dumps([t.as_dict() for t in timed], indent=2) + "\n", encoding="utf-8")
    return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "script", type=Path, help="call script: one 'Rep: ...' / 'Prospect: ...' line per turn ('Name: ...' with --rep)"
    )
    parser.add_argument("output", type=Path, help="output audio: .ogg (Vorbis), .wav, .mp3 or .flac")
    parser.add_argument(
        "--rep", help="the rep's name when the script is a 'Name: text' transcript (everyone else is the prospect)"
    )
    parser.add_argument("--rep-voice", default=DEFAULT_VOICES["Rep"], help="espeak-ng voice for the rep")
    parser.add_argument("--prospect-voice", default=DEFAULT_VOICES["Prospect"], help="espeak-ng voice for the prospect")
    parser.add_argument("--wpm", type=int, default=160, help="speaking rate in words per minute")
    parser.add_argument("--seed", type=int, default=7, help="seed for the pauses between turns")
    parser.add_argument("--min-pause", type=float, default=0.3, help="shortest pause between turns (s)")
    parser.add_argument("--max-pause", type=float, default=0.8, help="longest pause between turns (s)")
    parser.add_argument(
        "--lead-in", type=float, default=0.5, help="silence before the first turn and after the last (s)"
    )
    parser.add_argument("--ogg-quality", type=float, default=3.0, help="Vorbis quality for .ogg output")
    parser.add_argument("--mp3-bitrate", type=int, default=64, help="bitrate in kbit/s for .mp3 output")
    args = parser.parse_args(argv)
    try:
        timed = synth_call(
            args.script,
            args.output,
            rep=args.rep,
            rep_voice=args.rep_voice,
            prospect_voice=args.prospect_voice,
            wpm=args.wpm,
            seed=args.seed,
            min_pause=args.min_pause,
            max_pause=args.max_pause,
            lead_in=args.lead_in,
            ogg_quality=args.ogg_quality,
            mp3_bitrate=args.mp3_bitrate,
        )
    except SynthError as exc:
        parser.exit(1, f"error: {exc}\n")
    duration = timed[-1].end + args.lead_in
    print(f"wrote {args.output} ({len(timed)} turns, {duration:.1f} s) and {args.output.name}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
