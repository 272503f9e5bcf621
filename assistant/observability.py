"""Prometheus metrics: what this process did (stage durations, LLM tokens, webhook deliveries) and, on the API,
the state every process shares (calls and jobs by status, tasks waiting in the queue).

Process metrics live in one registry per process; the shared state is read from the database and the queue
when scraped, so it is right however many workers there are. Scrape the API and each worker's metrics port.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from assistant.db.models import Call, CallStatus, Job
from assistant.db.session import session_scope

if TYPE_CHECKING:
    from prometheus_client import Metric

    from assistant.container import Container

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PROCESS = CollectorRegistry()
ProcessCollector(registry=PROCESS)

STAGE_SECONDS = Histogram(
    "callsight_stage_duration_seconds",
    "Time one pipeline stage took for one call (failed attempts included).",
    ["stage"],
    # Transcription runs at about 0.07x real time on 2 cores, local analysis takes tens of seconds to minutes.
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=PROCESS,
)
WEBHOOK_DELIVERIES = Counter(
    "callsight_webhook_deliveries",
    "CRM write-back attempts by provider and outcome (delivered, retry, failed).",
    ["provider", "outcome"],
    registry=PROCESS,
)
JOB_STATUSES = ("running", "done", "failed")


@contextmanager
def observe_stage(stage: str) -> Iterator[None]:
    """Time the `with` block as one run of `stage`, whether it succeeds or raises."""
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage=stage).observe(time.perf_counter() - started)


class _ProcessMetrics(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from PROCESS.collect()


class _LlmTokens(Collector):
    """Tokens the LLM adapter reports (`usage` from the OpenAI-compatible API or llama.cpp), since it was built."""

    def __init__(self, container: Container) -> None:
        self._container = container

    def collect(self) -> Iterator[Metric]:
        tokens = CounterMetricFamily(
            "callsight_llm_tokens", "LLM tokens used by this process, as the model reports them.", labels=["kind"]
        )
        requests = CounterMetricFamily("callsight_llm_requests", "LLM requests made by this process.")
        usage = getattr(self._container.loaded("llm"), "usage", None)
        if usage is not None:
            tokens.add_metric(["prompt"], usage.prompt_tokens)
            tokens.add_metric(["cached_prompt"], usage.cached_prompt_tokens)
            tokens.add_metric(["completion"], usage.completion_tokens)
            requests.add_metric([], usage.requests)
        yield tokens
        yield requests


class _SharedState(Collector):
    """Calls and jobs by status from the database, tasks waiting in the queue: the same from every process."""

    def __init__(self, container: Container) -> None:
        self._container = container

    def collect(self) -> Iterator[Metric]:
        with session_scope(self._container.sessions) as session:
            calls = {s: n for s, n in session.execute(select(Call.status, func.count()).group_by(Call.status))}
            jobs = {s: n for s, n in session.execute(select(Job.status, func.count()).group_by(Job.status))}
        by_status = GaugeMetricFamily("callsight_calls", "Calls by pipeline status.", labels=["status"])
        for status in (*CallStatus.ACTIVE, *CallStatus.SETTLED):
            by_status.add_metric([status], calls.get(status, 0))
        yield by_status
        job_gauge = GaugeMetricFamily(
            "callsight_jobs", "Pipeline runs by status (a retried or resumed call has several).", labels=["status"]
        )
        for status in JOB_STATUSES:
            job_gauge.add_metric([status], jobs.get(status, 0))
        yield job_gauge
        yield GaugeMetricFamily(
            "callsight_queue_pending", "Tasks waiting in the job queue.", value=self._container.queue.pending()
        )


def registry_for(container: Container, *, shared_state: bool) -> CollectorRegistry:
    """This process's metrics, plus the shared calls/jobs/queue state when `shared_state` (the API does)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessMetrics())
    registry.register(_LlmTokens(container))
    if shared_state:
        registry.register(_SharedState(container))
    return registry


def render(container: Container) -> bytes:
    """The API's `/metrics` page in Prometheus text format."""
    return generate_latest(registry_for(container, shared_state=True))
