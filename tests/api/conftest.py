"""The API over the real parts (fake LLM), through an HTTP test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from assistant.container import Container
from tests.utils.auth import admin_headers


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """Signed in with an admin key; tests of other roles pass their own Authorization header."""
    with TestClient(create_app(container), headers=admin_headers(container)) as test_client:
        yield test_client
