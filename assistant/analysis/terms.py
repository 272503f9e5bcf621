"""Whether a text says one of a criterion's terms from the criteria YAML: a hedge in a stated timeline
("next July at the earliest", "probably in the fall"), or a rep's question about the criterion ("Can I ask
about budget?"). Terms are words and phrases both teams can read and edit, not regular expressions."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Any run of spaces in a term matches any run in the text; apostrophes match either spelling.
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+").replace("'", "['\u2019]") for t in terms)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def first_term(terms: tuple[str, ...], text: str) -> str | None:
    """The first of `terms` that `text` says ("at the earliest"), as written in `text`, or None."""
    if not terms:
        return None
    found = _pattern(terms).search(text)
    return found.group(0) if found else None
