"""A fake CRM for tests: a real HTTP server on loopback that speaks the parts of HubSpot's and Salesforce's
REST APIs Callsight uses, checks the Bearer token and payload shapes like they do, serves recordings, receives
generic webhooks, and fails on purpose (500, 429 with Retry-After, a reply slower than the client's timeout)."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from assistant.config import Settings
from assistant.crm.signatures import verify_generic
from assistant.errors import SignatureError

HUBSPOT_TOKEN = "hubspot-test-token"
SALESFORCE_TOKEN = "salesforce-test-token"
GENERIC_SECRET = "generic-outbound-secret"
# associationTypeId -> the record type it points to, per engagement type (HubSpot's HUBSPOT_DEFINED ids)
ASSOCIATIONS = {
    "calls": {194: "contacts", 182: "companies", 206: "deals"},
    "notes": {202: "contacts", 190: "companies", 214: "deals"},
}
REQUIRED = {
    "calls": ("hs_timestamp", "hs_call_title", "hs_call_body", "hs_call_duration", "hs_call_direction"),
    "notes": ("hs_timestamp", "hs_note_body"),
}
SOQL = re.compile(r"^SELECT (?P<fields>[\w, ]+) FROM (?P<object>\w+) WHERE (?P<where>.+)$")
CONDITION = re.compile(r"^(?P<field>\w+) = (?:'(?P<text>(?:[^'\\]|\\.)*)'|(?P<bool>true|false))$")


class PayloadError(Exception):
    """The request is not shaped as the real API wants: answered with 400, like the real API."""


@dataclass
class Fault:
    kind: str  # "error" | "rate_limit" | "slow"
    method: str
    path: str  # the request path it applies to, exactly
    status: int = 500
    retry_after: str = "0"
    delay_s: float = 0.0


@dataclass
class Logged:
    method: str
    path: str
    at: float
    status: int = 0


@dataclass
class FakeCRM:
    hubspot: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {k: {} for k in ("contacts", "companies", "deals", "calls", "notes")}
    )
    salesforce: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {k: {} for k in ("Contact", "Account", "Opportunity", "Task")}
    )
    files: dict[str, bytes] = field(default_factory=dict)
    generic: list[dict[str, Any]] = field(default_factory=list)
    log: list[Logged] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    base_url: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- test set-up -------------------------------------------------------------------------------------
    def fail(self, method: str, path: str, *kinds: str, retry_after: str = "0", delay_s: float = 0.0) -> None:
        """Make the next requests to `method path` fail, one fault per kind, in order."""
        with self._lock:
            self.faults.extend(Fault(k, method, path, retry_after=retry_after, delay_s=delay_s) for k in kinds)

    def serve(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return f"{self.base_url}/recordings/{name}"

    def hubspot_record(self, kind: str, properties: dict[str, str], **associated: str) -> str:
        record_id = str(next(self._ids))
        self.hubspot[kind][record_id] = {
            "id": record_id,
            "properties": properties,
            "associations": [(other, other_id) for other, other_id in associated.items()],
        }
        return record_id

    def salesforce_record(self, sobject: str, prefix: str, **fields: Any) -> str:
        record_id = f"{prefix}{next(self._ids):012d}"
        self.salesforce[sobject][record_id] = {"Id": record_id, **fields}
        return record_id

    def requests_to(self, method: str, path: str) -> list[Logged]:
        return [r for r in self.log if r.method == method and r.path == path]

    def point(self, settings: Settings) -> Settings:
        """Point every CRM setting at this server, with retries fast enough for a test."""
        settings.hubspot_api_base = self.base_url
        settings.hubspot_token = HUBSPOT_TOKEN
        settings.salesforce_instance_url = self.base_url
        settings.salesforce_token = SALESFORCE_TOKEN
        settings.webhook_url = f"{self.base_url}/hooks/generic"
        settings.webhook_secret = GENERIC_SECRET
        settings.crm_timeout_s = 0.5
        settings.crm_backoff_base_s = 0.05
        return settings

    # --- HubSpot -----------------------------------------------------------------------------------------
    def _hubspot(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")[3:]  # after crm/v3/objects
        kind = parts[0]
        if kind not in self.hubspot:
            return 404, {"message": f"unknown object type {kind}"}
        if method == "POST" and len(parts) == 2 and parts[1] == "search":
            return 200, self._search(kind, body)
        if method == "POST" and len(parts) == 1:
            return 201, self._create_engagement(kind, body)
        if method == "GET" and len(parts) == 2 and parts[1] in self.hubspot[kind]:
            return 200, self._public(self.hubspot[kind][parts[1]])
        if method == "GET" and len(parts) == 1:
            return 200, {"results": [self._public(r) for r in self.hubspot[kind].values()]}
        if method == "PATCH" and len(parts) == 2 and kind == "deals" and parts[1] in self.hubspot[kind]:
            self.hubspot[kind][parts[1]]["properties"].update(body["properties"])
            return 200, self._public(self.hubspot[kind][parts[1]])
        return 404, {"message": "not found"}

    @staticmethod
    def _public(record: dict[str, Any]) -> dict[str, Any]:
        return {"id": record["id"], "properties": record["properties"]}

    def _create_engagement(self, kind: str, body: Any) -> dict[str, Any]:
        if kind not in REQUIRED:
            raise PayloadError(f"cannot create {kind} here")
        properties = body.get("properties")
        if not isinstance(properties, dict) or not all(isinstance(v, str) for v in properties.values()):
            raise PayloadError("properties must be an object of strings")
        missing = [p for p in REQUIRED[kind] if not properties.get(p)]
        if missing:
            raise PayloadError(f"missing properties: {missing}")
        if not properties["hs_timestamp"].isdigit():
            raise PayloadError("hs_timestamp must be epoch milliseconds")
        if kind == "calls" and (
            not properties["hs_call_duration"].isdigit()
            or properties["hs_call_direction"] not in ("INBOUND", "OUTBOUND")
        ):
            raise PayloadError("bad hs_call_duration or hs_call_direction")
        associations = []
        for association in body.get("associations", []):
            target_id = association["to"]["id"]
            for kind_of in association["types"]:
                if kind_of["associationCategory"] != "HUBSPOT_DEFINED":
                    raise PayloadError("unexpected association category")
                other = ASSOCIATIONS[kind].get(kind_of["associationTypeId"])
                if other is None or target_id not in self.hubspot[other]:
                    raise PayloadError(f"no {other} {target_id} for association type {kind_of['associationTypeId']}")
                associations.append((other, target_id))
        record_id = str(next(self._ids))
        self.hubspot[kind][record_id] = {"id": record_id, "properties": properties, "associations": associations}
        return self._public(self.hubspot[kind][record_id])

    def _search(self, kind: str, body: Any) -> dict[str, Any]:
        filters = [f for group in body["filterGroups"] for f in group["filters"]]

        def matches(record: dict[str, Any], flt: dict[str, str]) -> bool:
            if flt["operator"] != "EQ":
                raise PayloadError(f"operator {flt['operator']} not supported by the fake")
            name = flt["propertyName"]
            if name.startswith("associations."):
                wanted = {"company": "companies", "contact": "contacts", "deal": "deals"}[name.split(".", 1)[1]]
                return (wanted, flt["value"]) in record["associations"]
            return record["properties"].get(name) == flt["value"]

        results = [self._public(r) for r in self.hubspot[kind].values() if all(matches(r, f) for f in filters)]
        return {"total": len(results), "results": results}

    # --- Salesforce --------------------------------------------------------------------------------------
    def _salesforce(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if not re.match(r"^/services/data/v\d+\.\d/", path):
            return 404, [{"errorCode": "NOT_FOUND"}]
        rest = path.split("/", 4)[4]
        if method == "GET" and rest == "query":
            return 200, self._soql(query["q"][0])
        if method == "POST" and rest == "sobjects/Task":
            return 201, {"id": self._create_task(body), "success": True, "errors": []}
        return 404, [{"errorCode": "NOT_FOUND"}]

    def _create_task(self, body: Any) -> str:
        if not isinstance(body.get("Subject"), str) or body.get("TaskSubtype") != "Call":
            raise PayloadError("a call Task needs Subject and TaskSubtype='Call'")
        if not isinstance(body.get("CallDurationInSeconds"), int):
            raise PayloadError("CallDurationInSeconds must be an integer")
        if "WhoId" in body and body["WhoId"] not in self.salesforce["Contact"]:
            raise PayloadError(f"WhoId {body['WhoId']} is not a contact")
        what = body.get("WhatId")
        if what is not None and what not in self.salesforce["Opportunity"] and what not in self.salesforce["Account"]:
            raise PayloadError(f"WhatId {what} is not an opportunity or account")
        return self.salesforce_record("Task", "00T", **body)

    def _soql(self, soql: str) -> dict[str, Any]:
        parsed = SOQL.match(soql)
        if parsed is None:
            raise PayloadError(f"the fake does not understand {soql!r}")
        conditions = []
        for part in parsed["where"].split(" AND "):
            condition = CONDITION.match(part.strip())
            if condition is None:
                raise PayloadError(f"the fake does not understand the condition {part!r}")
            value: Any = (
                condition["bool"] == "true" if condition["bool"] else re.sub(r"\\(.)", r"\1", condition["text"])
            )
            conditions.append((condition["field"], value))
        fields = [f.strip() for f in parsed["fields"].split(",")]
        rows = [
            {f: record.get(f) for f in fields}
            for record in self.salesforce[parsed["object"]].values()
            if all(record.get(name) == value for name, value in conditions)
        ]
        return {"totalSize": len(rows), "done": True, "records": rows}

    # --- dispatch ----------------------------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any, Fault | None]:
        entry = Logged(method, urlsplit(target).path, time.monotonic())
        with self._lock:
            self.log.append(entry)
            status, answer, fault = self._answer(method, target, headers, raw)
            entry.status = status
        return status, answer, fault

    def _answer(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any, Fault | None]:
        url = urlsplit(target)
        path = url.path
        fault = next((f for f in self.faults if f.method == method and path == f.path), None)
        if fault is not None:
            self.faults.remove(fault)
            if fault.kind == "error":
                return fault.status, {"message": "injected failure"}, None
            if fault.kind == "rate_limit":
                return 429, {"message": "rate limited"}, fault
        if method == "GET" and path.startswith("/recordings/"):
            name = path.rsplit("/", 1)[1]
            return (200, self.files[name], fault) if name in self.files else (404, {"message": "no file"}, None)
        if path == "/hooks/generic":
            try:
                verify_generic(GENERIC_SECRET, raw, headers, max_age_s=300)
            except SignatureError as exc:
                return 401, {"message": exc.message}, None
            self.generic.append({"headers": headers, "body": json.loads(raw)})
            return 200, {"ok": True}, fault
        token = HUBSPOT_TOKEN if path.startswith("/crm/") else SALESFORCE_TOKEN
        if headers.get("authorization") != f"Bearer {token}":
            return 401, {"message": "bad or missing Bearer token"}, None
        try:
            body = json.loads(raw) if raw else None
            if path.startswith("/crm/v3/objects/"):
                status, answer = self._hubspot(method, path, body)
            else:
                status, answer = self._salesforce(method, path, parse_qs(url.query), body)
        except (PayloadError, KeyError, TypeError, ValueError) as exc:
            return 400, {"message": f"bad request: {exc}"}, None
        return status, answer, fault


class _Handler(BaseHTTPRequestHandler):
    crm: FakeCRM

    def _serve(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, answer, fault = self.crm.handle(self.command, self.path, headers, raw)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay_s)  # the work is done; the client gives up before it hears so
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        try:
            self.send_response(status)
            if fault is not None and fault.kind == "rate_limit":
                self.send_header("Retry-After", fault.retry_after)
            kind = "application/octet-stream" if isinstance(answer, bytes) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def running_fake_crm() -> Iterator[FakeCRM]:
    """Start the fake CRM on a free loopback port; stop it afterwards."""
    crm = FakeCRM()
    handler = type("Handler", (_Handler,), {"crm": crm})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    crm.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield crm
    finally:
        server.shutdown()
        server.server_close()
