"""Whether a prospect's words state a time, a number or a person who decides: what some criteria's "met"
needs (`met_needs` in the criteria YAML). The small model calls "Forever." or "Good." a timeline (seen on
agentune calls), and "No. Our investors haven't asked." a decision maker (team calls); a "met" whose
evidence states no such thing is not what the definition asks for."""

from __future__ import annotations

import re
from typing import Literal

Needs = Literal["time", "number", "person"]

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|"
    "seventy|eighty|ninety|hundred|thousand|million|billion|dozen|half"
)
_UNITS = "minutes?|hours?|days?|weeks?|months?|quarters?|years?|seasons?"
_DURATION = rf"(?:\d+|{_NUMBER_WORDS}|a|couple|few|several)(?:\ of)?[\s-]+(?:{_UNITS})"
_MONTHS = "january|february|march|april|june|july|august|september|october|november|december"
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_TIME = re.compile(
    rf"""\b(?:
        {_MONTHS}|{_WEEKDAYS}|today|tomorrow|tonight|weekend|yesterday
        | (?:in|by|before|until|end\ of|start\ of|beginning\ of|early|mid|late)\ may  # "may" alone is mostly the verb
        | q[1-4] | h[12] | (?:19|20)\d\d | fy\d\d
        | (?:next|this|last|coming|same)\ (?:{_UNITS}|spring|summer|fall|autumn|winter)
        | (?:end|start|beginning|middle)\ of\ (?:the\ |this\ |next\ )?(?:{_UNITS})
        # A duration is a point in time only when counted from now: "in two weeks", "six months out".
        # "Three years." (how long someone has worked there) and "ten hours a week" are amounts, not timelines.
        | (?:in|within|next|after)\ (?:the\ next\ |a\ )?{_DURATION}
        | {_DURATION}\ (?:from\ now|out|away|time)
        | spring|summer|autumn|winter|season|holidays?|quarter|semester|fiscal\ year|year[\s-]end
        | deadline|renewal|renews?|expires?|expiry|go[\s-]live|launch|kick[\s-]?off
        | asap|as\ soon\ as\ possible|immediately|right\ away
        )\b
        | \d{{1,2}}/\d{{1,2}}
        | \[(?:DATE|DATE_INTERVAL|DURATION|EVENT|TIME)\]              # redacted dates in anonymised transcripts
    """,
    re.IGNORECASE | re.VERBOSE,
)
_NUMBER = re.compile(
    rf"\d|%|\$|€|£|\b(?:{_NUMBER_WORDS}|percent|twice|doubled?|tripled?|halved?)\b|\[MONEY_AMOUNT\]",
    re.IGNORECASE,
)
# Who decides or signs, by role or by the prospect's own say: "Linda Park, our VP of operations, signs the
# contract", "It's my call", "If I like it, I buy it". Names alone are not enough: "Phil takes the call" names
# a dispatcher.
_PERSON = re.compile(
    r"""\b(?:
        decid\w* | decision\w* | (?:my|your|his|her|their|our)\ call | final\ say | a\ say
        | sign | signs | signed | signing | signature | sign-off | approv\w* | purse\ strings | budget\ holder
        | up\ to\ me | (?:it['\u2019]s|it\ is|it\ would\ be|that['\u2019]s)\ mine
        | i\ own | owns | owner | my\ (?:company|business)
        | i\ pick | i\ choose | i\ buy
        | founders? | co-?founders? | partners | ceo | cfo | coo | cto | cio | ciso | vp | (?:vice\ )?president
        | director | head\ of | chief | executives? | leadership | management | (?<!password\ )managers? | boss
        | board | committee | procurement | controller | superintendent | principal
        )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PATTERNS: dict[str, re.Pattern[str]] = {"time": _TIME, "number": _NUMBER, "person": _PERSON}


def mentions(needs: Needs, text: str) -> bool:
    """Whether `text` states a time (a date, period, deadline or season), a number, or a person who decides,
    as `needs` says."""
    return _PATTERNS[needs].search(text) is not None
