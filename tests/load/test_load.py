"""Bounded load on loopback: the real app under uvicorn with its in-process job consumer (real SQLite, Chroma,
transcriber; the fake LLM), 50 uploads and 200 chat questions sent at once. Nothing may fail and nothing may be
lost: every upload becomes one call that is processed to the end and indexed once, and the queue drains.

The figures it saw (latency, throughput) are printed with `pytest -s`; timings are not asserted, the machine
may be busy. Bigger runs against any server: `python -m eval.bench_load`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from assistant.chat import ChatAnswer
from assistant.container import Container
from assistant.db.models import Call, Job
from assistant.indexing import items_for_call
from eval import load
from eval.servers import serving
from tests.utils.audio import require_tools
from tests.utils.fake_llm import FakeLLM
from tests.utils.schema_replies import keep_answering
from tests.utils.stores import index_entries

UPLOADS = 50
CHATS = 200
# An analysis asks 6 questions (summary, 4 BANT criteria, objections); a chat with evidence asks 1.
REPLIES = UPLOADS * 6 + CHATS
QUESTIONS = (
    "What do prospects say about price?",
    "Which competitors come up?",
    "When do prospects want to start?",
    "Who signs off on the budget?",
)
SETTLE_TIMEOUT_S = 240


def _clips() -> list[tuple[str, bytes]]:
    # Spoken clips rather than transcripts: each upload then takes the whole path (decode, transcribe,
    # diarize, analyse, index) and the 50 still settle in about a minute and a half on 2 busy cores (measured:
    # about 2 s a clip, the same as a 12-line transcript, whose analysis and index are bigger).
    require_tools()
    return [
        (f"clip-{n}.wav", load.spoken_clip(f"Call {n}. Our budget is {n + 10} thousand dollars, starting in May."))
        for n in range(UPLOADS)
    ]


@pytest.fixture
def live_url(container: Container, fake_llm: FakeLLM) -> Iterator[str]:
    """The app under uvicorn; jobs go to the server's own consumer thread, as under `callsight serve`."""
    keep_answering(fake_llm, REPLIES)
    container.queue.huey.immediate = False
    with serving(container) as url:
        yield url


def test_concurrent_uploads_and_chats_all_succeed_and_nothing_is_lost(
    container: Container, fake_llm: FakeLLM, live_url: str, admin_headers: dict[str, str]
) -> None:
    clips = _clips()
    questions = [QUESTIONS[n % len(QUESTIONS)] for n in range(CHATS // 2)]

    # Half the questions arrive with the uploads (while the index is being filled), half once all are done.
    burst = asyncio.run(load.fire(live_url, admin_headers, clips, questions))
    assert [(s.status, s.body["created"]) for s in burst.uploads] == [(202, True)] * UPLOADS, burst.uploads
    call_ids = [str(s.body["id"]) for s in burst.uploads]
    assert len(set(call_ids)) == UPLOADS
    statuses, settled_s = asyncio.run(load.settle(live_url, admin_headers, call_ids, SETTLE_TIMEOUT_S))
    after = asyncio.run(load.fire(live_url, admin_headers, [], questions))
    print(json.dumps({"with uploads": load.figures(burst, settled_s), "after": load.figures(after, 0.0)}, indent=2))

    assert statuses == dict.fromkeys(call_ids, "done")
    for sample in burst.chats + after.chats:
        assert sample.status == 200, sample
        ChatAnswer.model_validate(sample.body)
    assert all(sample.body["citations"] for sample in after.chats), "a question found no evidence in 50 calls"

    with container.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == UPLOADS
        assert session.scalars(select(Job.status).distinct()).all() == ["done"]
    assert container.queue.pending() == 0
    for call_id in call_ids:
        stored = index_entries(container, call_id)["ids"]
        expected = [item.id for item in items_for_call(container, call_id)]
        assert expected, f"call {call_id} has nothing to index"
        assert sorted(stored) == sorted(expected), call_id
