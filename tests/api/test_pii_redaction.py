"""PII end to end: a call whose prospect gives an email address and a card number goes through the pipeline
(fake LLM); neither string reaches the index, a CRM write-back or a chat citation, while the call page keeps
the raw transcript."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant import calls
from assistant.container import Container
from assistant.llm.base import ChatMessage
from assistant.schemas import CallMetadata
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_crm import FakeCRM, running_fake_crm
from tests.utils.fake_llm import FakeLLM
from tests.utils.stores import index_entries

EMAIL = "tom.baker@northwind.example"
CARD = "4111 1111 1111 1111"
BUDGET = "We set aside about forty thousand dollars for this project this year."
AUTHORITY = "Our CFO Dana Ruiz signs off on anything over twenty-five thousand."
# The same call with PII in two prospect lines that are evidence (budget, authority); line ids are unchanged.
PII_CALL = SHORT_CALL.replace(BUDGET, f"{BUDGET} Send the paperwork to {EMAIL}.").replace(
    AUTHORITY, f"{AUTHORITY} The deposit can go on card {CARD}."
)


@pytest.fixture
def crm(container: Container) -> Iterator[FakeCRM]:
    with running_fake_crm() as fake:
        fake.point(container.settings)
        yield fake


def process(container: Container, fake_llm: FakeLLM) -> str:
    enqueue_short_call_analysis(fake_llm)
    metadata = CallMetadata.model_validate({"crm": {"provider": "generic", "deal_id": "D-1"}})
    return calls.accept_upload(container, io.BytesIO(PII_CALL.encode()), "call.txt", metadata=metadata).id


def cite_everything(_messages: list[ChatMessage], schema: dict[str, Any] | None) -> dict[str, Any]:
    """The chat reply citing every excerpt it was offered."""
    assert schema is not None
    offered = schema["properties"]["sources"]["items"]["enum"]
    return {"sources": offered, "answer": "Send it by email; the deposit goes on a card."}


def test_email_and_card_never_leave_the_transcript_store(
    client: TestClient, container: Container, fake_llm: FakeLLM, crm: FakeCRM
) -> None:
    call_id = process(container, fake_llm)
    call = client.get(f"/v1/calls/{call_id}").json()
    assert call["status"] == "done", call["error"]
    raw = " ".join(segment["text"] for segment in call["segments"])
    assert EMAIL in raw and CARD in raw  # the call page keeps the raw transcript

    indexed = index_entries(container, call_id)
    stored = json.dumps([indexed["documents"], indexed["metadatas"]])
    assert EMAIL not in stored and CARD not in stored
    assert "[EMAIL]" in stored and "[CARD]" in stored  # the lines were indexed, redacted

    (write_back,) = crm.generic
    body = json.dumps(write_back["body"])
    assert EMAIL not in body and CARD not in body
    assert "[EMAIL]" in body and "[CARD]" in body  # the evidence quotes went back, redacted

    fake_llm.enqueue(cite_everything)
    question = {"question": "Where should the paperwork and the deposit go?", "filters": {"call_id": call_id}}
    response = client.post("/v1/chat", json=question)
    assert response.status_code == 200, response.text
    answer = response.json()
    quotes = json.dumps(answer["citations"])
    assert EMAIL not in quotes and CARD not in quotes
    assert "[EMAIL]" in quotes and "[CARD]" in quotes
    sources_shown_to_model = fake_llm.history[-1][-1]["content"]
    assert EMAIL not in sources_shown_to_model and CARD not in sources_shown_to_model


def test_redaction_can_be_turned_off(client: TestClient, container: Container, fake_llm: FakeLLM, crm: FakeCRM) -> None:
    container.settings.redact_pii = False
    call_id = process(container, fake_llm)
    assert EMAIL in json.dumps(index_entries(container, call_id)["documents"])
    (write_back,) = crm.generic
    assert CARD in json.dumps(write_back["body"])
