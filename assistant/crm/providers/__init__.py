"""CRM adapters behind one interface; `build_provider` is the only place they are constructed."""

from __future__ import annotations

import httpx

from assistant.config import Settings
from assistant.crm.providers.base import Contact, DeliveryError, Directory, Provider, Target
from assistant.crm.providers.generic import GenericWebhook
from assistant.crm.providers.hubspot import HubSpot
from assistant.crm.providers.salesforce import Salesforce

__all__ = ["Contact", "DeliveryError", "Directory", "Provider", "Target", "build_provider", "open_http"]

_PROVIDERS: dict[str, type[HubSpot] | type[Salesforce] | type[GenericWebhook]] = {
    "hubspot": HubSpot,
    "salesforce": Salesforce,
    "generic": GenericWebhook,
}


def open_http(settings: Settings) -> httpx.Client:
    """The HTTP client CRM adapters share for one delivery; its timeout bounds every request."""
    return httpx.Client(timeout=settings.crm_timeout_s, follow_redirects=False)


def build_provider(name: str, settings: Settings, http: httpx.Client) -> Provider:
    if name not in _PROVIDERS:
        raise DeliveryError(f"unknown CRM provider {name!r}", retryable=False)
    return _PROVIDERS[name](settings, http)
