"""Marketing's questions answered from the calls, citing call, time and verbatim quote, or saying there is none."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    create_model,
)

import prompts
from assistant.auth import within_scope
from assistant.chat_excerpts import Excerpt, excerpts, quote_of
from assistant.chat_stream import ReplyReader
from assistant.container import Container
from assistant.errors import InvalidInputError, LLMOutputError
from assistant.index.embeddings import Embedder
from assistant.index.store import Hit, InsightIndex
from assistant.llm.base import LLM, ChatMessage
from assistant.llm.structured import complete_structured, strip_code_fences, whole_sentences
from assistant.schemas import IsoDate

log = logging.getLogger(__name__)

NO_EVIDENCE = "The calls hold no evidence about this."
# Follow-ups: the model sees this many earlier messages (two exchanges), each cut to this length, so a long
# conversation never crowds the excerpts out of the context; every 100 characters cost the local model about
# 0.4 s of reading before its first token, and an earlier answer is at most ANSWER_MAX_CHARS anyway.
HISTORY_MESSAGES = 4
HISTORY_CHARS = 500
# The answer is asked for in 1 to 3 short sentences; the schema caps it at this many characters (about 100
# tokens, 6 s of generation here) so a rambling reply still ends well within the 20 s an answer may take,
# and as valid JSON. The token cap is only a backstop above the sources list plus that answer.
ANSWER_MAX_CHARS = 450
ANSWER_MAX_TOKENS = 200
TITLE_WORDS = 4


def call_link(call_id: str, start: float) -> str:
    """The call page opened at a moment: the web app seeks its player there."""
    return f"/calls/{call_id}?t={start:.1f}"


class Citation(BaseModel):
    call_id: str
    call_title: str
    start: float
    end: float
    speaker: str
    speaker_role: str
    quote: str
    kind: str
    similarity: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def link(self) -> str:
        """Where the call plays from this quote."""
        return call_link(self.call_id, self.start)


class ChatAnswer(BaseModel):
    answer: str
    citations: list[Citation]


class ChatFilters(BaseModel):
    """Metadata filters on what chat may draw from; an unknown one is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    category: str | None = None
    speaker_role: Literal["rep", "prospect", "unknown"] | None = None
    call_id: str | None = None
    lead_source: str | None = None
    campaign: str | None = None
    industry: str | None = None
    rep: str | None = None
    verdict: str | None = None
    date_from: IsoDate | None = Field(None, description="Calls from this day on (ISO date, inclusive).")
    date_to: IsoDate | None = Field(None, description="Calls up to this day (ISO date, inclusive).")

    def where(self) -> dict[str, Any] | None:
        """The filter in the index's (Chroma's) syntax; None when nothing is filtered."""
        clauses: list[dict[str, Any]] = [
            {key: value} for key, value in self.model_dump(exclude={"date_from", "date_to"}, exclude_none=True).items()
        ]
        if self.date_from:
            ts = datetime.combine(self.date_from, time.min, UTC).timestamp()
            clauses.append({"call_ts": {"$gte": int(ts)}})
        if self.date_to:
            ts = datetime.combine(self.date_to, time.max, UTC).timestamp()
            clauses.append({"call_ts": {"$lte": int(ts)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def parse_chat_filters(raw: str | None) -> ChatFilters:
    """Filters given as a JSON object (the CLI's `--filters`); bad input is a clear error."""
    if not raw:
        return ChatFilters()
    try:
        return ChatFilters.model_validate_json(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'filters'}: {e['msg']}" for e in exc.errors())
        raise InvalidInputError(f"filters are not valid: {problems}") from exc


def format_time(seconds: float) -> str:
    """mm:ss, as calls show times."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def _citation(hit: Hit) -> Citation:
    m = hit.metadata
    return Citation(
        call_id=str(m["call_id"]),
        call_title=str(m.get("call_title", "")),
        start=float(m.get("start", 0.0)),
        end=float(m.get("end", 0.0)),
        speaker=str(m.get("speaker", "")),
        speaker_role=str(m.get("speaker_role", "unknown")),
        quote=quote_of(hit),
        kind=str(m.get("kind", "")),
        similarity=round(hit.similarity, 3),
    )


def _answer_model(n_sources: int) -> type[BaseModel]:
    """Sources first, then the answer: asked for the answer first, the 1.5B model takes the "no evidence"
    way out even when an excerpt answers the question (measured on the demo call), as in the analysis."""
    source = Literal[tuple(range(1, n_sources + 1))]  # type: ignore[valid-type]
    return create_model(
        "ChatReply",
        sources=(list[source], Field(max_length=6)),  # type: ignore[valid-type]
        answer=(
            Annotated[str, Field(max_length=ANSWER_MAX_CHARS), AfterValidator(whole_sentences(ANSWER_MAX_CHARS))],
            ...,
        ),
    )


@dataclass(frozen=True)
class SourcesEvent:
    """The excerpts the answer rests on; always the first event, empty when the calls hold no evidence."""

    citations: list[Citation]


@dataclass(frozen=True)
class TokenEvent:
    """The next piece of the answer's text."""

    text: str


@dataclass(frozen=True)
class DoneEvent:
    """The whole answer, the same as `ChatService.ask` returns; always the last event."""

    answer: ChatAnswer


ChatEvent = SourcesEvent | TokenEvent | DoneEvent


class ChatService:
    """Retrieve from the index, then let the model answer from those excerpts only."""

    def __init__(
        self,
        llm: LLM,
        index: InsightIndex,
        embedder: Embedder,
        *,
        top_k: int,
        min_similarity: float,
        retries: int,
        max_question_chars: int,
        scope: Mapping[str, Any] | None = None,
    ) -> None:
        self.llm = llm
        self.index = index
        self.embedder = embedder
        self.top_k = top_k
        self.min_similarity = min_similarity
        self.retries = retries
        self.max_question_chars = max_question_chars
        # What the caller's role may draw from (assistant/auth.py chat_scope): ANDed with every filter, so no
        # question or filter can reach past it.
        self.scope = scope

    def retrieve(
        self, question: str, filters: ChatFilters | None = None, history: list[ChatMessage] | None = None
    ) -> list[Excerpt]:
        """The relevant excerpts, one per call moment, best first, each cut to its sentence nearest the question.
        A follow-up ("and what about timing?") is also searched together with the previous question, which
        names what it is about."""
        where = within_scope((filters or ChatFilters()).where(), self.scope)
        queries = [question]
        previous = next((m["content"] for m in reversed(history or []) if m["role"] == "user"), None)
        if previous:
            queries.append(f"{previous[:HISTORY_CHARS]} {question}")
        vectors = self.embedder.embed(queries)  # once, for the search and for cutting excerpts
        best: dict[tuple[str, float], Hit] = {}
        for vector in vectors:
            for hit in self.index.search(vector, k=self.top_k * 2, where=where):
                key = (str(hit.metadata.get("call_id")), float(hit.metadata.get("start", 0.0)))
                if hit.similarity >= self.min_similarity and (key not in best or hit.similarity > best[key].similarity):
                    best[key] = hit
        # Twice as many candidates as the model will read: a long turn whose one sentence answers the question
        # can rank low as a whole, and the sentence-level score lifts it (the demo call's budget line).
        candidates = sorted(best.values(), key=lambda h: h.similarity, reverse=True)[: self.top_k * 2]
        return excerpts(self.embedder, vectors, candidates)[: self.top_k]

    def messages(
        self, question: str, found: list[Excerpt], history: list[ChatMessage] | None = None
    ) -> list[ChatMessage]:
        """The prompt: the fixed instructions, earlier turns of the conversation, then the excerpts and the
        question. The instructions come first and never change, so llama.cpp's prompt cache keeps them."""
        # A call's title only tells the model which excerpts share a call (the citation shows it in full), and
        # a long one would cost reading time in every excerpt: its first words are enough.
        sources = [
            {
                "n": n,
                "call_title": " ".join(str(e.hit.metadata.get("call_title", "")).split()[:TITLE_WORDS]),
                "speaker_role": e.hit.metadata.get("speaker_role", "unknown"),
                "text": e.text,
            }
            for n, e in enumerate(found, start=1)
        ]
        user: ChatMessage = {
            "role": "user",
            "content": prompts.render("chat_answer", sources=sources, question=question),
        }
        earlier: list[ChatMessage] = [
            {"role": m["role"], "content": m["content"][:HISTORY_CHARS]} for m in (history or [])[-HISTORY_MESSAGES:]
        ]
        return [instructions(), *earlier, user]

    def stream(
        self, question: str, filters: ChatFilters | None = None, history: list[ChatMessage] | None = None
    ) -> Generator[ChatEvent, None, None]:
        """Answer `question` from the calls as events: the sources, the answer's text in pieces, then the
        whole answer. No relevant excerpt, or none the model uses, means no answer and no citation.
        A question over the length limit is refused here, before any event, so the API can answer 422."""
        question = question.strip()
        if len(question) > self.max_question_chars:
            raise InvalidInputError(
                f"The question is {len(question):,} characters long; the limit is {self.max_question_chars:,}."
            )
        return self._events(question, filters, history)

    def _events(
        self, question: str, filters: ChatFilters | None, history: list[ChatMessage] | None
    ) -> Generator[ChatEvent, None, None]:
        found = self.retrieve(question, filters, history)
        if not found:
            yield from _no_evidence()
            return
        hits = [e.hit for e in found]
        messages = self.messages(question, found, history)
        model = _answer_model(len(hits))
        reader = ReplyReader()
        citations: list[Citation] | None = None
        shown = ""
        # Closing the stream early (no sources, or the client went away) stops generation and frees the model.
        with closing(
            self.llm.stream(messages, json_schema=model.model_json_schema(), max_tokens=ANSWER_MAX_TOKENS)
        ) as pieces:
            for piece in pieces:
                reader.feed(piece)
                if citations is None and (numbers := reader.sources()) is not None:
                    citations = _cite(hits, numbers)
                    if not citations:
                        break  # the model found nothing relevant: no need to let it write an answer
                    yield SourcesEvent(citations)
                if citations:
                    text = reader.answer_so_far()
                    if len(text) > len(shown):
                        yield TokenEvent(text[len(shown) :])
                        shown = text
        if citations == []:
            yield from _no_evidence()
            return
        reply = self._validated(reader.text, messages, model, shown=citations is not None)
        if citations is None:  # the reply did not open with its sources: they are known only now
            citations = _cite(hits, reply.sources)  # type: ignore[attr-defined]
            if not citations:
                yield from _no_evidence()
                return
            yield SourcesEvent(citations)
        answer: str = reply.answer  # type: ignore[attr-defined]
        if answer.startswith(shown) and len(answer) > len(shown):
            yield TokenEvent(answer[len(shown) :])
        if _is_no_evidence(answer):
            # The small model sometimes picks an excerpt and then says none helps: its answer wins, and an
            # answer that there is no evidence cites nothing (the final event overrides the sources sent).
            citations = []
        yield DoneEvent(ChatAnswer(answer=answer, citations=citations))

    def _validated(self, text: str, messages: list[ChatMessage], model: type[BaseModel], *, shown: bool) -> BaseModel:
        """The streamed reply as `model`. A reply that does not validate is asked again (with the error) only
        if none of it was shown yet; schema-constrained backends never get here."""
        try:
            return model.model_validate_json(strip_code_fences(text))
        except ValidationError as e:
            if shown:
                raise LLMOutputError(f"The language model {self.llm.model_name} sent an invalid answer: {e}") from e
        return complete_structured(self.llm, messages, model, retries=self.retries, max_tokens=ANSWER_MAX_TOKENS)

    def ask(
        self, question: str, filters: ChatFilters | None = None, history: list[ChatMessage] | None = None
    ) -> ChatAnswer:
        """The whole answer at once: the last event of `stream`."""
        for event in self.stream(question, filters, history):
            if isinstance(event, DoneEvent):
                return event.answer
        raise AssertionError("a chat stream always ends with its answer")


def _cite(hits: list[Hit], numbers: list[int]) -> list[Citation]:
    """The excerpts the model chose, each once, in its order; numbers outside the list are ignored."""
    return [_citation(hits[n - 1]) for n in dict.fromkeys(numbers) if 1 <= n <= len(hits)]


def _is_no_evidence(answer: str) -> bool:
    return answer.strip().rstrip(".").casefold() == NO_EVIDENCE.rstrip(".").casefold()


def instructions() -> ChatMessage:
    """Chat's fixed system message, the same for every question (see `warm_up`)."""
    return {"role": "system", "content": prompts.render("chat_system", no_evidence=NO_EVIDENCE)}


def warm_up(container: Container) -> None:
    """Load the embedding model, the index and the language model, and read chat's instructions into the
    model's prompt cache, so the first question pays for none of it (about 10 s here). Meant for a background
    thread at start-up; a failure is only logged, since the first question then simply pays for it."""
    try:
        container.index.search(NO_EVIDENCE, k=1)
        container.llm.prefill([instructions()], json_schema=_answer_model(1).model_json_schema())
    except Exception:  # any failure here (a missing model, say) is the first question's to report
        log.warning("Chat warm-up failed; the first question will load the model.", exc_info=True)


def _no_evidence() -> Iterator[ChatEvent]:
    yield SourcesEvent([])
    yield TokenEvent(NO_EVIDENCE)
    yield DoneEvent(ChatAnswer(answer=NO_EVIDENCE, citations=[]))


def chat_service(container: Container, scope: Mapping[str, Any] | None = None) -> ChatService:
    """The chat service over the container's model and index, configured from its settings, limited to
    `scope` (an index filter)."""
    s = container.settings
    return ChatService(
        container.llm,
        container.index,
        container.embedder,
        top_k=s.chat_top_k,
        min_similarity=s.chat_min_similarity,
        retries=s.llm_max_retries,
        max_question_chars=s.max_question_chars,
        scope=scope,
    )
