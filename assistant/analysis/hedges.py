"""Whether a prospect hedges what they state: "next July at the earliest", "probably in the fall", "before
the busy season would be nice, but I don't want to promise anything". The labelling guide calls such a
timeline partial, and the small local model reads the date in it as met (7 of the team's labelled calls).
The words are the criterion's `hedge_terms` in the criteria YAML."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Any run of spaces in a term matches any run in the text; apostrophes match either spelling.
    alternatives = "|".join(re.escape(t).replace(r"\ ", r"\s+").replace("'", "['\u2019]") for t in terms)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def hedge(terms: tuple[str, ...], text: str) -> str | None:
    """The first of `terms` that `text` says ("at the earliest"), or None."""
    if not terms:
        return None
    found = _pattern(terms).search(text)
    return found.group(0) if found else None
