"""A chat answer as Markdown, for content work: the answer, then each source with its verbatim quote and a link
that opens the call at that moment."""

from __future__ import annotations

from assistant.chat import ChatAnswer, format_time


def answer_markdown(question: str, answer: ChatAnswer, *, base_url: str = "") -> str:
    """The question as a heading, the answer, and its numbered sources; `base_url` makes the links absolute."""
    lines = [f"## {question.strip()}", "", answer.answer.strip(), ""]
    if answer.citations:
        lines += ["### Sources", ""]
    for n, c in enumerate(answer.citations, start=1):
        who = f"{c.speaker} ({c.speaker_role})" if c.speaker else c.speaker_role
        title = c.call_title.replace("[", "(").replace("]", ")") or c.call_id
        lines.append(f"{n}. [{title} at {format_time(c.start)}]({base_url.rstrip('/')}{c.link}), {who}:")
        lines.append(f"   > {c.quote.strip()}")
    return "\n".join(lines).rstrip() + "\n"
