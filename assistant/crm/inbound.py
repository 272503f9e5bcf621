"""Inbound CRM webhooks: verify the signature, then store the recording as a call, once per event id."""

from __future__ import annotations

import base64
import binascii
import io
import json
from typing import TYPE_CHECKING, Annotated, BinaryIO, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assistant import calls
from assistant.crm.download import open_recording, recording_filename
from assistant.crm.schemas import WebhookAccepted
from assistant.crm.signatures import verify_generic, verify_hubspot
from assistant.db.models import Call, WebhookEvent
from assistant.db.session import session_scope
from assistant.errors import InvalidInputError, NotFoundError, SignatureError
from assistant.schemas import CallAccepted, CallMetadata, CrmRef

if TYPE_CHECKING:
    from assistant.container import Container

INBOUND = ("hubspot", "generic")
Id = Annotated[str, Field(min_length=1, max_length=100)]


class WebhookPayload(BaseModel):
    """What a CRM workflow sends: an event id, the recording (a URL, or the file in base64), and metadata."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200)
    recording_url: str | None = Field(None, max_length=2000)
    recording_base64: str | None = None
    filename: str | None = Field(None, max_length=300)
    title: str | None = Field(None, max_length=300)
    rep: str | None = Field(None, max_length=200)
    rep_channel: Literal["left", "right"] | None = None
    account: str | None = Field(None, max_length=200)
    lead_source: str | None = Field(None, max_length=200)
    campaign: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=200)
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None
    participant_emails: list[str] | None = None
    # Where the summary goes back to; by default the CRM that sent the webhook.
    crm_provider: Literal["hubspot", "salesforce", "generic"] | None = None

    @model_validator(mode="after")
    def _one_recording(self) -> WebhookPayload:
        if (self.recording_url is None) == (self.recording_base64 is None):
            raise ValueError("give exactly one of recording_url and recording_base64")
        return self

    def metadata(self, provider: str) -> CallMetadata:
        crm = CrmRef(
            provider=self.crm_provider or provider,
            contact_id=self.contact_id,
            company_id=self.company_id,
            deal_id=self.deal_id,
        )
        fields = self.model_dump(
            include={"title", "rep", "account", "lead_source", "campaign", "industry", "participant_emails"}
        )
        return calls.parse_metadata({**{k: v for k, v in fields.items() if v is not None}, "crm": crm.model_dump()})


def verify(container: Container, provider: str, method: str, url: str, body: bytes, headers: dict[str, str]) -> None:
    """Raise SignatureError unless the request is signed by the provider within the replay window."""
    settings = container.settings
    if provider == "hubspot":
        if not settings.hubspot_webhook_secret:
            raise SignatureError("HubSpot webhooks are not configured (CALLSIGHT_HUBSPOT_WEBHOOK_SECRET).")
        verify_hubspot(
            settings.hubspot_webhook_secret, method, url, body, headers, max_age_s=settings.webhook_max_age_s
        )
    else:
        if not settings.inbound_webhook_secret:
            raise SignatureError("Generic webhooks are not configured (CALLSIGHT_INBOUND_WEBHOOK_SECRET).")
        verify_generic(settings.inbound_webhook_secret, body, headers, max_age_s=settings.webhook_max_age_s)


def parse_payload(body: bytes) -> WebhookPayload:
    """The body as a payload; anything else (not UTF-8, not JSON, nested too deep, wrong fields) is a 422."""
    try:
        return WebhookPayload.model_validate(json.loads(body.decode("utf-8")))
    except UnicodeDecodeError as exc:
        raise InvalidInputError("The webhook body is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"The webhook body is not valid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise InvalidInputError("The webhook body is nested too deeply to be a webhook.") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
        raise InvalidInputError(f"The webhook body is not valid: {problems}") from exc


def _seen(container: Container, provider: str, event_id: str) -> WebhookAccepted | None:
    with session_scope(container.sessions) as session:
        row = session.execute(
            select(Call.id, Call.status)
            .join(WebhookEvent, WebhookEvent.call_id == Call.id)
            .where(WebhookEvent.provider == provider, WebhookEvent.event_id == event_id)
        ).first()
        return WebhookAccepted(call_id=row[0], status=row[1], duplicate=True) if row else None


def _store(container: Container, payload: WebhookPayload, metadata: CallMetadata) -> CallAccepted:
    def accept(stream: BinaryIO, filename: str) -> CallAccepted:
        return calls.accept_upload(
            container, stream, filename, metadata=metadata, title=payload.title, rep_channel=payload.rep_channel
        )

    if payload.recording_base64 is not None:
        try:
            data = base64.b64decode(payload.recording_base64, validate=True)
        except binascii.Error as exc:
            raise InvalidInputError("recording_base64 is not valid base64.") from exc
        return accept(io.BytesIO(data), payload.filename or "recording")
    assert payload.recording_url is not None
    with open_recording(container.settings, payload.recording_url) as stream:
        # Only `read` is used by the media store, which _BoundedBody provides.
        return accept(cast(BinaryIO, stream), payload.filename or recording_filename(payload.recording_url))


def receive(
    container: Container, provider: str, *, method: str, url: str, body: bytes, headers: dict[str, str]
) -> WebhookAccepted:
    """Verify, then store and queue the recording; the same event again returns the same call."""
    if provider not in INBOUND:
        raise NotFoundError(f"No webhook for provider {provider!r}; use one of {', '.join(INBOUND)}.")
    verify(container, provider, method, url, body, headers)
    payload = parse_payload(body)
    seen = _seen(container, provider, payload.event_id)
    if seen is not None:
        return seen
    accepted = _store(container, payload, payload.metadata(provider))
    try:
        with session_scope(container.sessions) as session:
            session.add(WebhookEvent(provider=provider, event_id=payload.event_id, call_id=accepted.id))
    except IntegrityError:
        # The same event, delivered twice at once: the other delivery recorded it; both name the same call.
        pass
    return WebhookAccepted(call_id=accepted.id, status=accepted.status, duplicate=False)
