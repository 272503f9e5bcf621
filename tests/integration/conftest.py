"""Fixtures for the integration tests: the real servers once per session, a clean database, queue and
collection per test, and `backend_settings` that runs a test on the embedded default and on the servers."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

import chromadb
import pytest
import redis

from assistant.config import Settings
from assistant.container import Container
from assistant.index import Embedder
from eval.servers import Postgres, ServerMissing, chroma_server, postgres_server, redis_server
from ingestion import Transcriber
from tests.utils.fake_llm import FakeLLM

T = TypeVar("T")


def _running(server: AbstractContextManager[T]) -> Iterator[T]:
    """The started server; a missing binary fails the run under CI (.ci/run installs it) and skips elsewhere."""
    try:
        started = server.__enter__()
    except ServerMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield started
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    yield from _running(postgres_server())


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    yield from _running(redis_server())


@pytest.fixture(scope="session")
def chroma_url() -> Iterator[str]:
    yield from _running(chroma_server())


@pytest.fixture
def postgres_url(postgres: Postgres) -> Iterator[str]:
    """A fresh, empty database on the session's server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres.admin(f"CREATE DATABASE {name}")
    yield postgres.url(name)
    postgres.admin(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def server_settings(tmp_path: Path, postgres_url: str, redis_url: str, chroma_url: str) -> Settings:
    """PostgreSQL + Redis + Chroma server, emptied for this test; audio still in the test's data dir."""
    redis.Redis.from_url(redis_url).flushdb()
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    with contextlib.suppress(Exception):  # absent on the first test
        client.delete_collection("insights")
    return Settings(data_dir=tmp_path / "data", database_url=postgres_url, redis_url=redis_url, chroma_url=chroma_url)


@pytest.fixture(params=["embedded", "servers"])
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The same test on SQLite + SQLite queue + embedded Chroma, and on PostgreSQL + Redis + Chroma server."""
    if request.param == "embedded":
        return Settings(data_dir=tmp_path / "data")
    settings: Settings = request.getfixturevalue("server_settings")
    return settings


@pytest.fixture
def backend(
    backend_settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder
) -> Iterator[Container]:
    """The application over `backend_settings`, the fake LLM and the real models; jobs wait in the queue."""
    built = Container(backend_settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
    yield built
    built.close()
