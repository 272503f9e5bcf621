"""Whether a prospect's words rule a criterion out: a negation right before one of the criterion's
`not_met_terms` ("There's no money for new software this year.", "I don't have any budget.", "We can't
afford it.", "I don't really have a problem that needs fixing."). The small local model reads such a line
as "the call does not mention a budget" and answers unknown, or reads "met" into the prospect's description
of their business (seen on the team's labelled calls), so the line is found in code.

Only possession words may stand between the negation and the term, so "I don't know the budget" is no
denial, and a clause break ends it ("No, budget is fine.")."""

from __future__ import annotations

import re
from functools import lru_cache

_NEGATION = r"(?:no|not|never|nothing|none|zero|cannot|\w+n['\u2019]t)"
# Words that may sit between the negation and the term without changing what is denied.
# "I don't think we have a problem that needs this" denies as plainly as "we don't have a problem".
_POSSESSION = r"(?:really|have|has|had|got|any|much|enough|the|a|an|extra|spare|more|our|my|real|think|we|i)"


@lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(term) for term in terms)
    # "We haven't got budget approved yet" is an unapproved budget (partial), not a missing one.
    return re.compile(
        rf"\b{_NEGATION}(?:\s+{_POSSESSION})*\s+(?:{alternatives})\b(?!\s+(?:approved|signed|yet)\b)", re.IGNORECASE
    )


def denial(terms: tuple[str, ...], text: str) -> str | None:
    """The words in `text` that deny one of `terms` ("don't really have money"), or None."""
    if not terms:
        return None
    found = _pattern(terms).search(text)
    return found.group(0) if found else None
