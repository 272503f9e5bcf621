"""Chat over the calls, with citations."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import ChatDep
from assistant.chat import MAX_QUESTION_CHARS, ChatAnswer, ChatFilters
from assistant.llm.base import ChatMessage

router = APIRouter(prefix="/v1/chat", tags=["chat"])


class ChatTurn(BaseModel):
    """An earlier question or answer in the same conversation."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


class ChatRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    filters: ChatFilters = ChatFilters()
    history: list[ChatTurn] = Field(default_factory=list, max_length=20)

    def history_messages(self) -> list[ChatMessage]:
        return [{"role": turn.role, "content": turn.content} for turn in self.history]


@router.post("", response_model=ChatAnswer)
async def chat(body: ChatRequest, service: ChatDep) -> ChatAnswer:
    """Answer from the calls only; with no evidence the answer says so and cites nothing."""
    return await run_in_threadpool(service.ask, body.question, body.filters, body.history_messages())
