"""Synthesise short real speech for tests (espeak-ng + sox), so no audio file needs to live in the repo."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import av
import numpy as np
from av.audio.stream import AudioStream

SOX_FORMATS = {".wav", ".mp3", ".ogg", ".flac"}
# Containers sox cannot write; PyAV's bundled FFmpeg encodes these.
PYAV_CODECS = {".m4a": ("ipod", "aac"), ".mp4": ("mp4", "aac"), ".webm": ("webm", "libopus")}


def require_tools() -> None:
    """Fail with a clear message when espeak-ng or sox is missing, instead of an obscure subprocess error."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"tests need {', '.join(missing)}: apt-get install -y espeak-ng sox libsox-fmt-all")


def synth_speech(
    text: str, path: Path, *, voice: str = "en-us", words_per_minute: int = 160, rate: int = 16_000
) -> Path:
    """Speak `text` with espeak-ng into a mono wav at `rate` Hz."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(raw), text], check=True)
    _sox(raw, path, "rate", str(rate))
    raw.unlink()
    return path


def make_stereo(left_wav: Path, right_wav: Path, out: Path, *, right_delay_s: float = 0.0) -> Path:
    """Put one wav on the left channel and another on the right, the right one starting after a delay."""
    delayed = out.with_suffix(".right.wav")
    _sox(right_wav, delayed, "pad", f"{right_delay_s}")
    # -M merges inputs as channels; the shorter one is padded with silence.
    subprocess.run(["sox", "-D", "-M", str(left_wav), str(delayed), str(out)], check=True)
    delayed.unlink()
    return out


def two_voice_call(folder: Path, rep: str, prospect: str, *, prospect_starts_s: float, name: str = "call.wav") -> Path:
    """A dual-channel call: `rep` spoken on the left, `prospect` in another voice on the right from
    `prospect_starts_s` seconds."""
    require_tools()
    rep_wav = synth_speech(rep, folder / "rep.wav")
    prospect_wav = synth_speech(prospect, folder / "prospect.wav", voice="en-us+f3")
    return make_stereo(rep_wav, prospect_wav, folder / name, right_delay_s=prospect_starts_s)


def concat(parts: Iterable[Path], out: Path, *, gap_s: float = 0.5) -> Path:
    """Join wavs one after another with a pause between them."""
    padded = []
    for index, part in enumerate(parts):
        target = out.with_suffix(f".part{index}.wav")
        _sox(part, target, "pad", "0", f"{gap_s}")
        padded.append(target)
    subprocess.run(["sox", "-D", *map(str, padded), str(out)], check=True)
    for target in padded:
        target.unlink()
    return out


def convert(src: Path, dst: Path) -> Path:
    """Re-encode audio into the format named by `dst`'s suffix (sox, or PyAV for m4a/mp4/webm)."""
    suffix = dst.suffix.lower()
    if suffix in SOX_FORMATS:
        _sox(src, dst)
        return dst
    container_format, codec = PYAV_CODECS[suffix]
    _encode_with_pyav(src, dst, container_format, codec)
    return dst


def write_video_without_audio(path: Path, *, seconds: int = 1) -> Path:
    """A real mp4 that has a picture but no sound track."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(10 * seconds):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def word_recall(expected: str, actual: str) -> float:
    """Share of the expected words (lower-cased, punctuation dropped) that appear in `actual`."""
    expected_words = _words(expected)
    actual_words = set(_words(actual))
    return sum(word in actual_words for word in expected_words) / max(len(expected_words), 1)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _sox(src: Path, dst: Path, *effects: str) -> None:
    # -D: no dither, so the same text always gives the same samples (dither noise is random per run).
    subprocess.run(["sox", "-D", str(src), str(dst), *effects], check=True)


def _encode_with_pyav(src: Path, dst: Path, container_format: str, codec: str) -> None:
    with av.open(str(src)) as source, av.open(str(dst), "w", format=container_format) as target:
        in_stream = source.streams.audio[0]
        rate = 48_000 if codec == "libopus" else in_stream.sample_rate  # Opus only runs at 48 kHz
        # The encoder's own sample format (AAC takes only planar float), chosen before it opens.
        sample_format = (av.Codec(codec, "w").audio_formats or [])[0].name
        # sox writes an unnamed "1 channels" layout that the AAC encoder refuses.
        layout = "mono" if in_stream.channels == 1 else "stereo"
        out_stream = cast(AudioStream, target.add_stream(codec, rate=rate))
        out_stream.layout = layout
        out_stream.format = sample_format
        resampler = av.AudioResampler(format=sample_format, layout=layout, rate=rate)
        for frame in source.decode(in_stream):
            frame.pts = None
            for resampled in resampler.resample(frame):
                target.mux(out_stream.encode(resampled))
        for resampled in resampler.resample(None):
            target.mux(out_stream.encode(resampled))
        target.mux(out_stream.encode(None))
