"""Record matching against the fake CRM's search APIs: the one clear record, or a reason to ask a person."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assistant.config import Settings
from assistant.crm.matching import NeedsReview, resolve_target
from assistant.crm.providers import Target, build_provider
from assistant.crm.providers.hubspot import HubSpot
from assistant.crm.providers.salesforce import Salesforce
from tests.utils.fake_crm import FakeCRM


@pytest.fixture
def hubspot(crm: FakeCRM, settings: Settings) -> Iterator[HubSpot]:
    with httpx.Client(timeout=5) as http:
        provider = build_provider("hubspot", settings, http)
        assert isinstance(provider, HubSpot)
        yield provider


def hubspot_company_with_contact(crm: FakeCRM, email: str, open_deals: int, closed_deals: int = 0) -> tuple[str, str]:
    company = crm.hubspot_record("companies", {"name": "Northwind"})
    contact = crm.hubspot_record("contacts", {"email": email, "associatedcompanyid": company}, companies=company)
    for index in range(open_deals):
        crm.hubspot_record("deals", {"dealname": f"open {index}", "hs_is_closed": "false"}, companies=company)
    for index in range(closed_deals):
        crm.hubspot_record("deals", {"dealname": f"won {index}", "hs_is_closed": "true"}, companies=company)
    return contact, company


def test_email_leads_to_contact_company_and_the_single_open_deal(crm: FakeCRM, hubspot: HubSpot) -> None:
    contact, company = hubspot_company_with_contact(crm, "tom@northwind.example", open_deals=1, closed_deals=2)
    (deal,) = [d for d, r in crm.hubspot["deals"].items() if r["properties"]["hs_is_closed"] == "false"]
    target = resolve_target(Target(), ["rep@us.example", "tom@northwind.example"], hubspot)
    assert target == Target(contact, company, deal)


def test_given_ids_are_kept_and_only_the_missing_ones_are_matched(crm: FakeCRM, hubspot: HubSpot) -> None:
    hubspot_company_with_contact(crm, "tom@northwind.example", open_deals=2)
    assert resolve_target(Target(deal_id="77"), ["tom@northwind.example"], hubspot).deal_id == "77"
    assert resolve_target(Target("5", "6", "7"), ["tom@northwind.example"], hubspot) == Target("5", "6", "7")


def test_no_open_deal_writes_to_contact_and_company_only(crm: FakeCRM, hubspot: HubSpot) -> None:
    contact, company = hubspot_company_with_contact(crm, "tom@northwind.example", open_deals=0, closed_deals=1)
    assert resolve_target(Target(), ["tom@northwind.example"], hubspot) == Target(contact, company, None)


@pytest.mark.parametrize("case", ["two open deals", "email matches two contacts", "emails match two contacts", "none"])
def test_ambiguity_or_nothing_to_attach_to_needs_review(crm: FakeCRM, hubspot: HubSpot, case: str) -> None:
    emails = ["tom@northwind.example"]
    if case == "two open deals":
        hubspot_company_with_contact(crm, emails[0], open_deals=2)
        expected = "2 open deals"
    elif case == "email matches two contacts":
        hubspot_company_with_contact(crm, emails[0], open_deals=0)
        hubspot_company_with_contact(crm, emails[0], open_deals=0)
        expected = "matches 2 contacts"
    elif case == "emails match two contacts":
        hubspot_company_with_contact(crm, emails[0], open_deals=0)
        hubspot_company_with_contact(crm, "dana@northwind.example", open_deals=0)
        emails.append("dana@northwind.example")
        expected = "2 different contacts"
    else:
        expected = "no CRM record"
    with pytest.raises(NeedsReview, match=expected):
        resolve_target(Target(), emails, hubspot)


def test_salesforce_matching_uses_soql_on_contact_and_open_opportunities(crm: FakeCRM, settings: Settings) -> None:
    account = crm.salesforce_record("Account", "001", Name="Northwind")
    contact = crm.salesforce_record("Contact", "003", Email="o'hara@northwind.example", AccountId=account)
    crm.salesforce_record("Opportunity", "006", AccountId=account, IsClosed=True)
    open_deal = crm.salesforce_record("Opportunity", "006", AccountId=account, IsClosed=False)
    with httpx.Client(timeout=5) as http:
        provider = build_provider("salesforce", settings, http)
        assert isinstance(provider, Salesforce)
        # The quote in the address must not break (or change) the query.
        assert resolve_target(Target(), ["o'hara@northwind.example"], provider) == Target(contact, account, open_deal)
