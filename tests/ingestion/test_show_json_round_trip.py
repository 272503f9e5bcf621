"""`callsight show --json` output imports back as the same transcript."""

from __future__ import annotations

import io
import json

from assistant import calls
from assistant.container import Container
from assistant.schemas import CallPublic
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM


def transcript_of(call: CallPublic) -> list[tuple[float, float, str, str, str]]:
    return [(s.start, s.end, s.speaker, s.role, s.text) for s in call.segments]


def test_a_shown_call_imports_back_with_the_same_segments_speakers_and_language(
    container: Container, fake_llm: FakeLLM
) -> None:
    enqueue_short_call_analysis(fake_llm)
    first = calls.accept_upload(
        container, io.BytesIO(SHORT_CALL.encode()), "call.txt", metadata=calls.parse_metadata(None)
    )
    shown = calls.get_call(container, first.id)
    exported = json.dumps(shown.model_dump(mode="json"), indent=2).encode()

    enqueue_short_call_analysis(fake_llm)
    again = calls.accept_upload(container, io.BytesIO(exported), "call.json", metadata=calls.parse_metadata(None))
    assert again.id != first.id
    reimported = calls.get_call(container, again.id)
    assert reimported.status == "done", reimported.error
    assert reimported.media_kind == "transcript"
    assert transcript_of(reimported) == transcript_of(shown)
    assert [(s.label, s.role) for s in reimported.speakers] == [(s.label, s.role) for s in shown.speakers]
    assert reimported.language == shown.language
    assert reimported.metrics == shown.metrics
