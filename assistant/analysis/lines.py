"""The transcript as numbered lines: the unit the model points at and the unit quotes are taken from."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.analysis.results import Evidence, Role

# A line longer than this is not extended further, so one quote never becomes a whole monologue.
MAX_LINE_CHARS = 400
ROLE_LABELS: dict[str, str] = {"rep": "Rep", "prospect": "Prospect", "unknown": "Speaker"}
# Words that only keep a conversation going. "yes" and "no" are not here: they answer things.
BACKCHANNEL_WORDS = frozenset(
    "okay ok yeah yep yup alright alrighty all right mhm mm hmm uh huh um got it gotcha cool awesome great "  # noqa: SIM905
    "sure perfect i see oh wow".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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


def is_backchannel(line: Line, previous: Line | None) -> bool:
    """A line that only acknowledges ("Okay.", "Yeah, got it.") and answers no question: it carries no
    evidence, and the model reads every line of the transcript (a 30-minute call has about 60 of them)."""
    spoken = re.findall(r"[a-z]+", line.text.lower())
    answers_a_question = previous is not None and previous.text.rstrip().endswith("?")
    return bool(spoken) and set(spoken) <= BACKCHANNEL_WORDS and not answers_a_question


def substantive(lines: list[Line]) -> list[Line]:
    """The lines worth showing the model: all but backchannels; ids stay those of the whole transcript."""
    return [line for i, line in enumerate(lines) if not is_backchannel(line, lines[i - 1] if i else None)]


def rep_turns_joined(lines: list[Line]) -> list[Line]:
    """Consecutive rep lines joined into one, for the prompt only: rep lines carry no id the model can point
    at, and one "Rep:" label per turn instead of per sentence shortens the prompt every question re-reads
    (the real 30-minute benchmark call has 135 rep lines that follow a rep line)."""
    joined: list[Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if previous is not None and previous.role == "rep" and line.role == "rep":
            joined[-1] = replace(previous, end=line.end, text=f"{previous.text} {line.text}")
        else:
            joined.append(line)
    return joined


def split_sentences(text: str) -> list[str]:
    """The sentences of a transcript turn (transcripts end sentences with . ! or ?)."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def estimate_tokens(text: str) -> int:
    """A cheap token estimate (about 4 characters a token for English) used to size context windows."""
    return len(text) // 4 + 1


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
