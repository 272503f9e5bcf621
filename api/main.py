"""The FastAPI application: routes, error mapping, and (for `callsight serve`) the in-process job consumer."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import sessions
from api.body_limit import BodyLimit
from api.routes import audio, calls, chat, criteria, health, insights, outbox, speakers, webhooks
from api.web import mount_web
from assistant.chat import warm_up
from assistant.container import Container
from assistant.errors import CallsightError
from assistant.worker import JobRunner


def create_app(container: Container, *, run_consumer: bool = False) -> FastAPI:
    """The app over `container`; with `run_consumer` it also processes the job queue in this process."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # In the background: the API answers at once, and the first chat question finds the model loaded.
        threading.Thread(target=warm_up, args=(container,), name="chat-warm-up", daemon=True).start()
        runner = JobRunner(container, container.settings.workers) if run_consumer else None
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()

    app = FastAPI(
        title="Callsight",
        description="Call intelligence: transcripts, qualification with evidence, cited answers.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.session_secret = sessions.load_secret(container.settings)
    app.add_middleware(BodyLimit, settings=container.settings)

    @app.exception_handler(CallsightError)
    async def _domain_error(_request: Request, exc: CallsightError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.message})

    app.include_router(health.router)
    app.include_router(calls.router)
    app.include_router(chat.router)
    app.include_router(criteria.router)
    app.include_router(webhooks.router)
    app.include_router(outbox.router)
    app.include_router(speakers.router)
    app.include_router(audio.router)
    app.include_router(insights.router)
    mount_web(app)
    return app
