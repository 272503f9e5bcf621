"""API keys and roles in the domain: only a hash is stored, revoked keys stop, sales sees only its calls,
and the chat scope is ANDed into any filter."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from assistant import auth
from assistant.auth import Action, Principal
from assistant.calls import accept_upload
from assistant.container import Container
from assistant.db.models import ApiKey
from assistant.db.session import session_scope
from assistant.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from assistant.schemas import CallMetadata
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

SALES = Principal(key_id=1, name="Sam", role="sales")
MARKETING = Principal(key_id=2, name="Mia", role="marketing")
ADMIN = Principal(key_id=3, name="Ops", role="admin")


def test_only_the_keys_sha256_and_a_short_prefix_are_stored(container: Container) -> None:
    public, key = auth.create_key(container, "Sam", "sales")

    with session_scope(container.sessions) as session:
        (row,) = session.scalars(select(ApiKey))
        stored = [str(getattr(row, column.name)) for column in ApiKey.__table__.columns]
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert not any(key in value for value in stored)
    assert public.prefix == key[:11] and key.startswith("cs_")
    assert len(key) - len("cs_") >= 43  # 32 random bytes, base64url


def test_keys_are_random_and_each_verifies_as_its_own_principal(container: Container) -> None:
    _, sales_key = auth.create_key(container, "Sam", "sales")
    _, marketing_key = auth.create_key(container, "Mia", "marketing")

    assert sales_key != marketing_key
    assert auth.verify_key(container, sales_key) == Principal(key_id=1, name="Sam", role="sales")
    assert auth.verify_key(container, marketing_key) == Principal(key_id=2, name="Mia", role="marketing")
    assert auth.verify_key(container, sales_key[:-1] + ("A" if sales_key[-1] != "A" else "B")) is None
    assert auth.verify_key(container, "") is None


def test_a_revoked_key_no_longer_verifies_and_last_use_is_recorded(container: Container) -> None:
    public, key = auth.create_key(container, "Sam", "sales")
    auth.verify_key(container, key)
    assert auth.list_keys(container)[0].last_used_at is not None

    revoked = auth.revoke_key(container, public.prefix)

    assert revoked.revoked_at is not None
    assert auth.verify_key(container, key) is None
    assert auth.principal_for(container, public.id) is None
    assert not auth.has_active_key(container)
    assert auth.revoke_key(container, str(public.id)).revoked_at == revoked.revoked_at  # again: no change


def test_bad_names_roles_and_ambiguous_prefixes_are_clear_errors(container: Container) -> None:
    with pytest.raises(InvalidInputError, match="admin, sales, marketing"):
        auth.create_key(container, "Sam", "root")
    with pytest.raises(InvalidInputError, match="name"):
        auth.create_key(container, "  ", "sales")
    with pytest.raises(NotFoundError):
        auth.revoke_key(container, "42")
    first, _ = auth.create_key(container, "A", "sales")
    second, _ = auth.create_key(container, "B", "sales")
    with session_scope(container.sessions) as session:
        session.get_one(ApiKey, second.id).prefix = first.prefix
    with pytest.raises(ConflictError, match="revoke by id"):
        auth.revoke_key(container, first.prefix)


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (ADMIN, set(Action)),
        (
            SALES,
            {Action.UPLOAD, Action.READ_CALLS, Action.CHANGE_CALLS, Action.LISTEN, Action.CHAT, Action.READ_CRITERIA},
        ),
        (MARKETING, {Action.READ_CALLS, Action.READ_INSIGHTS, Action.CHAT, Action.READ_CRITERIA}),
    ],
)
def test_each_role_may_do_exactly_its_actions(principal: Principal, allowed: set[Action]) -> None:
    assert {action for action in Action if auth.allowed(principal, action)} == allowed
    for action in set(Action) - allowed:
        with pytest.raises(ForbiddenError, match=principal.role):
            auth.require(principal, action)


def test_sales_sees_only_the_calls_its_name_uploaded(container: Container, fake_llm: FakeLLM) -> None:
    def upload(text: str, owner: str | None) -> str:
        stream = io.BytesIO(text.encode())
        meta = CallMetadata()
        return accept_upload(container, stream, "c.txt", metadata=meta, uploaded_by=owner, enqueue=False).id

    own = upload(SHORT_CALL, "Sam")
    other = upload(SHORT_CALL + "Rep: Bye.\n", "Lee")
    unowned = upload(SHORT_CALL + "Rep: Later.\n", None)

    auth.check_call(container, SALES, own)
    for hidden in (other, unowned, "no-such-call"):
        with pytest.raises(NotFoundError, match=f"No call with id {hidden}"):
            auth.check_call(container, SALES, hidden)
    for call_id in (own, other, unowned):
        auth.check_call(container, ADMIN, call_id)
        auth.check_call(container, MARKETING, call_id)


def test_chat_scope_holds_sales_to_its_calls_and_keeps_raw_lines_from_marketing(container: Container) -> None:
    settings = container.settings
    assert auth.chat_scope(SALES, settings) == {"uploaded_by": "Sam"}
    assert auth.chat_scope(MARKETING, settings) == {"kind": {"$ne": "quote"}}
    assert auth.chat_scope(ADMIN, settings) is None
    allowed = settings.model_copy(update={"marketing_sees_transcripts": True})
    assert auth.chat_scope(MARKETING, allowed) is None
    assert auth.sees_transcripts(MARKETING, allowed) and not auth.sees_transcripts(MARKETING, settings)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (None, {"uploaded_by": "Sam"}),
        ({"call_id": "c1"}, {"$and": [{"call_id": "c1"}, {"uploaded_by": "Sam"}]}),
        (
            {"$and": [{"kind": "theme"}, {"call_id": "c1"}]},
            {"$and": [{"kind": "theme"}, {"call_id": "c1"}, {"uploaded_by": "Sam"}]},
        ),
        ({"kind": "theme", "rep": "x"}, {"$and": [{"kind": "theme"}, {"rep": "x"}, {"uploaded_by": "Sam"}]}),
        (
            {"$or": [{"kind": "theme"}, {"kind": "quote"}]},
            {"$and": [{"$or": [{"kind": "theme"}, {"kind": "quote"}]}, {"uploaded_by": "Sam"}]},
        ),
    ],
)
def test_the_scope_is_anded_into_any_filter(where: dict | None, expected: dict) -> None:
    assert auth.within_scope(where, {"uploaded_by": "Sam"}) == expected
    assert auth.within_scope(where, None) == where
