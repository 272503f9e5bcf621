"""The transcript as numbered lines: the unit the model points at and the unit quotes are taken from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.analysis.results import Evidence, Role

# A line longer than this is not extended further, so one quote never becomes a whole monologue.
MAX_LINE_CHARS = 400
ROLE_LABELS: dict[str, str] = {"rep": "Rep", "prospect": "Prospect", "unknown": "Speaker"}
# Lines that only acknowledge: about a fifth of the lines of a real phone call, and nothing to summarise.
ACKNOWLEDGEMENT_WORDS = frozenset(
    {"ok", "okay", "yeah", "yes", "yep", "right", "sure", "mhm", "mm", "hmm", "uh", "huh", "alright", "all"}
    | {"got", "it", "i", "see", "great", "perfect", "cool", "thanks", "thank", "you"}
)


@dataclass(frozen=True)
class Line:
    id: int
    start: float
    end: float
    speaker: str
    role: Role
    text: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role] if self.role != "unknown" else self.speaker

    def evidence(self) -> Evidence:
        """This line as verbatim evidence."""
        return Evidence(quote=self.text, start=self.start, end=self.end, speaker=self.speaker, role=self.role)


def estimate_tokens(text: str) -> int:
    """A cheap token estimate (about 4 characters a token for English) used to size context windows."""
    return len(text) // 4 + 1


def substantive(lines: list[Line]) -> list[Line]:
    """The lines that say more than "okay", "yeah, right" or "mm-hmm"."""
    return [line for line in lines if not set(re.findall(r"[a-z]+", line.text.lower())) <= ACKNOWLEDGEMENT_WORDS]


def windows(lines: list[Line], max_tokens: int) -> list[list[Line]]:
    """Split lines into consecutive windows that each fit `max_tokens`, so long calls never overflow."""
    result: list[list[Line]] = []
    current: list[Line] = []
    used = 0
    for line in lines:
        cost = estimate_tokens(line.text) + 4
        if current and used + cost > max_tokens:
            result.append(current)
            current, used = [], 0
        current.append(line)
        used += cost
    if current:
        result.append(current)
    return result


def excerpts(lines: list[Line], chosen: list[Line], *, before: int = 1, after: int = 0) -> list[list[Line]]:
    """The chosen lines with their neighbours (the rep's question before, the reply after), as runs of
    consecutive lines in transcript order: what a narrow question shows the model instead of the whole call."""
    position = {line.id: i for i, line in enumerate(lines)}
    keep: set[int] = set()
    for line in chosen:
        at = position[line.id]
        keep.update(range(max(0, at - before), min(len(lines), at + after + 1)))
    runs: list[list[Line]] = []
    for i in sorted(keep):
        if runs and position[runs[-1][-1].id] == i - 1:
            runs[-1].append(lines[i])
        else:
            runs.append([lines[i]])
    return runs
