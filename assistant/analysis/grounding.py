"""Locate a stated value ("$40,000", "Sarah Miller", "Q3") in the transcript's lines by its distinctive
tokens: the small model states values well but points at the wrong line half the time (DESIGN.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.analysis.lines import Line

_NUMBER = re.compile(r"\$?(\d[\d,]*(?:\.\d+)?)\s*(k|m)?\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]+\b")
_COMMON = frozenset(
    {"The", "A", "An", "We", "I", "They", "He", "She", "It", "Our", "Their", "No", "Yes", "Not", "None"}
)
_SUFFIX = {"k": 1_000, "m": 1_000_000}


def _numbers(text: str) -> set[str]:
    found = set()
    for digits, suffix in _NUMBER.findall(text):
        value = float(digits.replace(",", ""))
        value *= _SUFFIX.get(suffix.lower(), 1)
        found.add(f"{value:g}")
    return found


def strong_tokens(value: str) -> tuple[set[str], set[str]]:
    """The numbers (normalised: "$40k" and "40,000" are the same) and proper names / codes ("Q3") in `value`."""
    names = {
        match.group().lower()
        for match in _NAME.finditer(value)
        if match.group() not in _COMMON and not _starts_sentence(value, match.start())
    }
    return _numbers(value), names


def _starts_sentence(text: str, at: int) -> bool:
    # "My wife does the books" names no one: a capital at a sentence's start is not a name.
    before = text[:at].rstrip()
    return not before or before.endswith((".", "!", "?"))


def lexical_matches(value: str, lines: Sequence[Line]) -> list[Line]:
    """Lines that contain the value's numbers or names, most matched first (ties in transcript order)."""
    numbers, names = strong_tokens(value)
    if not numbers and not names:
        return []
    scored: list[tuple[int, Line]] = []
    for line in lines:
        words = set(re.findall(r"[a-z0-9]+", line.text.lower()))
        score = 2 * len(numbers & _numbers(line.text)) + len(names & words)
        if score:
            scored.append((score, line))
    scored.sort(key=lambda pair: -pair[0])
    return [line for _, line in scored]


def words(text: str) -> set[str]:
    """Lower-case words and numbers of `text`, with numbers in one spelling ("$40,000" -> "40000")."""
    return set(re.findall(r"[a-z0-9]+", text.lower().replace(",", ""))) | _numbers(text)


def is_stated(text: str, transcript_words: set[str]) -> bool:
    """True when every word of `text` occurs in the transcript: a due date or owner the call never mentions
    ("2023-09-12" for "next Tuesday") is the model's guess, and a CRM field is never guessed."""
    return words(text) <= transcript_words
