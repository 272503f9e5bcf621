"""Dependencies routes ask for; the container is built once per app and shared. Who is calling, and what
they may do, is in api/auth.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from assistant.container import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]

# The database's integers stop at 2**63 - 1 (SQLite, PostgreSQL's bigint): a larger id or offset in a URL is
# a 422, not an overflow in the driver (a 500).
MAX_DB_INT = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT)]
