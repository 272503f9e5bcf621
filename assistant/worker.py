"""Running the job queue: consumer threads with lease upkeep in this process, or several such processes.

Each worker process loads its own models (Whisper about 340 MB, the local LLM about 1.2 GB), so processes,
not threads, are how one machine uses more cores; threads in one process would share one model but
compete for the same cores. Any number of machines can run workers against one Redis and database.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from multiprocessing.process import BaseProcess

from assistant.config import get_settings
from assistant.container import Container
from assistant.lease_keeper import LeaseKeeper, expire_leases
from assistant.pipeline import resume_interrupted

log = logging.getLogger(__name__)
# A stopped worker hands its call over within a moment; one that does not stop by then is killed.
_STOP_TIMEOUT_S = 30.0


class JobRunner:
    """Consumer threads plus lease upkeep in this process (`callsight serve` and each `callsight worker`)."""

    def __init__(self, container: Container, threads: int = 1) -> None:
        self.container = container
        self.threads = threads
        self._keeper = LeaseKeeper(container)

    def start(self) -> list[str]:
        """Queue calls a dead process left, then consume; returns the ids queued again."""
        resumed = resume_interrupted(self.container)  # before the consumer starts: no lease of ours is live yet
        self.container.queue.start_consumer(self.threads)
        self._keeper.start()
        return resumed

    def stop(self) -> None:
        """Stop without waiting for a running job (an analysis can take minutes): its call's lease lapses now,
        so a worker on any machine resumes it at the stage it was in."""
        self._keeper.stop()
        self.container.queue.stop_consumer()
        expire_leases(self.container)


def stop_on_signal() -> threading.Event:
    """An event SIGTERM or SIGINT sets. Install it before any work starts: a signal that arrives while the
    default handler is still in place kills the process before it can hand its call over (seen under load)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


def run_worker(threads: int = 1, metrics_port: int | None = None, metrics_host: str = "127.0.0.1") -> None:
    """One worker process until SIGTERM or SIGINT, with Prometheus metrics on `metrics_host:metrics_port` if
    a port is given. The metrics need no key, so they stay on this machine unless a host is chosen."""
    from prometheus_client import start_http_server

    from assistant.observability import registry_for

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    stop = stop_on_signal()
    container = Container(get_settings())
    if metrics_port is not None:
        start_http_server(metrics_port, addr=metrics_host, registry=registry_for(container, shared_state=False))
    runner = JobRunner(container, threads)
    resumed = runner.start()
    log.info("worker running (%d thread(s)); queued %d interrupted call(s) again", threads, len(resumed))
    try:
        stop.wait()
    finally:
        runner.stop()
        container.close()


def run_workers(
    processes: int, *, threads: int = 1, metrics_port: int | None = None, metrics_host: str = "127.0.0.1"
) -> None:
    """`processes` worker processes, each restarted if it dies, until SIGTERM or SIGINT stops them all."""
    if processes == 1:
        run_worker(threads, metrics_port, metrics_host)
        return
    logging.basicConfig(level=logging.INFO)
    # spawn, not fork: each child opens its own database pool, queue connection and models.
    context = multiprocessing.get_context("spawn")

    def spawn(n: int) -> BaseProcess:
        port = None if metrics_port is None else metrics_port + n
        child = context.Process(target=run_worker, args=(threads, port, metrics_host), name=f"callsight-worker-{n}")
        child.start()
        return child

    stop = stop_on_signal()
    children = [spawn(n) for n in range(processes)]
    while not stop.wait(1.0):
        for n, child in enumerate(children):
            if not child.is_alive():
                log.warning("worker %d (pid %s) exited with code %s; starting another", n, child.pid, child.exitcode)
                children[n] = spawn(n)
    for child in children:
        child.terminate()  # SIGTERM: each child hands its running call over
    for child in children:
        child.join(_STOP_TIMEOUT_S)
        if child.is_alive():
            child.kill()
