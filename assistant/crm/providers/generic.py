"""Generic: a signed JSON POST of the analysis to a configured URL; the receiver dedupes by Idempotency-Key."""

from __future__ import annotations

import json

import httpx

from assistant.config import Settings
from assistant.crm.content import WriteBack
from assistant.crm.providers.base import Target, call, require
from assistant.crm.signatures import generic_headers


class GenericWebhook:
    name = "generic"

    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self.settings = settings
        self.http = http

    def deliver(self, key: str, write_back: WriteBack, target: Target) -> str:
        url = require(self.settings.webhook_url, "CALLSIGHT_WEBHOOK_URL")
        secret = require(self.settings.webhook_secret, "CALLSIGHT_WEBHOOK_SECRET")
        body = json.dumps({"idempotency_key": key, "crm": target.as_dict(), **write_back.as_json()}).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key, **generic_headers(secret, body)}
        call(lambda: self.http.post(url, content=body, headers=headers), "POST webhook")
        return key

    def directory(self) -> None:
        return None
