"""Throughput of the scale-out setup: audio-hours processed per wall-hour with 1 and 2 `callsight worker`
processes, and the API's p50/p95 latency for GET /v1/calls/{id} while the workers are busy.

Each round starts from empty stores: its own Redis and Chroma server on loopback (eval/servers.py), SQLite in a
temp dir or, with --postgres, a PostgreSQL server. The API runs in this process (uvicorn, no consumer); the
workers are `callsight worker` subprocesses that inherit the environment, so the LLM is the default local
model unless CALLSIGHT_LLM_PROVIDER / CALLSIGHT_LLM_BASE_URL say otherwise. N distinct calls are synthesised
from one script (a different pause seed each) and uploaded at once; the wall time runs from the first upload
to the last call done and includes each worker loading its models, as a cold start would.

    .venv/bin/python -m eval.bench_throughput --calls 6 --workers 1 2 --postgres
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from assistant import auth
from assistant.config import Settings
from assistant.container import Container
from assistant.db.models import CallStatus
from eval.servers import VENV_BIN, Postgres, chroma_server, postgres_server, redis_server, serving
from eval.synth_call import synth_call
from ingestion.decode import probe

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def workers(n: int, settings: Settings, log_dir: Path) -> Iterator[None]:
    """n `callsight worker` processes sharing the cores: each gets cores // n threads for Whisper and the LLM."""
    threads = str(max(1, (os.cpu_count() or 1) // n))
    env = {
        **os.environ,
        "CALLSIGHT_DATA_DIR": str(settings.data_dir),
        "CALLSIGHT_DATABASE_URL": str(settings.database_url),
        "CALLSIGHT_REDIS_URL": str(settings.redis_url),
        "CALLSIGHT_CHROMA_URL": str(settings.chroma_url),
        "CALLSIGHT_WHISPER_THREADS": threads,
        "CALLSIGHT_LLM_THREADS": threads,
        # The assembled GGUF is kept between rounds and runs (as tests/conftest.py does), not rebuilt per data dir.
        "CALLSIGHT_MODELS_DIR": os.environ.get("CALLSIGHT_MODELS_DIR", str(REPO / ".venv" / "callsight-models")),
    }
    procs = []
    for i in range(n):
        with (log_dir / f"worker{i}.log").open("wb") as log:
            procs.append(subprocess.Popen([str(VENV_BIN / "callsight"), "worker"], env=env, stdout=log, stderr=log))
    try:
        yield
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(60)


def run_round(n_workers: int, audio: list[Path], settings: Settings, log_dir: Path) -> dict[str, float]:
    """Upload every file at once, poll each call until all are settled, and return the figures."""
    container = Container(settings)
    latencies: list[float] = []
    _, key = auth.create_key(container, "bench_throughput", "sales")  # uploads and reads its own calls
    with (
        serving(container, run_consumer=False) as base,
        workers(n_workers, settings, log_dir),
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as http,
    ):

        def upload(path: Path) -> str:
            with path.open("rb") as fh:
                response = http.post("/v1/calls", files={"file": (path.name, fh)}, data={"rep_channel": "left"})
            response.raise_for_status()
            return str(response.json()["id"])

        started = time.perf_counter()
        with ThreadPoolExecutor(len(audio)) as pool:
            ids = list(pool.map(upload, audio))
        statuses: dict[str, str] = {}
        while len([s for s in statuses.values() if s in CallStatus.SETTLED]) < len(ids):
            for call_id in ids:
                sent = time.perf_counter()
                response = http.get(f"/v1/calls/{call_id}")
                latencies.append(time.perf_counter() - sent)
                statuses[call_id] = response.json()["status"]
            time.sleep(0.2)
        wall_s = time.perf_counter() - started
    container.close()
    audio_s = sum(float(probe(path).duration_s or 0.0) for path in audio)
    return {
        "workers": n_workers,
        "calls": len(ids),
        "failed": sum(1 for s in statuses.values() if s == CallStatus.FAILED),
        "audio_s": round(audio_s, 1),
        "wall_s": round(wall_s, 1),
        "audio_hours_per_wall_hour": round(audio_s / wall_s, 2),
        "get_call_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "get_call_p95_ms": round(statistics.quantiles(latencies, n=20)[-1] * 1000, 1),
        "get_call_requests": len(latencies),
    }


def round_settings(work: Path, redis_url: str, chroma_url: str, postgres: Postgres | None) -> Settings:
    """Fresh stores for one round: a new data dir, database and Chroma collection, an empty Redis."""
    import chromadb
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with contextlib.suppress(Exception):  # absent in the first round
        chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1])).delete_collection("insights")
    database_url = None
    if postgres is not None:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        postgres.admin(f"CREATE DATABASE {name}")
        database_url = postgres.url(name)
    data_dir = Path(tempfile.mkdtemp(prefix="round-", dir=work))
    return Settings(data_dir=data_dir, database_url=database_url, redis_url=redis_url, chroma_url=chroma_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=6, help="calls uploaded at once per round")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker processes per round")
    parser.add_argument("--script", type=Path, default=REPO / "assistant/demo/discovery_call.txt")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    # A stopped benchmark must still stop its servers and workers: SIGTERM unwinds the `with` blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="callsight-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        audio = [work / f"call{i}.ogg" for i in range(args.calls)]
        for seed, path in enumerate(audio):
            synth_call(args.script, path, seed=seed)
        redis_url = stack.enter_context(redis_server())
        chroma_url = stack.enter_context(chroma_server())
        postgres = stack.enter_context(postgres_server()) if args.postgres else None
        for n in args.workers:
            settings = round_settings(work, redis_url, chroma_url, postgres)
            print(json.dumps(run_round(n, audio, settings, settings.data_dir)), flush=True)


if __name__ == "__main__":
    main()
