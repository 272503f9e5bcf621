"""API keys for tests: a real key of a role, stored as the CLI would, and the header that sends it."""

from __future__ import annotations

from assistant import auth
from assistant.container import Container

ADMIN_NAME = "test-admin"


def make_key(container: Container, role: str, name: str | None = None) -> str:
    """A new active key with `role`, named `name` (default: the role), as `callsight keys create` makes it."""
    _, key = auth.create_key(container, name or f"test-{role}", role)
    return key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def admin_headers(container: Container) -> dict[str, str]:
    """Headers with a fresh admin key: what every API test sends unless it tests another role."""
    return bearer(make_key(container, "admin", ADMIN_NAME))
