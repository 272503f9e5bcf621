"""Ask any LLM for a pydantic model: schema-constrained where possible, always validated, briefly retried."""

from __future__ import annotations

import logging
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from assistant.errors import LLMOutputError
from assistant.llm.base import LLM, ChatMessage

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

_FENCED = re.compile(r"```[\w-]*[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_MAX_ERROR_CHARS = 1200


def strip_code_fences(text: str) -> str:
    """The JSON inside a markdown code fence (with or without prose around it), else the text itself."""
    stripped = text.strip()
    # A reply that already starts as JSON is left alone, so a ``` inside a string value survives.
    if stripped.startswith(("{", "[")) or "```" not in stripped:
        return stripped
    match = _FENCED.search(stripped)
    return match.group(1).strip() if match else stripped


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
