"""What diarization adds to the real-time factor, and its DER on the public two-speaker sample.

    .venv/bin/python -m eval.bench_diarization [--audio PATH --rttm PATH] [--repeat N]

Times transcription (faster-whisper, the configured model) and diarization (VAD + d-vectors + clustering)
of the same mono audio separately; the figure that matters is diarization seconds / audio seconds."""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from assistant.config import get_settings
from eval.der import diarization_error_rate, read_rttm
from ingestion.decode import SAMPLE_RATE, load_channels
from ingestion.diarize import Diarizer
from ingestion.speaker_embedding import SpeakerEmbedder, resolve_speaker_model
from ingestion.transcribe import Transcriber, resolve_whisper_model

PUBLIC_AUDIO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "public" / "audio"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audio", type=Path, default=PUBLIC_AUDIO / "pyannote_sample.wav")
    parser.add_argument("--rttm", type=Path, default=PUBLIC_AUDIO / "pyannote_sample.rttm")
    parser.add_argument("--repeat", type=int, default=5, help="diarization runs to average (the audio is short)")
    args = parser.parse_args()
    settings = get_settings()
    audio = load_channels(args.audio, split_stereo=False, max_duration_s=settings.max_audio_minutes * 60.0)[0]
    seconds = len(audio) / SAMPLE_RATE

    transcriber = Transcriber(
        resolve_whisper_model(settings.whisper_model),
        compute_type=settings.whisper_compute_type,
        cpu_threads=settings.whisper_threads,
        beam_size=settings.whisper_beam_size,
    )
    transcriber.transcribe(audio[: SAMPLE_RATE * 2], speaker="S1")  # load the model outside the timing
    started = time.perf_counter()
    segments, _ = transcriber.transcribe(audio, speaker="S1")
    transcribe_s = time.perf_counter() - started

    diarizer = Diarizer(
        SpeakerEmbedder(resolve_speaker_model()), num_speakers=settings.num_speakers, max_speakers=settings.max_speakers
    )
    diarizer.turns(audio[: SAMPLE_RATE * 2])  # load the ONNX session outside the timing
    started = time.perf_counter()
    for _ in range(args.repeat):  # the whole assigner: turns, then words to speakers and segment splits
        diarizer(audio, [replace(s) for s in segments])
    diarize_s = (time.perf_counter() - started) / args.repeat
    turns = diarizer.turns(audio)

    print(f"audio {seconds:.1f} s: {args.audio.name}")
    print(f"transcription  {transcribe_s:6.2f} s  real-time factor {transcribe_s / seconds:.3f}")
    print(f"diarization    {diarize_s:6.2f} s  real-time factor {diarize_s / seconds:.3f}  (added to the above)")
    print(f"speakers found {len({t.speaker for t in turns})}")
    if args.rttm.is_file():
        hypothesis = [(t.start, t.end, str(t.speaker)) for t in turns]
        for collar in (0.25, 0.0):
            result = diarization_error_rate(read_rttm(args.rttm), hypothesis, collar=collar)
            print(
                f"DER (collar {collar} s) {result.der:.1%}: missed {result.missed:.2f} s, false alarm "
                f"{result.false_alarm:.2f} s, confusion {result.confusion:.2f} s of {result.reference_speech:.2f} s"
            )


if __name__ == "__main__":
    main()
