"""Load on a running Callsight API: many uploads and chat questions at once, then every call followed until it
settles. Used by the load test (tests/load/) and by eval/bench_load.py for bigger runs."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from assistant.db.models import CallStatus

PAGE = 500  # the API's largest page of calls


@dataclass(frozen=True)
class Sample:
    """One request's outcome: status code, seconds from send to the whole body, the decoded JSON body."""

    status: int
    seconds: float
    body: Any


@dataclass
class LoadRun:
    uploads: list[Sample] = field(default_factory=list)
    chats: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0


def spoken_clip(text: str) -> bytes:
    """A short WAV of `text` spoken by espeak-ng: real speech, distinct bytes per text, ~50 ms to make."""
    return subprocess.run(["espeak-ng", "--stdout", text], check=True, capture_output=True).stdout


async def _send(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> Sample:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    elapsed = time.perf_counter() - started
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return Sample(response.status_code, elapsed, body)


async def fire(
    base_url: str, headers: dict[str, str], clips: Sequence[tuple[str, bytes]], questions: Sequence[str]
) -> LoadRun:
    """Send every upload and every chat question at the same moment; their answers, in the order sent."""
    # One connection per request, so none waits for a free one on our side: the server sees all at once.
    limits = httpx.Limits(max_connections=len(clips) + len(questions))
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=300) as client:
        uploads = [_send(client, "POST", "/v1/calls", files={"file": (name, data)}) for name, data in clips]
        chats = [_send(client, "POST", "/v1/chat", json={"question": q}) for q in questions]
        started = time.perf_counter()
        samples = await asyncio.gather(*uploads, *chats)
        wall_s = time.perf_counter() - started
    return LoadRun(uploads=samples[: len(clips)], chats=samples[len(clips) :], wall_s=wall_s)


async def settle(
    base_url: str, headers: dict[str, str], call_ids: Sequence[str], timeout_s: float
) -> tuple[dict[str, str], float]:
    """Each call's final status (or the last one seen at the timeout) and the seconds until all settled."""
    started = time.perf_counter()
    statuses: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:
        while time.perf_counter() - started < timeout_s:
            seen = await _all_statuses(client)
            statuses = {call_id: seen.get(call_id, "missing") for call_id in call_ids}
            if all(status in CallStatus.SETTLED for status in statuses.values()):
                break
            await asyncio.sleep(0.5)
    return statuses, time.perf_counter() - started


async def _all_statuses(client: httpx.AsyncClient) -> dict[str, str]:
    """Every call's status, a page of the list at a time (a few requests, however many calls there are)."""
    seen: dict[str, str] = {}
    while True:
        response = await client.get("/v1/calls", params={"limit": PAGE, "offset": len(seen)})
        response.raise_for_status()
        rows = response.json()["data"]
        seen.update((row["id"], row["status"]) for row in rows)
        if len(rows) < PAGE:
            return seen


def latency(samples: Sequence[Sample]) -> dict[str, float]:
    """p50, p95 and max in milliseconds."""
    seconds = sorted(s.seconds for s in samples)
    # Inclusive: with few samples the default method extrapolates past the slowest one.
    p95 = statistics.quantiles(seconds, n=20, method="inclusive")[-1] if len(seconds) > 1 else seconds[0]
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(seconds[-1] * 1000, 1),
    }


def figures(run: LoadRun, settled_s: float) -> dict[str, Any]:
    """What a run measured, for printing: latencies, request throughput, and (with uploads) calls processed
    per minute from the first upload until the last call settled."""
    found: dict[str, Any] = {"wall_s": round(run.wall_s, 1)}
    for name, samples in (("uploads", run.uploads), ("chats", run.chats)):
        if samples:
            found[name] = {"count": len(samples), **latency(samples)}
    found["requests_per_s"] = round((len(run.uploads) + len(run.chats)) / run.wall_s, 1)
    if run.uploads:
        found["calls_settled_s"] = round(run.wall_s + settled_s, 1)
        found["calls_per_min"] = round(len(run.uploads) / (run.wall_s + settled_s) * 60, 1)
    return found
