"""Small sample calls for tests, as `Speaker: text` transcripts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from assistant.db.models import CallStatus

SHORT_CALL = """\
Rep: Thanks for taking the time today, Tom. What made you look at Lumen?
Prospect: Our dispatchers waste about ten hours a week re-entering orders by hand, and errors cost us customers.
Rep: That sounds painful. Do you have a budget in mind for fixing it?
Prospect: We set aside about forty thousand dollars for this project this year.
Rep: And who else is involved in the decision?
Prospect: Our CFO Dana Ruiz signs off on anything over twenty-five thousand.
Rep: When would you want this running?
Prospect: We want it live before the end of the third quarter.
Prospect: Honestly, Acme Insights quoted us less, so price is a concern.
Rep: Understood, we include onboarding, which Acme charges extra for.
Prospect: I'm also worried our IT team has no time for a long implementation.
Rep: I'll send the security questionnaire by Friday and set up a demo with Dana next Tuesday.
"""


def write_call(directory: Path, text: str = SHORT_CALL, name: str = "call.txt") -> Path:
    """Write a transcript file and return its path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def wait_done(client: TestClient, call_id: str, timeout: float = 60) -> dict[str, Any]:
    """The call through the API once it is done or failed; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        call = client.get(f"/v1/calls/{call_id}").json()
        if call["status"] in CallStatus.SETTLED:
            return call
        time.sleep(0.2)
    raise AssertionError(f"call {call_id} did not finish: {call['status']}")
