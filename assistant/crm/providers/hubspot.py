"""HubSpot: a call engagement (or a note) associated to the contact, company and deal; look up before create."""

from __future__ import annotations

from typing import Any

import httpx

from assistant.config import Settings
from assistant.crm.content import WriteBack, render_html
from assistant.crm.providers.base import Contact, Target, call, require

# HUBSPOT_DEFINED association type ids, from the engagement to each record type.
ASSOCIATION_TYPES = {
    "call": {"contact": 194, "company": 182, "deal": 206},
    "note": {"contact": 202, "company": 190, "deal": 214},
}


class HubSpot:
    name = "hubspot"

    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self.base = settings.hubspot_api_base.rstrip("/")
        self.settings = settings
        self.http = http
        self.kind = settings.hubspot_engagement
        self.objects = f"{self.kind}s"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {require(self.settings.hubspot_token, 'CALLSIGHT_HUBSPOT_TOKEN')}"}

    def _post(self, path: str, body: dict[str, Any], what: str) -> Any:
        return call(lambda: self.http.post(f"{self.base}{path}", json=body, headers=self._headers()), what)

    def _search(self, objects: str, filters: list[dict[str, str]], properties: list[str]) -> list[dict[str, Any]]:
        body = {"filterGroups": [{"filters": filters}], "properties": properties, "limit": 100}
        results: list[dict[str, Any]] = self._post(f"/crm/v3/objects/{objects}/search", body, f"search {objects}")[
            "results"
        ]
        return results

    def deliver(self, key: str, write_back: WriteBack, target: Target) -> str:
        # HubSpot has no idempotency header: a property holding our key is searched before creating.
        key_filter = {"propertyName": self.settings.hubspot_key_property, "operator": "EQ", "value": key}
        found = self._search(self.objects, [key_filter], ["id"])
        if found:
            remote_id = str(found[0]["id"])
        else:
            body = {"properties": self._properties(key, write_back), "associations": self._associations(target)}
            remote_id = str(self._post(f"/crm/v3/objects/{self.objects}", body, f"create {self.kind}")["id"])
        self._update_deal(write_back, target)
        return remote_id

    def _properties(self, key: str, write_back: WriteBack) -> dict[str, str]:
        timestamp = str(int(write_back.occurred_at.timestamp() * 1000))
        body = render_html(write_back)
        if self.kind == "note":
            return {"hs_timestamp": timestamp, "hs_note_body": body, self.settings.hubspot_key_property: key}
        return {
            "hs_timestamp": timestamp,
            "hs_call_title": write_back.title,
            "hs_call_body": body,
            "hs_call_duration": str(int((write_back.duration_s or 0) * 1000)),  # milliseconds
            "hs_call_direction": "OUTBOUND",
            "hs_call_status": "COMPLETED",
            self.settings.hubspot_key_property: key,
        }

    def _associations(self, target: Target) -> list[dict[str, Any]]:
        types = ASSOCIATION_TYPES[self.kind]
        ids = {"contact": target.contact_id, "company": target.company_id, "deal": target.deal_id}
        return [
            {
                "to": {"id": record_id},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": types[kind]}],
            }
            for kind, record_id in ids.items()
            if record_id
        ]

    def _update_deal(self, write_back: WriteBack, target: Target) -> None:
        """Copy known criterion values to the mapped deal properties (PATCH: the same values twice is harmless)."""
        mapping = self.settings.hubspot_deal_properties
        if not (mapping and target.deal_id):
            return
        values = {
            mapping[c.key]: c.value
            for c in write_back.result.qualification.criteria
            if c.key in mapping and c.value and c.status in ("met", "partial")
        }
        if values:
            url = f"{self.base}/crm/v3/objects/deals/{target.deal_id}"
            call(lambda: self.http.patch(url, json={"properties": values}, headers=self._headers()), "update deal")

    def directory(self) -> HubSpot:
        return self

    def contacts_by_email(self, email: str) -> list[Contact]:
        rows = self._search(
            "contacts", [{"propertyName": "email", "operator": "EQ", "value": email}], ["email", "associatedcompanyid"]
        )
        return [Contact(str(r["id"]), r.get("properties", {}).get("associatedcompanyid") or None) for r in rows]

    def open_deals(self, company_id: str) -> list[str]:
        filters = [
            {"propertyName": "associations.company", "operator": "EQ", "value": company_id},
            {"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"},
        ]
        return [str(r["id"]) for r in self._search("deals", filters, ["dealname"])]
