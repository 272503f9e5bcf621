"""The durable job queue: Huey on its SQLite file by default or on Redis; consumers run in-process or as workers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

from assistant.config import Settings

log = logging.getLogger(__name__)


class EmbeddedConsumer(Consumer):
    """Huey's consumer without its signal handlers: the host process (uvicorn, `callsight worker`, the CLI)
    owns SIGINT/SIGTERM and stops the consumer itself; Huey's handlers would also fail off the main thread."""

    def _set_signal_handlers(self) -> None:
        return None


def _huey(settings: Settings, *, immediate: bool) -> Huey:
    """Redis when `redis_url` is set (workers on many machines share it), else the SQLite file in data_dir."""
    # results=False: the pipeline records outcomes in the database, Huey need not keep them.
    if settings.redis_url:
        return RedisHuey(name="callsight", url=settings.redis_url, results=False, immediate=immediate)
    assert settings.queue_path is not None
    settings.queue_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name="callsight", filename=str(settings.queue_path), results=False, immediate=immediate)


class JobQueue:
    """Queue of calls to process; `run_call` is the pipeline's entry point for one call id, `deliver` makes one
    CRM write-back attempt for an outbox row."""

    def __init__(
        self,
        settings: Settings,
        run_call: Callable[[str], None],
        deliver: Callable[[int], None],
        *,
        immediate: bool = False,
    ) -> None:
        self.huey: Huey = _huey(settings, immediate=immediate)
        self._process = self.huey.task(name="process_call")(run_call)
        self._deliver = self.huey.task(name="deliver_outbox")(deliver)
        self._consumer: Consumer | None = None

    def enqueue(self, call_id: str) -> None:
        """Queue the pipeline for `call_id`; it resumes from the first stage not yet done."""
        self._process(call_id)

    def enqueue_delivery(self, item_id: int, *, delay_s: float = 0.0) -> None:
        """Queue a write-back attempt, after `delay_s` seconds for a retry (Huey's schedule survives restarts)."""
        if delay_s > 0:
            self._deliver.schedule(args=(item_id,), delay=delay_s)
        else:
            self._deliver(item_id)

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
