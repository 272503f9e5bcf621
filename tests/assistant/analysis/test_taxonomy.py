"""The objection taxonomy file and the embedding categoriser."""

from __future__ import annotations

from typing import get_args

import pytest

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
    assert Categoriser(embedder).category(embedder.embed([text])[0]) == expected


def test_the_models_words_for_the_concern_steer_the_category(embedder: Embedder) -> None:
    line = "Procurement signs off on the contract, and the yearly fee is more than we budgeted."
    categorise = Categoriser(embedder).category
    alone = categorise(embedder.embed([line])[0])
    with_words = categorise(*embedder.embed([line, "price too high"]))
    assert (alone, with_words) == ("authority_process", "price_budget")
