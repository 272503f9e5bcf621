"""Audio and transcripts in: decode, transcribe, separate speakers, import existing transcripts."""

from ingestion.audio_pipeline import SpeakerAssigner, single_speaker, transcribe_recording
from ingestion.decode import AudioInfo, load_channels, probe
from ingestion.diarize import Diarizer
from ingestion.transcribe import Transcriber, resolve_whisper_model
from ingestion.transcript_import import detect_transcript_format, parse_transcript
from ingestion.types import Segment, SpeakerTrack, Transcript, Word

__all__ = [
    "AudioInfo",
    "Diarizer",
    "Segment",
    "SpeakerAssigner",
    "SpeakerTrack",
    "Transcriber",
    "Transcript",
    "Word",
    "detect_transcript_format",
    "load_channels",
    "parse_transcript",
    "probe",
    "resolve_whisper_model",
    "single_speaker",
    "transcribe_recording",
]
