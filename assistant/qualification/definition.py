"""The agreed qualification definition: a YAML document, validated strictly, stored in versions."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.analysis.mentions import Needs
from assistant.errors import InvalidInputError

FRAMEWORKS_DIR = Path(__file__).parent / "frameworks"
Verdict = Literal["qualified", "nurture", "unqualified", "unknown"]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    required: bool = True
    question: str
    met: str
    partial: str
    met_needs: Needs | None = Field(
        None, description="What the prospect's evidence must state for `met` (else it counts as partial)."
    )
    not_met_terms: tuple[str, ...] = Field(
        (), description='Words a prospect denies to rule the criterion out ("no budget"); see analysis.denials.'
    )
    hedge_terms: tuple[str, ...] = Field(
        (), description='Words that make a "met" partial when its evidence says them; see analysis.terms.'
    )
    question_terms: tuple[str, ...] = Field(
        (), description='Words of a rep question about it ("budget"); the answer makes it partial, not unknown.'
    )
    probes: list[str] = Field(min_length=1)


class VerdictRule(BaseModel):
    """How the criteria's statuses become the call's verdict, stated in the YAML so both teams can read it.

    qualified: every required criterion is met (and, with `min_met`, at least that many criteria in all).
    unqualified: a required criterion is not_met. unknown: nothing is known about any criterion.
    Otherwise nurture. The verdict lists the criteria that block qualification."""

    model_config = ConfigDict(extra="forbid")

    qualified_when: Literal["all_required_met"] = "all_required_met"
    min_met: int | None = Field(None, ge=1, description="Also require at least this many criteria met.")

    def decide(self, statuses: list[tuple[str, bool, str]]) -> tuple[Verdict, list[str]]:
        """The verdict and the blocking criteria keys, from (key, required, status) triples."""
        required = [(key, status) for key, is_required, status in statuses if is_required]
        blocking = [key for key, status in required if status != "met"]
        met = sum(1 for _, _, status in statuses if status == "met")
        if self.min_met is not None and met < self.min_met:
            blocking += [key for key, is_required, status in statuses if not is_required and status != "met"]
        if not blocking:
            return "qualified", []
        if any(status == "not_met" for _, status in required):
            return "unqualified", blocking
        if all(status == "unknown" for _, _, status in statuses):
            return "unknown", blocking
        return "nurture", blocking


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: str
    description: str = ""
    verdict_rule: VerdictRule = VerdictRule()
    criteria: list[Criterion] = Field(min_length=1)


def parse_framework(text: str) -> Framework:
    """Parse and validate a criteria YAML document; errors name the problem for the user."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"The criteria file is not valid YAML: {exc}") from exc
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(f"The criteria file does not match the expected shape: {exc}") from exc
    keys = [c.key for c in framework.criteria]
    if len(keys) != len(set(keys)):
        raise InvalidInputError("Each criterion key must be unique in a criteria file.")
    if (framework.verdict_rule.min_met or 0) > len(keys):
        raise InvalidInputError("verdict_rule.min_met is larger than the number of criteria.")
    return framework


def builtin_framework_text(name: str) -> str:
    """The YAML of a built-in framework shipped with Callsight (e.g. "bant")."""
    path = FRAMEWORKS_DIR / f"{name.lower()}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in FRAMEWORKS_DIR.glob("*.yaml")))
        raise InvalidInputError(f"No built-in framework named {name!r}; known: {known}.")
    return path.read_text(encoding="utf-8")
