"""Read a chat reply while the model is still writing it: the JSON object `{"sources": [...], "answer": "..."}`
arrives a few characters at a time, and chat shows the sources as soon as their list closes and the answer
as its string grows, instead of waiting for the whole reply."""

from __future__ import annotations

import json
import re

_SOURCES = re.compile(r'^\s*\{\s*"sources"\s*:\s*\[([^\]]*)\]')
_ANSWER = re.compile(r'"answer"\s*:\s*"')


class ReplyReader:
    """Feed it the streamed text; it tells the sources once their list is complete (only when they come
    first, as the schema asks) and the answer decoded so far."""

    def __init__(self) -> None:
        self.text = ""

    def feed(self, chunk: str) -> None:
        """Add the next piece of the reply."""
        self.text += chunk

    def sources(self) -> list[int] | None:
        """The source numbers, once the reply has opened with a complete `sources` list; else None."""
        match = _SOURCES.match(self.text)
        if match is None:
            return None
        items = [item.strip() for item in match.group(1).split(",") if item.strip()]
        try:
            return [int(item) for item in items]
        except ValueError:
            return None  # not numbers: left to the full validation at the end

    def answer_so_far(self) -> str:
        """The answer string decoded up to the last complete character (escapes included), or ''."""
        match = _ANSWER.search(self.text)
        if match is None:
            return ""
        raw = self.text[match.end() :]
        end = _safe_end(raw)
        try:
            text = str(json.loads(f'"{raw[:end]}"'))
        except json.JSONDecodeError:
            return ""
        # Half of a surrogate pair (an emoji written as two \u escapes): wait for the other half.
        return text[:-1] if text and "\ud800" <= text[-1] <= "\udbff" else text


def _safe_end(raw: str) -> int:
    """Where the JSON string body `raw` ends (its closing quote) or, while it is still open, the end of the
    last complete character, so a half-received escape such as `\\u00` is never decoded."""
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == '"':
            return i
        if char == "\\":
            width = 6 if raw[i + 1 : i + 2] == "u" else 2
            if i + width > len(raw):
                return i
            i += width
            continue
        i += 1
    return i
