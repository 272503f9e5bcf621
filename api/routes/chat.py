"""Chat over the calls, with citations: one answer as JSON or Markdown, or streamed as server-sent events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Generator
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from fastapi.sse import format_sse_event
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import ScopedChatDep
from api.responses import errors
from assistant.chat import ChatAnswer, ChatEvent, ChatFilters, SourcesEvent, TokenEvent
from assistant.chat_export import answer_markdown
from assistant.errors import CallsightError
from assistant.llm.base import ChatMessage

router = APIRouter(prefix="/v1/chat", tags=["chat"], responses=errors(401, 403))


class ChatTurn(BaseModel):
    """An earlier question or answer in the same conversation."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


class ChatRequest(BaseModel):
    # The length limit is a setting (`max_question_chars`), checked by the chat service: 422 with its message.
    question: str = Field(min_length=1)
    filters: ChatFilters = ChatFilters()
    history: list[ChatTurn] = Field(
        default_factory=list, max_length=20, description="Earlier turns, oldest first; the client keeps them."
    )

    def history_messages(self) -> list[ChatMessage]:
        return [{"role": turn.role, "content": turn.content} for turn in self.history]


@router.post(
    "",
    response_model=ChatAnswer,
    responses={200: {"content": {"text/markdown": {}}}, **errors(400, 422, 502, 503)},
)
async def chat(
    body: ChatRequest, service: ScopedChatDep, request: Request, format: Literal["json", "markdown"] = "json"
) -> ChatAnswer | Response:
    """Answer from the calls only (for a sales key, its own calls); with no evidence the answer says so and
    cites nothing.
    `format=markdown` returns the answer and its sources as Markdown for content work."""
    answer = await run_in_threadpool(service.ask, body.question, body.filters, body.history_messages())
    if format == "markdown":
        markdown = answer_markdown(body.question, answer, base_url=str(request.base_url))
        return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")
    return answer


@router.post(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."}, **errors(400)},
)
async def chat_stream(body: ChatRequest, service: ScopedChatDep, request: Request) -> StreamingResponse:
    """The same answer as server-sent events: `sources` (the citations), `token` (pieces of the answer's
    text), then `done` (the whole answer with its Markdown; its citations are final, and empty when the
    answer turns out to be that the calls hold no evidence), or `error` with a `detail`."""
    # A plain StreamingResponse rather than FastAPI's EventSourceResponse: when the reader leaves, this one
    # cancels the generator at once, while that one leaves it suspended (measured: until server shutdown),
    # and a suspended chat stream keeps holding the local model.
    events = _events(body, service.stream(body.question, body.filters, body.history_messages()), str(request.base_url))
    return StreamingResponse(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def _events(body: ChatRequest, events: Generator[ChatEvent, None, None], base_url: str) -> AsyncIterator[bytes]:
    try:
        while (event := await run_in_threadpool(next, events, None)) is not None:
            yield _encode(body.question, event, base_url)
    except CallsightError as exc:
        # The response has started, so the status code is already sent: the error is the last event.
        yield format_sse_event(event="error", data_str=json.dumps({"detail": exc.message}))
    finally:
        # Closing the chat stream stops generation and frees the model, also when the reader left early.
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(events.close)


def _encode(question: str, event: ChatEvent, base_url: str) -> bytes:
    data: Any
    if isinstance(event, SourcesEvent):
        name, data = "sources", [c.model_dump(mode="json") for c in event.citations]
    elif isinstance(event, TokenEvent):
        name, data = "token", event.text
    else:
        markdown = answer_markdown(question, event.answer, base_url=base_url)
        name, data = "done", {**event.answer.model_dump(mode="json"), "markdown": markdown}
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))
