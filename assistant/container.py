"""Builds the components once from Settings and hands them out; routes, tasks and the CLI never build clients."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db.session import make_engine, make_session_factory, upgrade_database
from assistant.media_store import MediaStore

if TYPE_CHECKING:
    from assistant.index.embeddings import Embedder
    from assistant.index.store import InsightIndex
    from assistant.jobs import JobQueue
    from assistant.llm.base import LLM
    from ingestion.diarize import Diarizer
    from ingestion.transcribe import Transcriber

T = TypeVar("T")


class Container:
    """The application's parts. Heavy ones (models, index) load on first use, once, under a lock;
    tests pass their own (a fake LLM) through the constructor."""

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        assert settings.database_url is not None
        self.engine = make_engine(settings.database_url)
        upgrade_database(self.engine)
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)
        self.media = MediaStore(settings.audio_dir)
        self._parts: dict[str, Any] = dict(overrides)
        self._lock = threading.RLock()

    def _get(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._parts:
                self._parts[name] = build()
            return self._parts[name]

    @property
    def llm(self) -> LLM:
        from assistant.llm.factory import build_llm

        return self._get("llm", lambda: build_llm(self.settings))

    @property
    def transcriber(self) -> Transcriber:
        from ingestion.transcribe import Transcriber, resolve_whisper_model

        s = self.settings
        return self._get(
            "transcriber",
            lambda: Transcriber(
                resolve_whisper_model(s.whisper_model),
                compute_type=s.whisper_compute_type,
                cpu_threads=s.whisper_threads,
                beam_size=s.whisper_beam_size,
            ),
        )

    @property
    def diarizer(self) -> Diarizer:
        from ingestion.diarize import Diarizer
        from ingestion.speaker_embedding import SpeakerEmbedder

        s = self.settings
        return self._get(
            "diarizer",
            lambda: Diarizer(SpeakerEmbedder(), num_speakers=s.num_speakers, max_speakers=s.max_speakers),
        )

    @property
    def embedder(self) -> Embedder:
        from assistant.index.embeddings import Embedder, resolve_embedding_model

        return self._get("embedder", lambda: Embedder(*resolve_embedding_model(self.settings.embedding_model_path)))

    @property
    def index(self) -> InsightIndex:
        from assistant.index.store import InsightIndex, open_client

        return self._get("index", lambda: InsightIndex(open_client(self.settings), self.embedder))

    @property
    def queue(self) -> JobQueue:
        from assistant.crm.outbox import deliver
        from assistant.jobs import JobQueue
        from assistant.pipeline import Pipeline

        return self._get("queue", lambda: JobQueue(self.settings, Pipeline(self).run, lambda item: deliver(self, item)))

    def loaded(self, name: str) -> Any | None:
        """The part called `name` if something has built it already, without building it (for metrics)."""
        with self._lock:
            return self._parts.get(name)

    def close(self) -> None:
        """Release the database engine (models are freed with the process)."""
        self.engine.dispose()
