"""Webhook signatures: HubSpot's v3 scheme for inbound calls, and one HMAC scheme of our own (generic) used
both to verify inbound webhooks and to sign the generic write-back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from assistant.errors import SignatureError

HUBSPOT_SIGNATURE = "x-hubspot-signature-v3"
HUBSPOT_TIMESTAMP = "x-hubspot-request-timestamp"
GENERIC_SIGNATURE = "x-callsight-signature"
GENERIC_TIMESTAMP = "x-callsight-timestamp"

# HubSpot signs the URI with these escapes decoded (and only these), per its request-validation guide.
_HUBSPOT_DECODE = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


def _hubspot_uri(uri: str) -> str:
    for encoded, char in _HUBSPOT_DECODE.items():
        uri = uri.replace(encoded, char).replace(encoded.lower(), char)
    return uri


def hubspot_v3_signature(secret: str, method: str, uri: str, body: bytes, timestamp_ms: str) -> str:
    """base64(HMAC-SHA256(client secret, method + URI + body + timestamp))."""
    message = method.upper().encode() + _hubspot_uri(uri).encode() + body + timestamp_ms.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def generic_signature(secret: str, timestamp_s: str, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, timestamp + body)): the timestamp is signed so an old request cannot be replayed."""
    return hmac.new(secret.encode(), timestamp_s.encode() + body, hashlib.sha256).hexdigest()


def _check_age(sent_at_s: float, max_age_s: int, now_s: float) -> None:
    if now_s - sent_at_s > max_age_s:
        raise SignatureError("The webhook's timestamp is too old; it may be a replay.")
    if sent_at_s - now_s > max_age_s:
        raise SignatureError("The webhook's timestamp is in the future.")


def _timestamp(headers: dict[str, str], name: str) -> int:
    raw = headers.get(name, "")
    # isdigit alone accepts characters such as "²" that int() rejects; headers arrive as Latin-1.
    if not (raw.isascii() and raw.isdigit()):
        raise SignatureError(f"The webhook has no valid {name} header.")
    return int(raw)


def _compare(expected: str, given: str) -> None:
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureError("The webhook's signature does not match.")


def verify_hubspot(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    headers: dict[str, str],
    *,
    max_age_s: int,
    now_s: float | None = None,
) -> None:
    """Raise SignatureError unless the v3 signature matches and the timestamp (ms) is within `max_age_s`."""
    timestamp = _timestamp(headers, HUBSPOT_TIMESTAMP)
    _check_age(timestamp / 1000, max_age_s, time.time() if now_s is None else now_s)
    _compare(hubspot_v3_signature(secret, method, uri, body, str(timestamp)), headers.get(HUBSPOT_SIGNATURE, ""))


def verify_generic(
    secret: str, body: bytes, headers: dict[str, str], *, max_age_s: int, now_s: float | None = None
) -> None:
    """Raise SignatureError unless the generic signature matches and the timestamp (s) is within `max_age_s`."""
    timestamp = _timestamp(headers, GENERIC_TIMESTAMP)
    _check_age(timestamp, max_age_s, time.time() if now_s is None else now_s)
    _compare(generic_signature(secret, str(timestamp), body), headers.get(GENERIC_SIGNATURE, ""))


def generic_headers(secret: str, body: bytes, now_s: float | None = None) -> dict[str, str]:
    """Headers that sign `body` for the generic scheme."""
    timestamp = str(int(time.time() if now_s is None else now_s))
    return {GENERIC_TIMESTAMP: timestamp, GENERIC_SIGNATURE: generic_signature(secret, timestamp, body)}
