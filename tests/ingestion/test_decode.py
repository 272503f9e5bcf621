"""Decoding: every supported container gives the same 16 kHz audio; bad files give clear domain errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.errors import CorruptMediaError, InvalidInputError, UnsupportedMediaError
from ingestion import load_channels, probe
from tests.utils.audio import convert, write_video_without_audio

# PNG signature plus an IHDR chunk: FFmpeg opens it as a one-frame video, so the error must be "no audio".
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.mark.parametrize("suffix", [".mp3", ".ogg", ".flac", ".m4a", ".webm", ".mp4"])
def test_compressed_formats_decode_to_the_same_length_as_the_wav(rep_wav: Path, tmp_path: Path, suffix: str):
    encoded = convert(rep_wav, tmp_path / f"rep{suffix}")
    [reference] = load_channels(rep_wav, split_stereo=False)
    [decoded] = load_channels(encoded, split_stereo=False)

    assert decoded.dtype == np.float32
    # Encoders add a little padding (mp3 and AAC priming), never more than a tenth of a second here.
    assert abs(len(decoded) - len(reference)) / 16_000 < 0.1
    assert 0.01 < float(np.sqrt(np.mean(decoded**2))) < 1.0, "decoded audio should be speech, not silence"


def test_probe_reports_channels_rate_and_duration_of_a_stereo_wav(stereo_call: Path):
    info = probe(stereo_call)

    assert (info.channels, info.sample_rate, info.codec, info.container) == (2, 16_000, "pcm_s16le", "wav")
    assert info.duration_s is not None and 10 < info.duration_s < 14


def test_split_stereo_gives_one_array_per_channel_with_the_rep_first(stereo_call: Path):
    left, right = load_channels(stereo_call, split_stereo=True)

    half = len(left) // 2
    # The rep talks first on the left, the prospect answers later on the right.
    assert np.abs(left[:half]).mean() > 10 * np.abs(left[half:]).mean() + 1e-6
    assert np.abs(right[half:]).mean() > 10 * np.abs(right[: half // 2]).mean() + 1e-6


def test_stereo_is_downmixed_to_one_array_unless_split(stereo_call: Path):
    channels = load_channels(stereo_call, split_stereo=False)

    assert len(channels) == 1
    assert channels[0].ndim == 1


def test_a_mono_file_stays_one_array_when_split_is_requested(rep_wav: Path):
    assert len(load_channels(rep_wav, split_stereo=True)) == 1


def test_text_file_named_wav_is_unsupported_and_names_the_file(tmp_path: Path):
    fake = tmp_path / "quarterly-call.wav"
    fake.write_text("Rep: this is a transcript, not audio\n")

    with pytest.raises(UnsupportedMediaError, match=r"quarterly-call\.wav"):
        probe(fake)


def test_png_image_is_unsupported(tmp_path: Path):
    image = tmp_path / "screenshot.png"
    image.write_bytes(PNG_BYTES)

    with pytest.raises(UnsupportedMediaError, match=r"screenshot\.png.*no audio"):
        load_channels(image, split_stereo=False)


def test_video_without_a_sound_track_is_unsupported(tmp_path: Path):
    video = write_video_without_audio(tmp_path / "screen-recording.mp4")

    with pytest.raises(UnsupportedMediaError, match="no audio track"):
        probe(video)


def test_empty_file_is_corrupt(tmp_path: Path):
    empty = tmp_path / "call.mp3"
    empty.touch()

    with pytest.raises(CorruptMediaError, match=r"call\.mp3.*empty"):
        probe(empty)


@pytest.mark.parametrize(
    ("suffix", "keep_bytes"), [(".wav", 44), (".ogg", 200), (".flac", 10), (".mp3", 50), (".mp3", 300)]
)
def test_file_cut_off_near_its_start_is_corrupt(rep_wav: Path, tmp_path: Path, suffix: str, keep_bytes: int):
    whole = convert(rep_wav, tmp_path / f"whole{suffix}")
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[:keep_bytes])

    with pytest.raises(CorruptMediaError, match=f"cut\\{suffix}"):
        load_channels(cut, split_stereo=False)


def test_wav_cut_off_halfway_is_corrupt_and_says_how_much_is_missing(rep_wav: Path, tmp_path: Path):
    data = rep_wav.read_bytes()
    cut = tmp_path / "half.wav"
    cut.write_bytes(data[: len(data) // 2])

    with pytest.raises(CorruptMediaError, match=r"truncated.*promises 6\.0 s.*only 3\.0 s"):
        probe(cut)


def test_recording_longer_than_the_limit_is_rejected_before_decoding(rep_wav: Path):
    with pytest.raises(InvalidInputError, match=r"rep\.wav.*6\.0 s long.*limit is 2\.0 s"):
        load_channels(rep_wav, split_stereo=False, max_duration_s=2.0)


def test_messages_use_the_name_the_user_uploaded_not_the_stored_hash(tmp_path: Path):
    stored = tmp_path / "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    stored.write_text("not audio")

    with pytest.raises(UnsupportedMediaError, match=r"'Acme discovery call\.m4a'"):
        probe(stored, name="Acme discovery call.m4a")
