"""PII redaction, as a table: what is replaced by which token, and what similar-looking text is kept."""

from __future__ import annotations

import pytest

from assistant.redaction import luhn_valid, redact

REDACTED = [
    ("Send it to dana.ruiz+calls@acme-corp.co.uk today.", "Send it to [EMAIL] today."),
    ("email TOM@northwind.example", "email [EMAIL]"),
    ("My card is 4111 1111 1111 1111.", "My card is [CARD]."),
    ("card 4111-1111-1111-1111 exp 12/27", "card [CARD] exp 12/27"),
    ("it's 5555555555554444", "it's [CARD]"),
    ("amex 3782 822463 10005", "amex [CARD]"),
    ("ssn 123-45-6789, thanks", "ssn [SSN], thanks"),
    ("social 123 45 6789", "social [SSN]"),
    ("call me at 415-555-0123.", "call me at [PHONE]."),
    ("(415) 555-0123 is my cell", "[PHONE] is my cell"),
    ("office +44 20 7946 0958", "office [PHONE]"),
    ("or +14155550123", "or [PHONE]"),
    ("direct 415.555.0123", "direct [PHONE]"),
    ("a@b.io and 415-555-0123 and 4111111111111111", "[EMAIL] and [PHONE] and [CARD]"),
]

KEPT = [
    "4111 1111 1111 1112",  # fails Luhn: a random card-length run
    "1234567812345678",  # fails Luhn, unbroken
    "order 4155550123",  # an unbroken run is not taken for a phone
    "666-45-6789",  # no SSN has area 666
    "900-12-3456",  # nor 9xx
    "123-00-4567",  # nor group 00
    "about $40,000 this year, 25,000 over budget",
    "live on 2024-05-01 at 10:30",
    "Q3 2024 or 2025",
    "pi is 3.14159265358979",
    "server 192.168.100.200, version 1.2.3",
    "ticket ABC-1234567890",  # digits inside a word
    "extension 555-0123",  # local numbers are too close to ranges like 100-2000
    "four one five five five five zero one two three",  # spoken numbers are not handled
    "look at acme dot com",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_pii_is_replaced_by_its_token(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_lookalikes_are_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4111111111111111", True), ("79927398713", True), ("4111111111111112", False), ("79927398710", False)],
)
def test_luhn_check(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid
