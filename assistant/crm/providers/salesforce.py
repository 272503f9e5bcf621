"""Salesforce: a completed call Task on the contact and the opportunity (or account); look up before create."""

from __future__ import annotations

from typing import Any

import httpx

from assistant.config import Settings
from assistant.crm.content import WriteBack, render_text
from assistant.crm.providers.base import Contact, Target, call, require

DESCRIPTION_LIMIT = 32_000  # Task.Description holds 32 KB


def soql_literal(value: str) -> str:
    """A quoted SOQL string: user data never changes the query's shape."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Salesforce:
    name = "salesforce"

    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self.settings = settings
        self.http = http

    def _url(self, path: str) -> str:
        base = require(self.settings.salesforce_instance_url, "CALLSIGHT_SALESFORCE_INSTANCE_URL").rstrip("/")
        return f"{base}/services/data/{self.settings.salesforce_api_version}{path}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {require(self.settings.salesforce_token, 'CALLSIGHT_SALESFORCE_TOKEN')}"}

    def query(self, soql: str) -> list[dict[str, Any]]:
        url, headers = self._url("/query"), self._headers()
        records: list[dict[str, Any]] = call(lambda: self.http.get(url, params={"q": soql}, headers=headers), "query")[
            "records"
        ]
        return records

    def deliver(self, key: str, write_back: WriteBack, target: Target) -> str:
        # Task.CallObject is the standard "call object identifier" field: it carries our idempotency key.
        found = self.query(f"SELECT Id FROM Task WHERE CallObject = {soql_literal(key)}")
        if found:
            return str(found[0]["Id"])
        task = {
            "Subject": f"Call: {write_back.title}"[:255],
            "Description": render_text(write_back)[:DESCRIPTION_LIMIT],
            "TaskSubtype": "Call",
            "Status": "Completed",
            "ActivityDate": write_back.occurred_at.date().isoformat(),
            "CallDurationInSeconds": int(write_back.duration_s or 0),
            "CallObject": key,
            "WhoId": target.contact_id,
            "WhatId": target.deal_id or target.company_id,
        }
        body = {field: value for field, value in task.items() if value is not None}
        url, headers = self._url("/sobjects/Task"), self._headers()
        return str(call(lambda: self.http.post(url, json=body, headers=headers), "create Task")["id"])

    def directory(self) -> Salesforce:
        return self

    def contacts_by_email(self, email: str) -> list[Contact]:
        rows = self.query(f"SELECT Id, AccountId FROM Contact WHERE Email = {soql_literal(email)}")
        return [Contact(str(r["Id"]), r.get("AccountId") or None) for r in rows]

    def open_deals(self, company_id: str) -> list[str]:
        rows = self.query(
            f"SELECT Id FROM Opportunity WHERE AccountId = {soql_literal(company_id)} AND IsClosed = false"
        )
        return [str(r["Id"]) for r in rows]
