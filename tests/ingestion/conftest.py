"""Session fixtures for ingestion: the real tiny.en model, and short speech synthesised once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion import Transcriber, Transcript, probe, transcribe_recording
from tests.utils.audio import make_stereo, require_tools, synth_speech

# tiny.en mishears some espeak-ng sentences; these two were checked to come back (>= 0.93 of words)
# on their own, on either channel of a stereo call, and through mp3 and ogg.
REP_TEXT = "Thanks for joining the call today. Could you tell me how your team plans deliveries right now?"
PROSPECT_TEXT = "The finance director wants a decision before the summer, and the price matters a lot."
MAX_DURATION_S = 600.0


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tools()
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def rep_wav(speech_dir: Path) -> Path:
    return synth_speech(REP_TEXT, speech_dir / "rep.wav", voice="en-us")


@pytest.fixture(scope="session")
def prospect_wav(speech_dir: Path) -> Path:
    return synth_speech(PROSPECT_TEXT, speech_dir / "prospect.wav", voice="en-us+f2")


@pytest.fixture(scope="session")
def stereo_call(speech_dir: Path, rep_wav: Path, prospect_wav: Path) -> Path:
    """Rep on the left, prospect on the right answering half a second after the rep stops."""
    rep_duration = probe(rep_wav).duration_s
    assert rep_duration is not None
    return make_stereo(rep_wav, prospect_wav, speech_dir / "call.wav", right_delay_s=rep_duration + 0.5)


@pytest.fixture(scope="session")
def split_progress() -> list[float]:
    """Progress fractions reported while `split_transcript` was made."""
    return []


@pytest.fixture(scope="session")
def split_transcript(stereo_call: Path, transcriber: Transcriber, split_progress: list[float]) -> Transcript:
    """The stereo call transcribed once per run with the rep on the left; several tests read it."""
    return transcribe_recording(
        stereo_call,
        transcriber,
        rep_channel="left",
        max_duration_s=MAX_DURATION_S,
        on_progress=split_progress.append,
    )
