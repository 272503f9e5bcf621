"""Record matching when a call's metadata lacks CRM ids. The rule, in order:

1. ids given in the metadata are used as they are;
2. no contact id: each participant email is looked up; exactly one contact over all emails is used;
3. no company id: that contact's (primary) company;
4. no deal id: the company's open deals; exactly one is used, none means "no deal".

Anything ambiguous (an email matching two contacts, emails matching different contacts, two open deals), or
nothing to attach the write-back to at all, raises NeedsReview: the row waits for a person, never a guess.
"""

from __future__ import annotations

from assistant.crm.providers.base import Contact, Directory, Target


class NeedsReview(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _one_contact(emails: list[str], directory: Directory) -> Contact | None:
    found: dict[str, Contact] = {}
    for email in emails:
        matches = directory.contacts_by_email(email)
        if len(matches) > 1:
            raise NeedsReview(f"{email} matches {len(matches)} contacts")
        found.update((c.id, c) for c in matches)
    if len(found) > 1:
        raise NeedsReview(f"the participants match {len(found)} different contacts: {', '.join(sorted(found))}")
    return next(iter(found.values()), None)


def resolve_target(given: Target, emails: list[str], directory: Directory | None) -> Target:
    """The records to write to, by the rule above."""
    if directory is None:
        return given
    contact_id, company_id, deal_id = given.contact_id, given.company_id, given.deal_id
    if contact_id is None and emails:
        contact = _one_contact(emails, directory)
        if contact is not None:
            contact_id = contact.id
            company_id = company_id or contact.company_id
    if deal_id is None and company_id is not None:
        deals = directory.open_deals(company_id)
        if len(deals) > 1:
            raise NeedsReview(f"company {company_id} has {len(deals)} open deals: {', '.join(deals)}")
        deal_id = deals[0] if deals else None
    target = Target(contact_id, company_id, deal_id)
    if target.empty:
        raise NeedsReview("no CRM record was given and none matched the participants")
    return target
