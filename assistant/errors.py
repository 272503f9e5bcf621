"""Domain errors: one base class, each carrying the data a user needs; `api/` maps them to HTTP codes."""

from __future__ import annotations

import errno
from typing import TypeGuard


class CallsightError(Exception):
    """Base for every error Callsight reports to a user. `message` is shown as is."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(CallsightError):
    status_code = 404


class UnsupportedMediaError(CallsightError):
    """The upload is not audio/video we can decode, or not a transcript format we know."""

    status_code = 415


class CorruptMediaError(CallsightError):
    """The file claims to be audio but cannot be decoded (truncated, empty, damaged)."""

    status_code = 422


class UploadTooLargeError(CallsightError):
    status_code = 413


class StorageFullError(CallsightError):
    """The disk is full: nothing of the request was kept, and the same request can be made again."""

    status_code = 507


def disk_full(exc: BaseException) -> TypeGuard[OSError]:
    """Whether `exc` is the operating system saying the disk (or the user's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class InvalidInputError(CallsightError):
    status_code = 422


class ModelNotFoundError(CallsightError):
    """A model is not on disk; the message says which package to install or setting to set."""

    status_code = 503


class LLMOutputError(CallsightError):
    """The language model's reply did not validate after the allowed retries."""

    status_code = 502


class ConflictError(CallsightError):
    status_code = 409


class ForbiddenError(CallsightError):
    """The caller is signed in, but their role may not do this."""

    status_code = 403


class SignatureError(CallsightError):
    """A webhook's signature is missing, wrong or too old: nothing of it is stored."""

    status_code = 401


class RecordingDownloadError(CallsightError):
    """The recording a webhook names could not be fetched (unreachable, error status, too slow)."""

    status_code = 502
