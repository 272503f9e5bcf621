"""The FastAPI application: routes, error mapping, and (for `callsight serve`) the in-process job consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.routes import calls, chat, criteria, health
from assistant.container import Container
from assistant.errors import CallsightError
from assistant.pipeline import resume_interrupted


def create_app(container: Container, *, run_consumer: bool = False) -> FastAPI:
    """The app over `container`; with `run_consumer` it also processes the job queue in this process."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_consumer:
            # Before the consumer starts, so no lease of this process can be live yet.
            resume_interrupted(container)
            container.queue.start_consumer(container.settings.workers)
        try:
            yield
        finally:
            if run_consumer:
                container.queue.stop_consumer()

    app = FastAPI(
        title="Callsight",
        description="Call intelligence: transcripts, qualification with evidence, cited answers.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.container = container

    @app.exception_handler(CallsightError)
    async def _domain_error(_request: Request, exc: CallsightError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.message})

    app.include_router(health.router)
    app.include_router(calls.router)
    app.include_router(chat.router)
    app.include_router(criteria.router)
    return app
