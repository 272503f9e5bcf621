"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(container: ContainerDep) -> dict[str, str]:
    """OK when the process runs and the database answers."""
    with container.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}
