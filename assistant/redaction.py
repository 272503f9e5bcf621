"""PII redaction for text that leaves the transcript store (the vector index, chat citations, CRM bodies).

What is replaced, and how it is recognised:

- `[EMAIL]`: an address written as `name@domain.tld`. Spoken forms ("dana at acme dot com") are not.
- `[CARD]`: 13-19 digits, bare or in groups split by single spaces or dashes, that pass the Luhn check, so an
  order number or any other digit run that fails it is kept.
- `[SSN]`: a US Social Security number written `123-45-6789` or `123 45 6789` with a valid area (not 000,
  666 or 9xx), group (not 00) and serial (not 0000). Nine bare digits are not taken for one.
- `[PHONE]`: 10-15 digits written in groups (`415-555-0123`, `(415) 555 0123`) or with a leading `+`
  (`+44 20 7946 0958`, `+14155550123`); with dots only as `415.555.0123`. A bare digit run and shorter
  local numbers are kept: amounts, years, dates and times never look like these.

Numbers are judged as whole spans (digits joined by single separators), so a part of a longer number is
never redacted on its own. Numbers spoken as words ("four one five ...") are not recognised.
"""

from __future__ import annotations

import re

EMAIL = "[EMAIL]"
CARD = "[CARD]"
SSN = "[SSN]"
PHONE = "[PHONE]"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A number-like span: digits joined by one or two separator characters ("-", " ", ".", "(", ")"), maybe
# with a leading "+" or "("; it neither starts nor ends inside a word or a decimal.
_SPAN = re.compile(r"(?<![\w.+-])\+?\(?\d(?:[ .()-]{1,2}\d|\d)*(?![\w]|\.\d)")
_SSN = re.compile(r"(?P<area>\d{3})([- ])(?P<group>\d{2})\2(?P<serial>\d{4})")
_GROUPED = re.compile(r"[ ()-]")
# Dots make a phone number only in the US form; other dotted numbers are decimals, versions or addresses.
_DOTTED_PHONE = re.compile(r"\d{3}\.\d{3}\.\d{4}")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(span: str, digits: str) -> bool:
    # Card groups are split by spaces or dashes only; a dotted or bracketed number is something else.
    return 13 <= len(digits) <= 19 and re.fullmatch(r"[\d -]+", span) is not None and luhn_valid(digits)


def _is_ssn(span: str) -> bool:
    match = _SSN.fullmatch(span)
    if match is None:
        return False
    area = match["area"]
    return area != "000" and area != "666" and area[0] != "9" and match["group"] != "00" and match["serial"] != "0000"


def _is_phone(span: str, digits: str) -> bool:
    if "." in span:
        return _DOTTED_PHONE.fullmatch(span) is not None
    return 10 <= len(digits) <= 15 and (span.startswith("+") or _GROUPED.search(span) is not None)


def _number(match: re.Match[str]) -> str:
    span = match.group()
    digits = re.sub(r"\D", "", span)
    if _is_card(span, digits):
        return CARD
    if _is_ssn(span):
        return SSN
    if _is_phone(span, digits):
        return PHONE
    return span


def redact(text: str) -> str:
    """`text` with emails, card numbers, SSNs and phone numbers replaced by their tokens."""
    return _SPAN.sub(_number, _EMAIL.sub(EMAIL, text))
