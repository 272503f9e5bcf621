"""Inbound CRM webhooks: a signed event with a recording becomes a queued call."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from api.deps import ContainerDep
from api.responses import errors
from assistant.crm import inbound
from assistant.crm.schemas import WebhookAccepted
from assistant.errors import UploadTooLargeError

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


def _signed_url(request: Request, public_base: str | None) -> str:
    """The URL the sender called and signed; behind a proxy, the configured public base replaces ours."""
    if public_base is None:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{public_base.rstrip('/')}{request.url.path}{query}"


@router.post(
    "/{provider}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WebhookAccepted,
    responses=errors(401, 404, 413, 422, 502, 507),
)
async def receive_webhook(request: Request, container: ContainerDep, provider: str) -> WebhookAccepted:
    """Verify the signature (401 otherwise, nothing stored), fetch the recording, queue the call; a repeated
    event id answers with the same call."""
    settings = container.settings
    # A recording carried in the body is base64: a third larger than the file, plus the JSON around it.
    limit = settings.recording_max_mb * (1 << 20) * 4 // 3 + (1 << 20)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise UploadTooLargeError(
            f"The webhook body is larger than the recording limit of {settings.recording_max_mb} MB."
        )
    body = await request.body()
    return await run_in_threadpool(
        inbound.receive,
        container,
        provider,
        method=request.method,
        url=_signed_url(request, settings.webhook_public_url),
        body=body,
        headers=dict(request.headers.items()),
    )
