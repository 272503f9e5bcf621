"""Reading a streamed chat reply as it arrives, and the chat service's events over a real index (fake LLM)."""

from __future__ import annotations

import json

import pytest

from assistant.chat import (
    ANSWER_MAX_CHARS,
    DoneEvent,
    SourcesEvent,
    TokenEvent,
    chat_service,
    instructions,
    warm_up,
)
from assistant.chat_stream import ReplyReader
from assistant.container import Container
from assistant.errors import LLMOutputError
from assistant.index import IndexItem
from tests.utils.fake_llm import FakeLLM


def fed(*pieces: str) -> ReplyReader:
    reader = ReplyReader()
    for piece in pieces:
        reader.feed(piece)
    return reader


def test_sources_are_known_once_their_list_closes():
    assert fed('{"sources": [1, ').sources() is None
    assert fed('{"sources": [1, 3]').sources() == [1, 3]
    assert fed('{"sources": []').sources() == []
    assert fed('{"answer": "x", "sources": [2]}').sources() is None  # not first: left to the final validation


@pytest.mark.parametrize(
    "pieces",
    [
        ['{"sources": [1], "answer": "Price is \\"too high', '\\", the CFO said."}'],
        ['{"sources": [1], "answer": "Price is \\', '"too high\\", the CFO said."}'],
        ['{"sources": [1], "answer": "Price is \\u00', '22too high\\u0022, the CFO said."}'],
    ],
)
def test_answer_grows_without_ever_showing_half_an_escape(pieces):
    reader = ReplyReader()
    seen = []
    for piece in pieces:
        reader.feed(piece)
        seen.append(reader.answer_so_far())
    assert seen[0] in ("Price is ", 'Price is "too high', 'Price is "')
    assert seen[-1] == 'Price is "too high", the CFO said.'
    assert all(seen[-1].startswith(s) for s in seen)


def test_half_a_surrogate_pair_waits_for_the_other_half():
    emoji = json.dumps("ok \U0001f600")[1:-1]  # ok \ud83d\ude00
    cut = emoji.index("\\ude00")
    assert fed('{"sources": [1], "answer": "' + emoji[:cut]).answer_so_far() == "ok "
    assert fed('{"sources": [1], "answer": "' + emoji + '"}').answer_so_far() == "ok \U0001f600"


@pytest.fixture
def service(container: Container):
    container.index.add(
        [
            IndexItem(
                id="c1:objection:0",
                text='Objection about price: "Acme Insights quoted us less, so price is a concern."',
                metadata={
                    "call_id": "c1",
                    "call_title": "Northwind intro",
                    "kind": "objection",
                    "start": 36.4,
                    "end": 40.0,
                    "speaker": "Tom",
                    "speaker_role": "prospect",
                    "quote": "Acme Insights quoted us less, so price is a concern.",
                },
            )
        ]
    )
    return chat_service(container)


def test_reply_that_does_not_parse_is_asked_again_before_anything_is_shown(service, fake_llm: FakeLLM):
    fake_llm.enqueue("Sure! Here is my answer.", {"sources": [1], "answer": "Acme is cheaper."})
    got = list(service.stream("What do they say about price?"))
    assert [type(e) for e in got] == [SourcesEvent, TokenEvent, DoneEvent]
    assert got[-1].answer.answer == "Acme is cheaper."
    assert got[-1].answer.citations[0].quote == "Acme Insights quoted us less, so price is a concern."
    assert fake_llm.json_schemas[-1] is not None and len(fake_llm.history) == 2


def test_reply_broken_after_its_answer_was_shown_is_an_error(service, fake_llm: FakeLLM):
    fake_llm.enqueue('{"sources": [1], "answer": "Acme is cheaper." BROKEN')
    stream = service.stream("What do they say about price?")
    assert isinstance(next(stream), SourcesEvent)
    with pytest.raises(LLMOutputError, match="invalid answer"):
        list(stream)


def test_an_answer_that_there_is_no_evidence_cites_nothing_even_after_choosing_a_source(service, fake_llm):
    fake_llm.enqueue({"sources": [1], "answer": "The calls hold no evidence about this."})
    got = list(service.stream("What do they say about price?"))
    assert isinstance(got[0], SourcesEvent) and got[0].citations  # sent as soon as the model chose them
    assert got[-1].answer.answer == "The calls hold no evidence about this."
    assert got[-1].answer.citations == []


def test_the_prompt_opens_with_the_same_instructions_for_every_question_and_warm_up_reads_them(
    service, container: Container, fake_llm: FakeLLM
):
    fake_llm.enqueue({"sources": [1], "answer": "Acme is cheaper."}, {"sources": [], "answer": "None."})
    list(service.stream("What do they say about price?"))
    list(service.stream("Which competitor is cheaper?"))
    warm_up(container)

    first, second = fake_llm.history
    assert first[0] == second[0] == instructions()
    assert first[0]["role"] == "system" and "never add facts" in first[0]["content"]
    assert fake_llm.prefilled == [[instructions()]]
    assert first[1:] != second[1:]  # only what follows the instructions changes


def test_a_failed_warm_up_is_only_logged(container: Container, fake_llm: FakeLLM, monkeypatch, caplog):
    def broken(_messages):
        raise LLMOutputError("no model")

    monkeypatch.setattr(fake_llm, "prefill", broken)
    warm_up(container)
    assert "warm-up failed" in caplog.text


def test_the_model_reads_the_answering_sentence_and_the_citation_keeps_the_whole_quote(
    container: Container, fake_llm: FakeLLM
):
    quote = (
        "Sure, happy to. We set aside about forty thousand dollars this year for analytics software. "
        "That is for the software and the setup together, and the board signed it off in March."
    )
    container.index.add(
        [
            IndexItem(
                id="c2:quote:3",
                text=quote,
                metadata={"call_id": "c2", "call_title": "Acme Corp discovery call with the CFO", "quote": quote},
            )
        ]
    )
    fake_llm.enqueue({"sources": [1], "answer": "About forty thousand dollars this year."})
    answer = chat_service(container).ask("How much budget have they set aside?")

    prompt = fake_llm.history[-1][-1]["content"]
    assert "[1] Acme Corp discovery call (unknown): We set aside about forty thousand dollars this year" in prompt
    assert "board signed" not in prompt and "with the CFO" not in prompt
    assert [(c.quote, c.call_title) for c in answer.citations] == [(quote, "Acme Corp discovery call with the CFO")]
    schema = fake_llm.json_schemas[-1]
    assert schema is not None
    assert schema["properties"]["answer"]["maxLength"] == ANSWER_MAX_CHARS
