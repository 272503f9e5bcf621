"""Audio decoding through PyAV's bundled FFmpeg: probe a file, then load it as 16 kHz mono float32."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from faster_whisper.audio import decode_audio

from assistant.errors import CorruptMediaError, InvalidInputError, UnsupportedMediaError

SAMPLE_RATE = 16_000
# No call is shorter than this; a cut-off upload often still decodes to a few frames (a tenth of a second).
MIN_AUDIO_S = 0.5
# Signatures of the containers we accept. A file that starts like one of these but does not decode is
# damaged (CorruptMediaError); anything else that FFmpeg rejects is simply not audio (UnsupportedMediaError).
_AUDIO_MAGIC: tuple[bytes, ...] = (b"RIFF", b"ID3", b"OggS", b"fLaC", b"\x1a\x45\xdf\xa3", b"FORM", b"caff")


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds before we decode it. `duration_s` is None when the container does not say."""

    duration_s: float | None
    channels: int
    sample_rate: int
    codec: str
    container: str


def probe(path: Path, *, name: str | None = None) -> AudioInfo:
    """Read the container header and first audio frame; raise a domain error if it is not usable audio.

    `name` is the file name the user knows, used in messages (stored files are named by their hash).
    """
    path = Path(path)
    name = name or path.name
    if path.stat().st_size == 0:
        raise CorruptMediaError(f"'{name}' is empty (0 bytes); the upload may have failed.")
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UnsupportedMediaError(f"'{name}' has no audio track; upload an audio or video file with sound.")
            stream = container.streams.audio[0]
            # Decoding one frame proves the stream is real; headers alone survive a cut-off upload.
            first = _first_frame(container, stream)
            if first is None:
                raise CorruptMediaError(f"'{name}' contains no decodable audio; the file may be truncated.")
            info = AudioInfo(
                duration_s=_duration(container, stream),
                channels=first.layout.nb_channels or stream.channels,
                sample_rate=first.sample_rate or stream.sample_rate,
                codec=stream.codec_context.name,
                container=container.format.name,
            )
    except av.error.FFmpegError as exc:
        raise _open_error(path, name) from exc
    _check_wav_length(path, name, info)
    return info


def load_channels(
    path: Path, *, split_stereo: bool, max_duration_s: float | None = None, name: str | None = None
) -> list[np.ndarray]:
    """Decode to float32 16 kHz arrays: one per channel if `split_stereo` and the file is stereo, else one."""
    path = Path(path)
    name = name or path.name
    info = probe(path, name=name)
    check_duration(name, info.duration_s, max_duration_s)
    split = split_stereo and info.channels == 2
    try:
        decoded = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=split)
    except av.error.FFmpegError as exc:
        raise CorruptMediaError(f"'{name}' could not be decoded ({exc.strerror}).") from exc
    channels = list(decoded) if split else [decoded]
    decoded_s = len(channels[0]) / SAMPLE_RATE
    if decoded_s < MIN_AUDIO_S:
        raise CorruptMediaError(f"'{name}' holds only {decoded_s:.1f} s of decodable audio; the file may be truncated.")
    # Some containers (browser-recorded WebM) carry no duration, so the limit is checked again here.
    check_duration(name, decoded_s, max_duration_s)
    return [np.ascontiguousarray(channel, dtype=np.float32) for channel in channels]


def check_duration(name: str, duration_s: float | None, max_duration_s: float | None) -> None:
    """Raise InvalidInputError if a known duration exceeds the limit."""
    if duration_s is not None and max_duration_s is not None and duration_s > max_duration_s:
        raise InvalidInputError(f"'{name}' is {_human(duration_s)} long; the limit is {_human(max_duration_s)}.")


def check_channels(name: str, channels: int, max_channels: int) -> None:
    """Raise InvalidInputError for more channels than a call recording has (a multitrack or surround file)."""
    if channels > max_channels:
        raise InvalidInputError(
            f"'{name}' has {channels} audio channels; the limit is {max_channels} "
            "(mono, or stereo with one speaker per channel)."
        )


def _first_frame(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> av.AudioFrame | None:
    for packet in container.demux(stream):
        try:
            for frame in packet.decode():
                return frame
        except av.error.InvalidDataError:
            continue  # a damaged packet at the start is tolerated, as faster-whisper's decoder does
    return None


def _duration(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float | None:
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _open_error(path: Path, name: str) -> Exception:
    with path.open("rb") as handle:
        head = handle.read(12)
    if _looks_like_audio(head):
        return CorruptMediaError(f"'{name}' looks like audio but could not be read; it may be damaged.")
    return UnsupportedMediaError(
        f"'{name}' is not an audio or video file we can read (supported: wav, mp3, m4a, mp4, ogg, webm, flac)."
    )


def _looks_like_audio(head: bytes) -> bool:
    if head.startswith(_AUDIO_MAGIC) or head[4:8] == b"ftyp":
        return True
    # MPEG audio / ADTS frame sync: 11 set bits.
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0


def _check_wav_length(path: Path, name: str, info: AudioInfo) -> None:
    """FFmpeg quietly plays a cut-off WAV to where it ends; the RIFF header tells us how long it should be."""
    if info.container != "wav":
        return
    declared = _wav_declared_data_bytes(path)
    if declared is None:
        return
    data_offset, data_bytes = declared
    present = path.stat().st_size - data_offset
    if present < data_bytes * 0.99 and info.duration_s:
        promised_s = info.duration_s * data_bytes / present
        raise CorruptMediaError(
            f"'{name}' is truncated: its header promises {_human(promised_s)} of audio but only "
            f"{_human(info.duration_s)} is present; the upload may have been cut off."
        )


def _wav_declared_data_bytes(path: Path) -> tuple[int, int] | None:
    """(offset, size) of the `data` chunk, or None if the header is absent or a streaming placeholder."""
    with path.open("rb") as handle:
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return None
        while chunk := handle.read(8):
            if len(chunk) < 8:
                return None
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"data":
                # Writers that stream (pipes, crashed recorders) leave 0 or a huge placeholder here.
                return None if size == 0 or size >= 0x7FFF0000 else (handle.tell(), size)
            handle.seek(size + (size & 1), 1)  # chunks are word-aligned
    return None


def _human(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"
