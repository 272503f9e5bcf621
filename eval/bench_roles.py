"""How often rep-vs-prospect is right when speakers have no names (as after mono diarization).

    .venv/bin/python -m eval.bench_roles [--dataset team_calls agentune] [--audio N]

Each labelled call's speakers are renamed "Speaker 1", "Speaker 2", ... in order of appearance, so only
what was said can decide; a second pass also gives the rep's first name as a known rep (metadata/CRM).
A call counts as right when the labelled rep, and only the rep, is assigned "rep".

With `--audio N`, the first N two-person team calls are also synthesised (espeak-ng, two voices), mixed
down to ONE channel, transcribed and diarized, and the roles judged on the diarized speakers: the rep is
the diarized speaker who overlaps the reference rep turns most. Also prints each call's DER (0.25 s collar)."""

from __future__ import annotations

import argparse
import tempfile
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.config import get_settings
from assistant.roles import assign_roles
from eval.der import diarization_error_rate
from eval.harness.datasets import EvalCall, load
from eval.synth_call import DEFAULT_VOICES, SAMPLE_RATE, Turn, build_call
from ingestion.audio_pipeline import transcribe_recording
from ingestion.diarize import Diarizer
from ingestion.speaker_embedding import SpeakerEmbedder, resolve_speaker_model
from ingestion.transcribe import Transcriber, resolve_whisper_model
from ingestion.transcript_import import parse_transcript


def judge(content: bytes, filename: str, rep: str, *, with_names: bool) -> str:
    """ "right", "wrong" or "unknown" for one call."""
    transcript = parse_transcript(content, filename=filename)
    truth = {t.key: t.label.split()[0].lower() == rep.split()[0].lower() for t in transcript.speakers}
    anonymous = [replace(t, label=f"Speaker {n + 1}") for n, t in enumerate(transcript.speakers)]
    names = [rep.split()[0]] if with_names else []
    roles = assign_roles(anonymous, transcript.segments, rep_channel=None, rep_names=names)
    if all(r.role == "unknown" for r in roles.values()):
        return "unknown"
    right = all((roles[key].role == "rep") == is_rep for key, is_rep in truth.items())
    return "right" if right else "wrong"


def judge_audio(call: EvalCall, transcriber: Transcriber, diarizer: Diarizer, workdir: Path) -> tuple[str, float]:
    """Synthesise the call to mono, transcribe and diarize it; the role verdict and the DER."""
    script = parse_transcript(call.content, filename=call.filename)
    rep = call.metadata["rep"].split()[0].lower()
    rep_keys = {t.key for t in script.speakers if t.label.split()[0].lower() == rep}
    turns = [Turn("Rep" if seg.speaker in rep_keys else "Prospect", seg.text) for seg in script.segments]
    stereo, timed = build_call(turns, DEFAULT_VOICES, 160, 7, 0.3, 0.8, 0.5, workdir)
    path = workdir / f"{call.key}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((stereo.astype(np.int32).sum(axis=1) // 2).astype(np.int16).tobytes())
    result = transcribe_recording(path, transcriber, rep_channel=None, max_duration_s=3600, assign_speakers=diarizer)
    hypothesis = [(s.start, s.end, s.speaker) for s in result.segments]
    reference = [(t.start, t.end, t.speaker) for t in timed]
    overlap = {
        key: sum(
            max(0.0, min(e, te) - max(s, ts))
            for s, e, k in hypothesis
            if k == key
            for ts, te, who in reference
            if who == "Rep"
        )
        for key in {k for *_, k in hypothesis}
    }
    true_rep = max(overlap, key=lambda k: overlap[k])
    roles = assign_roles(result.speakers, result.segments, rep_channel=None)
    if all(r.role == "unknown" for r in roles.values()):
        verdict = "unknown"
    else:
        verdict = "right" if all((r.role == "rep") == (k == true_rep) for k, r in roles.items()) else "wrong"
    return verdict, diarization_error_rate(reference, hypothesis, collar=0.25).der


def audio_report(count: int) -> None:
    settings = get_settings()
    transcriber = Transcriber(resolve_whisper_model(settings.whisper_model), beam_size=settings.whisper_beam_size)
    diarizer = Diarizer(SpeakerEmbedder(resolve_speaker_model()), max_speakers=settings.max_speakers)
    two_person = [c for c in load("team_calls") if len(parse_transcript(c.content, filename=c.filename).speakers) == 2]
    verdicts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_roles_") as tmp:
        for call in two_person[:count]:
            verdict, der = judge_audio(call, transcriber, diarizer, Path(tmp))
            verdicts.append(verdict)
            print(f"  {call.key:<44} roles {verdict:<7} DER {der:.1%}")
    print(f"team_calls mono audio, diarized: roles right {verdicts.count('right')}/{len(verdicts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", nargs="+", default=["team_calls", "agentune"])
    parser.add_argument("--audio", type=int, default=0, help="also synthesise and diarize this many team calls")
    args = parser.parse_args()
    for name in args.dataset:
        calls = list(load(name))
        for with_names in (False, True):
            verdicts = [judge(c.content, c.filename, c.metadata["rep"], with_names=with_names) for c in calls]
            wrong = [c.key for c, v in zip(calls, verdicts, strict=True) if v == "wrong"]
            print(
                f"{name:<12} {'content + rep name' if with_names else 'content only':<19} "
                f"right {verdicts.count('right')}/{len(calls)}  unknown {verdicts.count('unknown')}  "
                f"wrong {len(wrong)}" + (f"  ({', '.join(wrong[:5])})" if wrong else "")
            )
    if args.audio:
        audio_report(args.audio)


if __name__ == "__main__":
    main()
