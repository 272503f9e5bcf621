"""Ask any LLM for a pydantic model: schema-constrained where possible, always validated, briefly retried."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from assistant.errors import LLMOutputError
from assistant.llm.base import LLM, ChatMessage

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

_FENCED = re.compile(r"```[\w-]*[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_MAX_ERROR_CHARS = 1200
# Most tokens of English text are a word piece of up to 5 letters with its leading space.
_LONGEST_TOKEN_CHARS = 6
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")


def strip_code_fences(text: str) -> str:
    """The JSON inside a markdown code fence (with or without prose around it), else the text itself."""
    stripped = text.strip()
    # A reply that already starts as JSON is left alone, so a ``` inside a string value survives.
    if stripped.startswith(("{", "[")) or "```" not in stripped:
        return stripped
    match = _FENCED.search(stripped)
    return match.group(1).strip() if match else stripped


def whole_sentences(limit: int) -> Callable[[str], str]:
    """A validator for a text field of at most `limit` characters. Constrained decoding stops a small model
    at the limit mid-sentence (the demo's chat answer ended "They were concerned about the potential for");
    such a text is shown up to its last whole sentence, or cut at a word with an ellipsis if it has none.
    The grammar admits only whole tokens, so a cut text can end a token short of the limit ("... for
    analytic soft", 59 of 60); a text further from it ended where the model chose ("Sarah Miller", "Q3")."""

    def trim(text: str) -> str:
        if len(text) < limit - _LONGEST_TOKEN_CHARS:
            return text
        text = text.rstrip()
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        if ends:
            return text[: ends[-1]]
        head, _, _ = text.rpartition(" ")
        return (head or text).rstrip(" ,;:-") + "…"

    return trim


def describe_validation_error(error: ValidationError) -> str:
    """A short, model-readable list of what was wrong with a reply."""
    lines = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "(reply)"
        lines.append(f"- {where}: {item['msg']}")
    text = "\n".join(lines)
    return text if len(text) <= _MAX_ERROR_CHARS else text[:_MAX_ERROR_CHARS] + "\n- ..."


def complete_structured(
    llm: LLM,
    messages: list[ChatMessage],
    output_type: type[T],
    *,
    retries: int = 2,
    max_tokens: int = 512,
) -> T:
    """The reply parsed as `output_type`; after `retries` corrected attempts, LLMOutputError."""
    schema = output_type.model_json_schema()
    conversation = list(messages)
    last_error = ""
    for attempt in range(retries + 1):
        reply = llm.complete(conversation, json_schema=schema, max_tokens=max_tokens)
        try:
            return output_type.model_validate_json(strip_code_fences(reply))
        except ValidationError as e:
            last_error = describe_validation_error(e)
            log.warning(
                "%s reply %d/%d is not a valid %s:\n%s\nreply: %.500s",
                llm.model_name,
                attempt + 1,
                retries + 1,
                output_type.__name__,
                last_error,
                reply,
            )
            # Only the latest bad reply goes back, after the original messages: the prompt stays
            # short and its prefix (often a whole transcript) stays in the backend's prompt cache.
            conversation = [
                *messages,
                {"role": "assistant", "content": reply},
                {
                    "role": "user",
                    "content": "That reply does not match the required JSON schema:\n"
                    f"{last_error}\nReply again with only the corrected JSON object.",
                },
            ]
    raise LLMOutputError(
        f"The language model {llm.model_name} did not return a valid {output_type.__name__} "
        f"after {retries + 1} attempts. Last error:\n{last_error}"
    )
