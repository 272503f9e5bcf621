"""Webhook signatures: HubSpot v3 as its guide describes it, and the generic scheme, with the replay window."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from assistant.crm.signatures import generic_headers, hubspot_v3_signature, verify_generic, verify_hubspot
from assistant.errors import SignatureError

SECRET = "client-secret"
NOW_MS = 1_790_000_000_000
BODY = b'{"event_id": "e1"}'
URI = "https://callsight.example.com/v1/webhooks/hubspot?portal=1"


def independent_v3(secret: str, source: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), source.encode(), hashlib.sha256).digest()).decode()


def headers(signature: str, timestamp_ms: int = NOW_MS) -> dict[str, str]:
    return {"x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": str(timestamp_ms)}


def test_hubspot_v3_is_base64_hmac_over_method_uri_body_and_timestamp() -> None:
    expected = independent_v3(SECRET, f"POST{URI}{BODY.decode()}{NOW_MS}")
    assert hubspot_v3_signature(SECRET, "POST", URI, BODY, str(NOW_MS)) == expected
    verify_hubspot(SECRET, "POST", URI, BODY, headers(expected), max_age_s=300, now_s=NOW_MS / 1000 + 10)


def test_hubspot_v3_signs_the_uri_with_its_listed_escapes_decoded() -> None:
    encoded = "https://callsight.example.com/v1/webhooks/hubspot?from=a%40b.com%2Cc%3Ad&q=a%20b"
    signature = independent_v3(
        SECRET, f"POSThttps://callsight.example.com/v1/webhooks/hubspot?from=a@b.com,c:d&q=a%20b{NOW_MS}"
    )
    verify_hubspot(SECRET, "POST", encoded, b"", headers(signature), max_age_s=300, now_s=NOW_MS / 1000)


@pytest.mark.parametrize(
    ("secret", "body", "age_s", "message"),
    [
        ("other-secret", BODY, 0, "does not match"),
        (SECRET, b'{"event_id": "e2"}', 0, "does not match"),
        (SECRET, BODY, 301, "too old"),
        (SECRET, BODY, -301, "future"),
    ],
)
def test_hubspot_v3_refuses_a_wrong_signature_or_a_timestamp_outside_five_minutes(
    secret: str, body: bytes, age_s: int, message: str
) -> None:
    timestamp = NOW_MS - age_s * 1000
    signature = hubspot_v3_signature(secret, "POST", URI, BODY, str(timestamp))
    with pytest.raises(SignatureError, match=message):
        verify_hubspot(SECRET, "POST", URI, body, headers(signature, timestamp), max_age_s=300, now_s=NOW_MS / 1000)


def test_hubspot_v3_refuses_missing_headers() -> None:
    with pytest.raises(SignatureError, match="x-hubspot-request-timestamp"):
        verify_hubspot(SECRET, "POST", URI, BODY, {}, max_age_s=300)
    with pytest.raises(SignatureError, match="does not match"):
        verify_hubspot(
            SECRET, "POST", URI, BODY, {"x-hubspot-request-timestamp": str(NOW_MS)}, max_age_s=300, now_s=NOW_MS / 1000
        )


def test_generic_signature_round_trips_and_expires() -> None:
    signed = generic_headers(SECRET, BODY, now_s=1_790_000_000)
    expected = hmac.new(SECRET.encode(), b"1790000000" + BODY, hashlib.sha256).hexdigest()
    assert signed == {"x-callsight-timestamp": "1790000000", "x-callsight-signature": expected}
    verify_generic(SECRET, BODY, signed, max_age_s=300, now_s=1_790_000_100)
    with pytest.raises(SignatureError, match="too old"):
        verify_generic(SECRET, BODY, signed, max_age_s=300, now_s=1_790_000_301)
    with pytest.raises(SignatureError, match="does not match"):
        verify_generic(SECRET, BODY + b" ", signed, max_age_s=300, now_s=1_790_000_100)
