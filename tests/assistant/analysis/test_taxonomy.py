"""The objection taxonomy file and the embedding categoriser."""

from __future__ import annotations

from typing import get_args

import pytest

from assistant.analysis.candidates import CandidateFinder
from assistant.analysis.lines import Line
from assistant.analysis.results import ObjectionCategory
from assistant.analysis.taxonomy import Categoriser, taxonomy
from assistant.index import Embedder

CLEAR_CASES = [
    ("Thirty thousand a year is way over what we can pay.", "price_budget"),
    ("We're slammed until the spring, this can't start before then.", "timing_priority"),
    ("Our procurement board has to approve every new vendor.", "authority_process"),
    ("We already use Salesforce for this and the team likes it.", "competitor_incumbent"),
    ("Where exactly would our patient data be stored?", "trust_risk_security"),
    ("Can it connect to our twenty-year-old ERP system?", "integration_technical"),
    ("Our lawyers won't sign a three-year term with auto-renewal.", "contract_legal"),
]


def test_the_file_defines_every_category_with_probes() -> None:
    kinds = taxonomy()
    assert list(kinds) == list(get_args(ObjectionCategory))
    assert all(c.probes and c.label for c in kinds.values())


@pytest.mark.parametrize(("text", "expected"), CLEAR_CASES)
def test_clear_objections_get_their_category(embedder: Embedder, text: str, expected: str) -> None:
    line = Line(1, 0.0, 3.0, "Pat", "prospect", text)
    assert Categoriser(embedder).category(CandidateFinder(embedder, [line]), line) == expected
