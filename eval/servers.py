"""Start real servers on loopback for tests and benchmarks: PostgreSQL, Redis and Chroma, each in a temp dir
(the integration tests in tests/integration/, the throughput benchmark), and Callsight's own app under
uvicorn (browser, streaming, load tests). A missing binary raises `ServerMissing`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from api.main import create_app
from assistant.container import Container

VENV_BIN = Path(sys.executable).parent


class ServerMissing(RuntimeError):
    """A server binary is not installed."""


def require(binary: str | None, what: str) -> str:
    """The binary's path, or ServerMissing saying what to install."""
    if binary and Path(binary).exists():
        return binary
    raise ServerMissing(f"{what} not found: apt-get install -y postgresql redis-server (.ci/run does this)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(ready: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout_s:.0f} s")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _as_postgres_user(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass(frozen=True)
class Postgres:
    port: int

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://callsight@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=callsight dbname=postgres", autocommit=True) as c:
            c.execute(sql)


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    bin_dir = Path(bins[-1]) if bins else None
    initdb = require(str(bin_dir / "initdb") if bin_dir else None, "PostgreSQL (initdb)")
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    if os.geteuid() == 0:
        require(shutil.which("runuser"), "runuser (util-linux)")
    root = Path(tempfile.mkdtemp(prefix="callsight-pg-"))
    data, port, run = root / "data", free_port(), _as_postgres_user
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        subprocess.run(
            run([initdb, "-D", str(data), "-U", "callsight", "--auth=trust", "-E", "UTF8", "--no-sync"]),
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            run([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
            check=True,
            capture_output=True,
        )
        yield Postgres(port)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _running(args: list[str], port: int, name: str) -> Iterator[None]:
    """`args` as a child process for the block, from the moment its port accepts connections."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _port_open(port), name)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    binary = require(shutil.which("redis-server"), "redis-server")
    port = free_port()
    with _running(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port, "redis-server"
    ):
        yield f"redis://127.0.0.1:{port}/0"


@contextlib.contextmanager
def chroma_server() -> Iterator[str]:
    binary = require(str(VENV_BIN / "chroma"), "chroma (the chromadb package's server)")
    root, port = Path(tempfile.mkdtemp(prefix="callsight-chroma-")), free_port()
    try:
        with _running(
            [binary, "run", "--path", str(root), "--host", "127.0.0.1", "--port", str(port)], port, "chroma run"
        ):
            yield f"http://127.0.0.1:{port}"
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def serving(container: Container, *, run_consumer: bool = True) -> Iterator[str]:
    """The app over `container` under uvicorn on a free loopback port, as `callsight serve` runs it; its URL."""
    port = free_port()
    app = create_app(container, run_consumer=run_consumer)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
