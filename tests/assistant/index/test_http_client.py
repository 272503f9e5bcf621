"""The same index against a real Chroma server (`chroma run`), as deployments past one machine use it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.errors import InvalidInputError
from assistant.index import Embedder, IndexItem, InsightIndex, open_http_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chroma run did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_index_works_the_same_over_http(chroma_url: str, embedder: Embedder) -> None:
    index = InsightIndex(open_http_client(chroma_url), embedder)
    index.add(
        [
            IndexItem("price", "it's too expensive", {"call_id": "c1", "kind": "objection"}),
            IndexItem("crm", "we use Salesforce for CRM", {"call_id": "c2", "kind": "competitor"}),
        ]
    )

    hits = index.search("the price is too high for our budget")
    index.delete_call("c2")

    assert hits[0].id == "price"
    assert index.count() == 1


@pytest.mark.parametrize("url", ["chroma:8000", "ftp://chroma:8000", "http://"])
def test_malformed_server_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidInputError):
        open_http_client(url)
