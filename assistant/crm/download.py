"""Fetch the recording a webhook names: bounded in size and time; the content check is the upload's own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from assistant.config import Settings
from assistant.errors import InvalidInputError, RecordingDownloadError, UploadTooLargeError


class _BoundedBody:
    """A readable stream over the response that stops at the size limit and the overall deadline, so a slow
    drip or an endless body cannot hold a request (or fill the disk)."""

    def __init__(self, response: httpx.Response, max_bytes: int, deadline: float, timeout_s: float) -> None:
        self._chunks = response.iter_bytes()
        self._buffer = b""
        self._read = 0
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._timeout_s = timeout_s

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            if time.monotonic() > self._deadline:
                raise RecordingDownloadError(f"The recording took longer than {self._timeout_s:g} s to download.")
            chunk = next(self._chunks, b"")
            if not chunk:
                break
            self._read += len(chunk)
            if self._read > self._max_bytes:
                raise UploadTooLargeError(f"The recording is larger than {self._max_bytes // (1 << 20)} MB.")
            self._buffer += chunk
        data, self._buffer = (self._buffer, b"") if size < 0 else (self._buffer[:size], self._buffer[size:])
        return data


def recording_filename(url: str) -> str:
    """The URL's last path segment: its extension helps the format check, nothing else is trusted."""
    return PurePosixPath(urlsplit(url).path).name or "recording"


@contextmanager
def open_recording(settings: Settings, url: str) -> Iterator[_BoundedBody]:
    """Stream the recording at `url` (http or https only)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise InvalidInputError("recording_url must be an http or https URL.")
    max_bytes = settings.recording_max_mb * (1 << 20)
    timeout = settings.recording_timeout_s
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=3) as http,
            http.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise RecordingDownloadError(f"The recording URL answered {response.status_code}.")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise UploadTooLargeError(f"The recording is larger than {settings.recording_max_mb} MB.")
            yield _BoundedBody(response, max_bytes, time.monotonic() + timeout, timeout)
    except httpx.TimeoutException as exc:
        raise RecordingDownloadError(f"The recording took longer than {timeout:g} s to download.") from exc
    except httpx.HTTPError as exc:
        raise RecordingDownloadError(f"The recording could not be downloaded: {type(exc).__name__}.") from exc
