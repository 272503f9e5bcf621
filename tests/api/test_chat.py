"""Chat over indexed calls: cited answers from several calls, and an honest "no evidence"."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

OTHER_CALL = """\
Rep: Thanks for joining, Priya. How do you track renewals today?
Prospect: In spreadsheets, and we missed three renewals last quarter.
Rep: Is there a budget for a tool?
Prospect: Honestly the price you sent is too expensive for us, Acme Insights is half that.
Rep: I understand. Who would approve the purchase?
Prospect: Our VP of finance approves anything like this.
Rep: And timing?
Prospect: We need something before our fiscal year starts in January.
Prospect: My worry is that our IT team is tiny.
Rep: We handle the setup. I'll send a proposal on Monday.
Prospect: Fine, send it over.
Rep: Great, talk soon.
"""


def upload(client: TestClient, text: str, name: str, metadata: dict[str, str] | None = None) -> dict:
    data = {"metadata": json.dumps(metadata)} if metadata else {}
    response = client.post("/v1/calls", files={"file": (name, text.encode(), "text/plain")}, data=data)
    assert response.status_code == 202, response.text
    call = client.get(f"/v1/calls/{response.json()['id']}").json()
    assert call["status"] == "done", call["error"]
    return call


def test_answer_cites_two_calls_with_quotes_from_their_transcripts(client: TestClient, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    first = upload(client, SHORT_CALL, "northwind.txt")
    enqueue_short_call_analysis(fake_llm)  # line ids 9 and 11 are prospect lines in both calls
    second = upload(client, OTHER_CALL, "renewals.txt")

    fake_llm.enqueue({"answer": "Prospects compare our price with Acme Insights.", "sources": [1, 2, 3]})
    response = client.post("/v1/chat", json={"question": "What do prospects say about price versus Acme?"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["answer"] == "Prospects compare our price with Acme Insights."
    transcripts = {c["id"]: {s["text"] for s in c["segments"]} for c in (first, second)}
    cited_calls = {c["call_id"] for c in answer["citations"]}
    assert cited_calls == set(transcripts)
    for citation in answer["citations"]:
        assert citation["quote"] in transcripts[citation["call_id"]]
        assert citation["speaker_role"] == "prospect"
    sources = fake_llm.history[-1][-1]["content"]
    assert "Acme Insights quoted us less" in sources and "Acme Insights is half that" in sources


def test_question_the_calls_never_discuss_gets_no_evidence_and_no_citations(
    client: TestClient, fake_llm: FakeLLM
) -> None:
    enqueue_short_call_analysis(fake_llm)
    upload(client, SHORT_CALL, "northwind.txt")
    calls_before = len(fake_llm.history)
    response = client.post("/v1/chat", json={"question": "What is the boiling point of mercury on Mars?"})
    assert response.json() == {"answer": "The calls hold no evidence about this.", "citations": []}
    assert len(fake_llm.history) == calls_before  # the model is not even asked


def test_model_that_cites_nothing_yields_no_evidence(client: TestClient, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    upload(client, SHORT_CALL, "northwind.txt")
    fake_llm.enqueue({"answer": "Pricing is usually fine in this industry.", "sources": []})
    answer = client.post("/v1/chat", json={"question": "What do prospects think of the price?"}).json()
    assert answer == {"answer": "The calls hold no evidence about this.", "citations": []}


def test_filters_restrict_what_chat_draws_from(client: TestClient, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    upload(client, SHORT_CALL, "northwind.txt")
    fake_llm.enqueue({"answer": "Implementation time worries them.", "sources": [1]})
    body = {"question": "What worries prospects?", "filters": {"category": "integration_technical"}}
    answer = client.post("/v1/chat", json=body).json()
    assert [c["kind"] for c in answer["citations"]] == ["objection"]
    assert "IT team has no time" in answer["citations"][0]["quote"]
