"""Content-addressed storage of what users upload: the bytes are on disk, fsynced, before we say "accepted"."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from assistant.errors import StorageFullError, UploadTooLargeError, disk_full

CHUNK = 1 << 20
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    path: Path
    size: int
    created: bool  # False when the same bytes were stored before


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def safe_suffix(filename: str) -> str:
    """The file's extension if it is a plain one; user input never names a path on our disk."""
    suffix = Path(filename).suffix.lower()
    return suffix if _SAFE_SUFFIX.match(suffix) else ""


class MediaStore:
    """Files live at `root/ab/abcdef….ext`, named by the sha256 of their content."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(
        self,
        stream: BinaryIO,
        filename: str,
        *,
        max_bytes: int,
        validate: Callable[[Path], None] | None = None,
    ) -> StoredMedia:
        """Stream to a temp file (hashing, size-limited), validate it, then fsync and move it into place."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=safe_suffix(filename))
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadTooLargeError(
                            f"{filename} is larger than the upload limit of {max_bytes // (1 << 20)} MB."
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if validate is not None:
                validate(tmp)
            sha = digest.hexdigest()
            existing = self.find(sha)
            if existing is not None:
                tmp.unlink()
                return StoredMedia(sha, existing, size, created=False)
            final = self.root / sha[:2] / f"{sha}{safe_suffix(filename)}"
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return StoredMedia(sha, final, size, created=True)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if disk_full(exc):
                raise StorageFullError(
                    f"The server's disk is full, so {filename} was not stored; upload it again once space is freed."
                ) from exc
            raise

    def find(self, sha256: str) -> Path | None:
        """The stored file with this content hash, whatever extension it arrived with."""
        return next((self.root / sha256[:2]).glob(f"{sha256}*"), None)

    def delete(self, path: Path) -> None:
        path.unlink(missing_ok=True)
