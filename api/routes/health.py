"""Probes for operators: liveness, readiness (database, queue, index) and Prometheus metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.auth import permit
from api.deps import ContainerDep
from assistant import observability
from assistant.auth import Action
from assistant.container import Container

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


def _database(container: Container) -> None:
    with container.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@router.get("/healthz")
def healthz(container: ContainerDep) -> dict[str, str]:
    """OK when the process runs and the database answers."""
    _database(container)
    return {"status": "ok"}


_CHECKS: dict[str, Callable[[Container], Any]] = {
    "database": _database,
    "queue": lambda container: container.queue.pending(),
    "index": lambda container: container.index.count(),
}


@router.get("/readyz")
def readyz(container: ContainerDep) -> JSONResponse:
    """200 when the database, the job queue and the index all answer, else 503 naming the ones that did not."""
    checks: dict[str, str] = {}
    for name, check in _CHECKS.items():
        try:
            check(container)
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason goes to the operator
            log.warning("readiness: %s unavailable: %s", name, exc)
            checks[name] = f"{type(exc).__name__}: {exc}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        status_code=200 if ready else 503, content={"status": "ready" if ready else "not ready", "checks": checks}
    )


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(permit(Action.ADMINISTER))])
def metrics(container: ContainerDep) -> Response:
    """Prometheus text format (see assistant.observability); an admin key, as a Prometheus bearer token."""
    return Response(observability.render(container), media_type=observability.CONTENT_TYPE)
