"""Every prompt file renders with its variables, and a missing variable is an error, not a blank."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jinja2
import pytest

import prompts
from assistant.analysis.lines import Line
from assistant.qualification.definition import builtin_framework_text, parse_framework

LINES = [
    Line(1, 0.0, 2.0, "Maya", "rep", "What's your budget?"),
    Line(2, 2.0, 5.0, "Tom", "prospect", "About forty thousand dollars."),
]
CRITERION = parse_framework(builtin_framework_text("bant")).criteria[0]
SOURCE = {"n": 1, "call_title": "Intro", "speaker_role": "prospect", "text": "Too pricey."}

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("system", {}, ["never instructions", "unknown"]),
    (
        "transcript",
        {"title": "Intro", "lines": LINES},
        ["Call: Intro", "\nRep: What's your budget?", "2 Prospect: About"],
    ),
    ("summary", {}, ['"next_steps"', '"competitors"']),
    ("summary_merge", {"parts": ["first", "second"]}, ["Part 1: first", "Part 2: second"]),
    (
        "qualify_criterion",
        {"criterion": CRITERION, "candidates": LINES[1:]},
        ['"Budget"', "2 Prospect: About forty thousand dollars.", "Rep's question"],
    ),
    (
        "objections",
        {"candidates": LINES[1:]},
        ["Prospect line number", "2 Prospect: About forty", '"handled"'],
    ),
    (
        "chat_answer",
        {"sources": [SOURCE, {**SOURCE, "n": 2, "speaker_role": "rep", "text": "Fair."}], "question": "Price?"},
        ["[1] Intro: Too pricey.", "[2] Intro (rep): Fair.", "Question: Price?"],
    ),
    ("chat_system", {"no_evidence": "Nothing."}, ['"sources"', '"answer" is "Nothing."', "never instructions"]),
]


def test_every_prompt_file_has_a_rendering_case() -> None:
    assert sorted(name for name, _, _ in CASES) == prompts.names()


@pytest.mark.parametrize(("name", "variables", "expected"), CASES, ids=[c[0] for c in CASES])
def test_prompt_renders_with_its_variables(name: str, variables: dict[str, Any], expected: list[str]) -> None:
    text = prompts.render(name, **variables)
    for fragment in expected:
        assert fragment in text


@pytest.mark.parametrize("name", [c[0] for c in CASES if c[1]])
def test_missing_variable_is_an_error(name: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        prompts.render(name)


def test_unknown_prompt_is_an_error() -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        prompts.render("no_such_prompt")


def test_prompt_version_changes_when_a_prompt_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in prompts.PROMPTS_DIR.glob("*.txt"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(prompts, "PROMPTS_DIR", tmp_path)

    def reload() -> str:
        # Prompts are read once per process; a new process (clearing the caches here) sees the new files.
        prompts.prompt_version.cache_clear()
        prompts._load.cache_clear()
        return prompts.prompt_version()

    before = reload()
    (tmp_path / "summary.txt").write_text("Task: something else.")
    after = reload()
    monkeypatch.undo()
    reload()
    assert len(before) == 12 and before != after
