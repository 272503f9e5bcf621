"""The durable job queue: Huey on its SQLite file by default; consumers run in-process or as workers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from huey import SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

from assistant.config import Settings

log = logging.getLogger(__name__)


class EmbeddedConsumer(Consumer):
    """Huey's consumer without its signal handlers: the host process (uvicorn, `callsight worker`, the CLI)
    owns SIGINT/SIGTERM and stops the consumer itself; Huey's handlers would also fail off the main thread."""

    def _set_signal_handlers(self) -> None:
        return None


class JobQueue:
    """Queue of calls to process; `run_call` is the pipeline's entry point for one call id."""

    def __init__(self, settings: Settings, run_call: Callable[[str], None], *, immediate: bool = False) -> None:
        assert settings.queue_path is not None
        settings.queue_path.parent.mkdir(parents=True, exist_ok=True)
        # results=False: the pipeline records outcomes in the database, Huey need not keep them.
        self.huey: Huey = SqliteHuey(
            name="callsight", filename=str(settings.queue_path), results=False, immediate=immediate
        )
        self._process = self.huey.task(name="process_call")(run_call)
        self._consumer: Consumer | None = None

    def enqueue(self, call_id: str) -> None:
        """Queue the pipeline for `call_id`; it resumes from the first stage not yet done."""
        self._process(call_id)

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def start_consumer(self, workers: int = 1) -> Consumer:
        """Run consumer threads in this process (what `callsight serve` and `ingest --wait` do)."""
        # max_delay bounds the idle polling back-off, so a new upload waits at most a second to start.
        consumer = EmbeddedConsumer(self.huey, workers=workers, worker_type="thread", periodic=False, max_delay=1.0)
        consumer.start()
        self._consumer = consumer
        return consumer

    def stop_consumer(self) -> None:
        """Stop without waiting for a running job (an analysis can take minutes): the job's call keeps its
        lease, and the next start resumes it at the stage it was in (`pipeline.resume_interrupted`)."""
        if self._consumer is not None:
            self._consumer.stop(graceful=False)
            self._consumer = None
