"""The durable job queue: Huey on its SQLite file by default; consumers run in-process or as workers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from huey import SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

from assistant.config import Settings

log = logging.getLogger(__name__)


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
        consumer = self.huey.create_consumer(workers=workers, worker_type="thread", periodic=False)
        consumer.start()
        self._consumer = consumer
        return consumer

    def stop_consumer(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
