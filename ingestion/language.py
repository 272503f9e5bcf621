"""Which language an imported transcript is in (audio gets Whisper's guess): by the most common words.

A few hundred words of conversation contain dozens of function words; counting them is enough to tell
the languages sales teams call in apart, without a model."""

from __future__ import annotations

import re

_STOPWORDS = {
    "en": "the and is are you that this for with have what we it not our",
    "es": "el la los las que es en un una por para con pero muy nosotros usted",
    "de": "der die das und ist nicht wir sie ein eine mit für auf aber auch",
    "fr": "le la les et est des une pour avec nous vous pas mais que sur",
    "pt": "o os as que não uma para com mas muito nós você está são",
    "it": "il lo gli che è non una per con ma molto noi siamo sono della",
    "nl": "de het een en is niet wij jullie met voor maar ook dat zijn",
}
_WORDS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of the language whose common words `text` uses most; `default` if none stand out."""
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if not tokens:
        return default
    counts = {lang: sum(1 for t in tokens if t in words) for lang, words in _WORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] > counts[default] and counts[best] >= 2 else default
