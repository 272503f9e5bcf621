"""Prompt templates are files in this folder, loaded by name and rendered with strict variables."""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateNotFound

PROMPTS_DIR = Path(__file__).parent

_env = Environment(
    autoescape=False,
    undefined=StrictUndefined,  # a missing variable is an error, never an empty string in a prompt
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


@cache
def _load(name: str) -> str:
    # Read once per process: an analysis uses one version of its prompts even if the files change meanwhile.
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.is_file():
        raise TemplateNotFound(name)
    return path.read_text(encoding="utf-8")


def render(name: str, **variables: Any) -> str:
    """Render prompt `name` (prompts/NAME.txt); unknown names and missing variables raise."""
    return _env.from_string(_load(name)).render(**variables).strip()


def names() -> list[str]:
    """All prompt names in this folder."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.txt"))


@lru_cache(maxsize=1)
def prompt_version() -> str:
    """A short hash of every prompt file, recorded with each analysis so results can be traced to prompts."""
    digest = hashlib.sha256()
    for name in names():
        digest.update(name.encode())
        digest.update(_load(name).encode())
    return digest.hexdigest()[:12]
