"""The provider interface every CRM adapter implements, and how HTTP outcomes become retry decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from assistant.crm.content import WriteBack


@dataclass(frozen=True)
class Target:
    """The CRM records a write-back is attached to; None means "not known", never a guess."""

    contact_id: str | None = None
    company_id: str | None = None
    deal_id: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.contact_id or self.company_id or self.deal_id)

    def as_dict(self) -> dict[str, str | None]:
        return {"contact_id": self.contact_id, "company_id": self.company_id, "deal_id": self.deal_id}


@dataclass(frozen=True)
class Contact:
    id: str
    company_id: str | None


class DeliveryError(Exception):
    """An attempt failed. `retryable` errors are tried again with backoff (or after `retry_after` seconds)."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


class Directory(Protocol):
    """Look-ups for record matching when a call's metadata lacks CRM ids."""

    def contacts_by_email(self, email: str) -> list[Contact]: ...

    def open_deals(self, company_id: str) -> list[str]: ...


class Provider(Protocol):
    name: str

    def deliver(self, key: str, write_back: WriteBack, target: Target) -> str:
        """Write once: find the record made under `key` (an earlier attempt may have succeeded) or create it;
        return its id in the CRM."""
        ...

    def directory(self) -> Directory | None:
        """Record look-ups, or None when this provider cannot match records (generic)."""
        ...


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    try:
        return max(float(raw), 0.0)
    except ValueError:
        return None  # an HTTP date, or absent: use our own backoff


def call(send: Callable[[], httpx.Response], what: str) -> Any:
    """Send a request and return its JSON body; network errors, 429 and 5xx are retryable, other errors not."""
    try:
        response = send()
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{what}: timed out ({type(exc).__name__})", retryable=True) from exc
    except httpx.TransportError as exc:
        raise DeliveryError(f"{what}: {type(exc).__name__}: {exc}", retryable=True) from exc
    if response.status_code == 429:
        raise DeliveryError(f"{what}: rate limited (429)", retryable=True, retry_after=_retry_after(response))
    if response.status_code >= 500:
        raise DeliveryError(f"{what}: server error {response.status_code}", retryable=True)
    if response.status_code >= 400:
        raise DeliveryError(f"{what}: {response.status_code} {response.text[:300]}", retryable=False)
    return response.json() if response.content else None


def require(value: str | None, setting: str) -> str:
    """A provider setting that must be set; a missing one is a permanent error, not worth retrying."""
    if not value:
        raise DeliveryError(f"{setting} is not set", retryable=False)
    return value
