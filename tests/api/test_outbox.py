"""The outbox over HTTP: dead letters and their retry, the review queue (edit, approve), ambiguous matches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.container import Container
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.crm_calls import ingest
from tests.utils.fake_crm import FakeCRM, running_fake_crm
from tests.utils.fake_llm import FakeLLM


@pytest.fixture
def crm(settings: Settings) -> Iterator[FakeCRM]:
    with running_fake_crm() as fake:
        fake.point(settings)
        yield fake


def only_item(client: TestClient, call_id: str) -> dict:
    (item,) = client.get("/v1/outbox", params={"call_id": call_id}).json()["data"]
    return item


def northwind(crm: FakeCRM, open_deals: int) -> tuple[str, str, list[str]]:
    company = crm.hubspot_record("companies", {"name": "Northwind"})
    contact = crm.hubspot_record("contacts", {"email": "tom@northwind.example", "associatedcompanyid": company})
    deals = [
        crm.hubspot_record("deals", {"dealname": f"deal {n}", "hs_is_closed": "false"}, companies=company)
        for n in range(open_deals)
    ]
    return contact, company, deals


def test_a_permanent_error_is_a_dead_letter_until_retried(
    client: TestClient, container: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    contact, _, _ = northwind(crm, open_deals=0)
    container.settings.hubspot_token = "revoked-token"
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(container, {"crm": {"provider": "hubspot", "contact_id": contact}})
    dead = only_item(client, call_id)
    assert (dead["status"], dead["attempts"]) == ("dead", 1)  # a 401 is not retried
    assert "401" in dead["last_error"]
    assert [i["id"] for i in client.get("/v1/outbox", params={"status": "dead"}).json()["data"]] == [dead["id"]]
    assert crm.hubspot["calls"] == {}

    crm.point(container.settings)  # a valid token again
    response = client.post(f"/v1/outbox/{dead['id']}/retry")
    assert response.status_code == 202
    delivered = client.get(f"/v1/outbox/{dead['id']}").json()
    assert delivered["status"] == "delivered", delivered["last_error"]
    (engagement,) = crm.hubspot["calls"].values()
    assert delivered["remote_id"] == engagement["id"]
    assert client.post(f"/v1/outbox/{dead['id']}/retry").status_code == 409


def test_review_required_waits_for_a_person_who_edits_and_approves(
    client: TestClient, container: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    container.settings.crm_review_required = True
    contact, company, (deal,) = northwind(crm, open_deals=1)
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(container, {"crm": {"provider": "hubspot"}, "participant_emails": ["tom@northwind.example"]})
    item = only_item(client, call_id)
    assert (item["status"], item["review_reason"]) == ("review", "approval required before write-back")
    assert crm.log == []  # nothing was sent before a person looked at it

    edited = client.patch(f"/v1/outbox/{item['id']}", json={"summary": "Tom <Northwind> needs order entry fixed."})
    assert edited.status_code == 200
    assert edited.json()["summary_override"] == "Tom <Northwind> needs order entry fixed."
    assert client.post(f"/v1/outbox/{item['id']}/approve").status_code == 202

    delivered = client.get(f"/v1/outbox/{item['id']}").json()
    assert delivered["status"] == "delivered", delivered["last_error"]
    assert delivered["target"] == {"contact_id": contact, "company_id": company, "deal_id": deal}
    (engagement,) = crm.hubspot["calls"].values()
    assert engagement["properties"]["hs_call_body"].startswith("Summary<br>Tom &lt;Northwind&gt; needs order entry")
    assert client.patch(f"/v1/outbox/{item['id']}", json={"summary": "late"}).status_code == 409


def test_an_ambiguous_match_is_parked_and_the_reviewer_names_the_deal(
    client: TestClient, container: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    contact, company, deals = northwind(crm, open_deals=2)
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(container, {"crm": {"provider": "hubspot"}, "participant_emails": ["tom@northwind.example"]})
    parked = only_item(client, call_id)
    assert parked["status"] == "review"
    assert parked["review_reason"] == f"company {company} has 2 open deals: {', '.join(deals)}"
    assert crm.hubspot["calls"] == {}

    approval = {"contact_id": contact, "company_id": company, "deal_id": deals[1]}
    assert client.post(f"/v1/outbox/{parked['id']}/approve", json=approval).status_code == 202
    (engagement,) = crm.hubspot["calls"].values()
    assert set(engagement["associations"]) == {("contacts", contact), ("companies", company), ("deals", deals[1])}


def test_unknown_item_is_404_and_bad_review_input_is_422(client: TestClient) -> None:
    assert client.get("/v1/outbox/999").status_code == 404
    assert client.post("/v1/outbox/999/retry").status_code == 404
    assert client.patch("/v1/outbox/999", json={"summary": ""}).status_code == 422
    assert client.post("/v1/outbox/999/approve", json={"deal": "1"}).status_code == 422
