"""Streaming chat over server-sent events, Markdown export, follow-ups and metadata filters, over indexed calls
(real SQLite, Chroma and embeddings; fake LLM)."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from assistant.chat import ANSWER_MAX_CHARS, instructions
from tests.api.test_chat import OTHER_CALL, upload
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

PRICE = "What do prospects say about price versus Acme?"


def events(body: str) -> list[tuple[str, Any]]:
    """The (event, data) pairs of a text/event-stream body."""
    parsed = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line and not line.startswith(":"))
        if "data" in fields:
            parsed.append((fields.get("event", "message"), json.loads(fields["data"])))
    return parsed


def two_calls(client: TestClient, fake_llm: FakeLLM) -> dict[str, set[str]]:
    """Upload the two sample calls (Northwind with rep Maya from a webinar, the other outbound); their
    transcripts by call id."""
    enqueue_short_call_analysis(fake_llm)
    first = upload(client, SHORT_CALL, "northwind.txt", {"rep": "Maya", "lead_source": "webinar"})
    enqueue_short_call_analysis(fake_llm)
    second = upload(client, OTHER_CALL, "renewals.txt", {"rep": "Sam", "lead_source": "outbound"})
    return {c["id"]: {s["text"] for s in c["segments"]} for c in (first, second)}


def test_stream_sends_sources_first_then_tokens_then_the_whole_answer(client: TestClient, fake_llm: FakeLLM) -> None:
    transcripts = two_calls(client, fake_llm)
    # In the order the schema asks for: sources, then the answer.
    fake_llm.enqueue('{"sources": [1, 2], "answer": "Both compare our price with \\"Acme Insights\\"."}')
    response = client.post("/v1/chat/stream", json={"question": PRICE})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response.text)
    names = [name for name, _ in got]
    assert names[0] == "sources" and names[-1] == "done"
    assert set(names[1:-1]) == {"token"} and len(names) > 3
    tokens = "".join(data for name, data in got if name == "token")
    assert tokens == 'Both compare our price with "Acme Insights".'
    done = got[-1][1]
    assert done["answer"] == tokens
    assert done["citations"] == got[0][1]
    assert {c["call_id"] for c in done["citations"]} == set(transcripts)
    for citation in done["citations"]:
        assert citation["quote"] in transcripts[citation["call_id"]]
        assert citation["link"] == f"/calls/{citation['call_id']}?t={citation['start']:.1f}"
    assert done["markdown"].startswith(f"## {PRICE}\n\n{tokens}\n\n### Sources\n")
    assert fake_llm.json_schemas[-1] is not None  # the streamed reply is schema-constrained too


def test_streamed_and_plain_answers_agree(client: TestClient, fake_llm: FakeLLM) -> None:
    two_calls(client, fake_llm)
    reply = {"answer": "Acme Insights is cheaper.", "sources": [2]}  # answer first: sources known only at the end
    fake_llm.enqueue(reply, reply)
    streamed = events(client.post("/v1/chat/stream", json={"question": PRICE}).text)
    plain = client.post("/v1/chat", json={"question": PRICE}).json()
    assert [name for name, _ in streamed] == ["sources", "token", "done"]
    assert {k: v for k, v in streamed[-1][1].items() if k != "markdown"} == plain
    assert len(plain["citations"]) == 1


def test_answer_cut_at_the_length_limit_ends_at_its_last_whole_sentence(client: TestClient, fake_llm: FakeLLM) -> None:
    two_calls(client, fake_llm)
    whole = "Acme Insights is cheaper. Both prospects compare it with our price. "
    cut = (whole + "They were concerned about the potential for " + "x" * ANSWER_MAX_CHARS)[:ANSWER_MAX_CHARS]
    fake_llm.enqueue({"sources": [1, 2], "answer": cut})
    got = events(client.post("/v1/chat/stream", json={"question": PRICE}).text)
    assert got[-1][0] == "done"
    assert got[-1][1]["answer"] == whole.strip()  # what the page shows once the answer is complete


def test_stream_with_no_evidence_cites_nothing(client: TestClient, fake_llm: FakeLLM) -> None:
    two_calls(client, fake_llm)
    asked = len(fake_llm.history)
    got = events(
        client.post("/v1/chat/stream", json={"question": "What is the boiling point of mercury on Mars?"}).text
    )
    assert got[0] == ("sources", [])
    assert got[-1][1]["answer"] == "The calls hold no evidence about this." and got[-1][1]["citations"] == []
    assert len(fake_llm.history) == asked


def test_model_choosing_no_source_stops_early_and_answers_no_evidence(client: TestClient, fake_llm: FakeLLM) -> None:
    two_calls(client, fake_llm)
    fake_llm.enqueue('{"sources": [], "answer": "Pricing is usually fine in this industry."}')
    got = events(client.post("/v1/chat/stream", json={"question": PRICE}).text)
    assert [name for name, _ in got] == ["sources", "token", "done"]
    assert got[1][1] == "The calls hold no evidence about this."
    assert "usually fine" not in json.dumps(got)


def test_markdown_export_lists_each_source_with_its_quote_and_link(client: TestClient, fake_llm: FakeLLM) -> None:
    two_calls(client, fake_llm)
    fake_llm.enqueue({"sources": [1], "answer": "Acme Insights is cheaper."})
    response = client.post("/v1/chat", params={"format": "markdown"}, json={"question": PRICE})
    assert response.headers["content-type"].startswith("text/markdown")
    lines = response.text.splitlines()
    assert lines[:3] == [f"## {PRICE}", "", "Acme Insights is cheaper."]
    assert lines[4] == "### Sources"
    assert lines[6].startswith("1. [") and "](http://testserver/calls/" in lines[6] and "?t=" in lines[6]
    assert lines[7].startswith("   > ") and "Acme Insights" in lines[7]


def test_follow_up_sends_earlier_turns_and_searches_with_the_previous_question(
    client: TestClient, fake_llm: FakeLLM
) -> None:
    two_calls(client, fake_llm)
    fake_llm.enqueue({"sources": [1], "answer": "The CFO signs off."})
    history = [
        {"role": "user", "content": "Who approves the purchase?"},
        {"role": "assistant", "content": "A CFO or a VP of finance."},
    ]
    answer = client.post("/v1/chat", json={"question": "And at which company?", "history": history}).json()
    prompt = fake_llm.history[-1]
    assert [m["role"] for m in prompt] == ["system", "user", "assistant", "user"]
    assert prompt[2]["content"] == "A CFO or a VP of finance."
    # "And at which company?" alone matches nothing; with the previous question it finds the approver lines.
    assert answer["citations"], answer
    assert any(w in answer["citations"][0]["quote"] for w in ("CFO", "finance"))


def test_metadata_filters_restrict_the_sources(client: TestClient, fake_llm: FakeLLM) -> None:
    transcripts = two_calls(client, fake_llm)
    fake_llm.enqueue({"sources": [1, 2], "answer": "Price comes up."})
    body = {"question": PRICE, "filters": {"rep": "Sam", "speaker_role": "prospect"}}
    answer = client.post("/v1/chat", json=body).json()
    sam = next(i for i, texts in transcripts.items() if any("Priya" in t or "half that" in t for t in texts))
    assert answer["citations"] and {c["call_id"] for c in answer["citations"]} == {sam}

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    later = client.post("/v1/chat", json={"question": PRICE, "filters": {"date_from": tomorrow}}).json()
    assert later == {"answer": "The calls hold no evidence about this.", "citations": []}
    bad = client.post("/v1/chat", json={"question": PRICE, "filters": {"date_from": "soon"}})
    assert bad.status_code == 422
    unknown = client.post("/v1/chat/stream", json={"question": PRICE, "filters": {"mood": "happy"}})
    assert unknown.status_code == 422


def test_the_server_reads_chat_instructions_into_the_model_at_start_up(client: TestClient, fake_llm: FakeLLM) -> None:
    # In a background thread, so the API answers while the model loads.
    assert client.get("/healthz").status_code == 200
    deadline = time.monotonic() + 10
    while not fake_llm.prefilled and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake_llm.prefilled == [[instructions()]]
    assert fake_llm.history == []  # no question was asked, and no queued reply used
