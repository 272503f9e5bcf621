"""Write-back through the real job queue (Huey consumer threads) to the fake CRM, with failures injected on
the first attempts: every analysed call still ends with exactly one record on the right CRM records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from assistant.container import Container
from assistant.crm.outbox import add_rows, backoff_s
from assistant.db.models import Analysis, OutboxItem, utcnow
from assistant.db.session import session_scope
from assistant.pipeline import resume_interrupted
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.crm_calls import ingest, outbox_of, wait_settled
from tests.utils.fake_crm import FakeCRM
from tests.utils.fake_llm import FakeLLM

BUDGET_QUOTE = "We set aside about forty thousand dollars for this project this year."
HUBSPOT_CALLS = "/crm/v3/objects/calls"
SF_QUERY = "/services/data/v61.0/query"
SF_TASK = "/services/data/v61.0/sobjects/Task"


@pytest.fixture
def worker(container: Container, crm: FakeCRM) -> Iterator[Container]:
    """The container with its queue on Huey's SQLite storage and a consumer thread, as `callsight serve` runs."""
    container.queue.huey.immediate = False
    container.queue.start_consumer(1)
    yield container
    container.queue.stop_consumer()


def hubspot_records(crm: FakeCRM) -> tuple[str, str, str]:
    company = crm.hubspot_record("companies", {"name": "Northwind"})
    contact = crm.hubspot_record("contacts", {"email": "tom@northwind.example", "associatedcompanyid": company})
    deal = crm.hubspot_record("deals", {"dealname": "Northwind", "hs_is_closed": "false"}, companies=company)
    return contact, company, deal


def test_hubspot_500_429_and_a_timeout_after_create_still_give_one_engagement(
    worker: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    contact, company, deal = hubspot_records(crm)
    crm.fail("POST", f"{HUBSPOT_CALLS}/search", "error")
    crm.fail("POST", f"{HUBSPOT_CALLS}/search", "rate_limit", retry_after="1")
    # HubSpot stores the engagement, but the answer comes after the client gave up: the retry must find it.
    crm.fail("POST", HUBSPOT_CALLS, "slow", delay_s=1.0)
    enqueue_short_call_analysis(fake_llm)
    crm_ids = {"provider": "hubspot", "contact_id": contact, "company_id": company, "deal_id": deal}
    call_id = ingest(worker, {"title": "Northwind intro", "crm": crm_ids})

    item = wait_settled(worker, call_id)
    assert item.status == "delivered", item.last_error
    (engagement,) = crm.hubspot["calls"].values()
    assert item.remote_id == engagement["id"]
    assert item.attempts == 4
    assert set(engagement["associations"]) == {("contacts", contact), ("companies", company), ("deals", deal)}
    properties = engagement["properties"]
    assert properties["callsight_key"] == item.idempotency_key
    assert properties["hs_call_title"] == "Northwind intro"
    assert properties["hs_call_body"].startswith("Summary<br>Tom from Northwind wants to stop manual order entry")
    assert f"&quot;{BUDGET_QUOTE}&quot; (Prospect, 00:" in properties["hs_call_body"]
    assert "Qualification (BANT v1): QUALIFIED" in properties["hs_call_body"]
    searches = crm.requests_to("POST", f"{HUBSPOT_CALLS}/search")
    assert [r.status for r in searches] == [500, 429, 200, 200]
    assert searches[2].at - searches[1].at >= 1.0, "Retry-After: 1 was not honoured"
    assert len(crm.requests_to("POST", HUBSPOT_CALLS)) == 1


def test_salesforce_task_matched_by_email_survives_an_error_and_a_timeout(
    worker: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    account = crm.salesforce_record("Account", "001", Name="Northwind")
    contact = crm.salesforce_record("Contact", "003", Email="tom@northwind.example", AccountId=account)
    opportunity = crm.salesforce_record("Opportunity", "006", AccountId=account, IsClosed=False)
    crm.fail("GET", SF_QUERY, "error")
    crm.fail("POST", SF_TASK, "slow", delay_s=1.0)
    enqueue_short_call_analysis(fake_llm)
    metadata = {"crm": {"provider": "salesforce"}, "participant_emails": ["tom@northwind.example"]}
    call_id = ingest(worker, metadata)

    item = wait_settled(worker, call_id)
    assert item.status == "delivered", item.last_error
    (task,) = crm.salesforce["Task"].values()
    assert item.remote_id == task["Id"]
    assert item.target == {"contact_id": contact, "company_id": account, "deal_id": opportunity}
    assert (task["WhoId"], task["WhatId"], task["TaskSubtype"]) == (contact, opportunity, "Call")
    assert task["CallObject"] == item.idempotency_key
    assert isinstance(task["CallDurationInSeconds"], int)
    assert f'"{BUDGET_QUOTE}" (Prospect, 00:' in task["Description"]
    assert len(crm.requests_to("POST", SF_TASK)) == 1


def test_attempts_run_out_into_a_dead_letter_that_keeps_its_error(
    worker: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    worker.settings.crm_max_attempts = 2
    contact, _, _ = hubspot_records(crm)
    crm.fail("POST", f"{HUBSPOT_CALLS}/search", "error", "error")
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(worker, {"crm": {"provider": "hubspot", "contact_id": contact}})

    item = wait_settled(worker, call_id)
    assert (item.status, item.attempts) == ("dead", 2)
    assert "server error 500" in (item.last_error or "")
    assert crm.hubspot["calls"] == {}


def test_each_analysis_of_a_call_gets_one_row_and_only_one(container: Container, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(container, {"crm": {"provider": "generic"}})  # no CRM configured: the row goes dead
    (first,) = outbox_of(container, call_id)
    assert (first.status, first.last_error) == ("dead", "CALLSIGHT_WEBHOOK_URL is not set")
    with session_scope(container.sessions) as session:
        assert add_rows(session, container.settings, call_id) == []  # the same analysis again: nothing new
        old = session.get_one(Analysis, first.analysis_id)
        fields = ("call_id", "criteria_version_id", "llm_model", "prompt_version", "summary", "verdict", "result")
        session.add(Analysis(**{name: getattr(old, name) for name in fields}))  # a re-analysis of the call
        session.flush()
        (new_id,) = add_rows(session, container.settings, call_id)
        keys = session.scalars(select(OutboxItem.idempotency_key).order_by(OutboxItem.id)).all()
    assert new_id != first.id
    assert len(set(keys)) == 2 and keys[0] == first.idempotency_key


def test_a_call_without_crm_metadata_gets_no_row(container: Container, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    assert outbox_of(container, ingest(container, {"lead_source": "webinar"})) == []


def _no_jitter() -> float:
    return 0.0


def test_backoff_doubles_to_its_cap_and_never_undercuts_retry_after(container: Container) -> None:
    settings = container.settings
    settings.crm_backoff_base_s, settings.crm_backoff_max_s = 30, 3600
    assert [backoff_s(settings, n, None, jitter=_no_jitter) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
    assert backoff_s(settings, 1, 90, jitter=_no_jitter) == 90
    assert backoff_s(settings, 3, 5, jitter=_no_jitter) == 120


def test_backoff_is_spread_so_rows_that_failed_together_retry_apart(container: Container) -> None:
    settings = container.settings
    settings.crm_backoff_base_s, settings.crm_backoff_max_s = 30, 3600
    delays = {backoff_s(settings, 3, None) for _ in range(50)}
    assert len(delays) > 40 and all(60 <= d <= 120 for d in delays)
    assert backoff_s(settings, 3, 200) == 200  # Retry-After is a floor the jitter never goes under


def test_generic_write_back_is_a_signed_post_with_the_idempotency_key(
    container: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(container, {"crm": {"provider": "generic", "deal_id": "D-9"}}, text=SHORT_CALL)
    (item,) = outbox_of(container, call_id)
    assert item.status == "delivered", item.last_error
    (received,) = crm.generic  # the fake verified the signature before accepting it
    assert received["headers"]["idempotency-key"] == item.idempotency_key
    body = received["body"]
    assert (body["call_id"], body["crm"]["deal_id"]) == (call_id, "D-9")
    assert body["qualification"]["verdict"] == "qualified"
    assert body["next_steps"][0]["text"] == "Send the security questionnaire"


def test_hubspot_note_and_deal_properties_from_known_criteria(
    container: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    container.settings.hubspot_engagement = "note"
    container.settings.hubspot_deal_properties = {"budget": "callsight_budget", "timeline": "callsight_timeline"}
    contact, company, deal = hubspot_records(crm)
    enqueue_short_call_analysis(fake_llm)
    crm_ids = {"provider": "hubspot", "contact_id": contact, "company_id": company, "deal_id": deal}
    (item,) = outbox_of(container, ingest(container, {"crm": crm_ids}))
    assert item.status == "delivered", item.last_error
    (note,) = crm.hubspot["notes"].values()
    assert note["properties"]["callsight_key"] == item.idempotency_key
    assert "Tom from Northwind" in note["properties"]["hs_note_body"]
    assert set(note["associations"]) == {("contacts", contact), ("companies", company), ("deals", deal)}
    deal_properties = crm.hubspot["deals"][deal]["properties"]
    assert deal_properties["callsight_budget"] == "$40,000 this year"
    assert deal_properties["callsight_timeline"] == "live before end of Q3"


def test_a_write_back_whose_task_was_lost_is_delivered_after_a_restart(
    container: Container, crm: FakeCRM, fake_llm: FakeLLM
) -> None:
    contact, _, _ = hubspot_records(crm)
    enqueue_short_call_analysis(fake_llm)
    call_id = ingest(container, {"crm": {"provider": "hubspot", "contact_id": contact}})
    (item,) = outbox_of(container, call_id)
    # As if the process died mid-attempt: the row says "delivering" and its task is gone.
    with session_scope(container.sessions) as session:
        row = session.get_one(OutboxItem, item.id)
        row.status, row.locked_until, row.remote_id = "delivering", utcnow() - timedelta(seconds=1), None
    crm.hubspot["calls"].clear()

    resume_interrupted(container)
    (resumed,) = outbox_of(container, call_id)
    assert resumed.status == "delivered", resumed.last_error
    assert len(crm.hubspot["calls"]) == 1
    resume_interrupted(container)  # settled rows are left alone
    assert len(crm.requests_to("POST", HUBSPOT_CALLS)) == 2
