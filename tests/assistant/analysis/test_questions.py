"""The labelled examples the status question shows: statuses take turns; other criteria count as unknown."""

from __future__ import annotations

from assistant.analysis.questions import label_examples
from assistant.qualification.definition import builtin_framework_text, parse_framework

BANT = parse_framework(builtin_framework_text("bant"))


def test_examples_take_turns_and_other_criteria_are_unknown() -> None:
    budget = BANT.criteria[0]
    examples = label_examples(budget, BANT)
    assert [label for _, label in examples[:4]] == ["met", "partial", "not_met", "unknown"]
    unknown = [said for said, label in examples if label == "unknown"]
    assert unknown == [c.search_sentences[0] for c in BANT.criteria[1:]]
    labelled = sum(len(sentences) for sentences in budget.examples.values())
    assert len(examples) == labelled + len(unknown)


def test_a_criterion_with_probes_only_is_labelled_without_examples() -> None:
    probes_only = BANT.criteria[0].model_copy(update={"examples": {}, "probes": ["We have money for this."]})
    assert label_examples(probes_only, BANT) == []
