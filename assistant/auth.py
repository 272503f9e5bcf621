"""API keys and roles: create, verify, revoke and list keys; what each role may do and which calls it sees.

A key is 32 random bytes from `secrets` (base64url, after a `cs_` marker). With that much entropy a fast
hash is enough (nobody can guess a preimage), so only the key's SHA-256 is stored, plus a short non-secret
prefix to tell keys apart in lists. A key's `name` is the person or integration it belongs to; calls
uploaded with it carry that name as their owner, so a replacement key with the same name keeps the calls.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Literal, get_args

from pydantic import BaseModel
from sqlalchemy import select

from assistant.config import Settings
from assistant.container import Container
from assistant.db.models import ApiKey, Call, as_utc, utcnow
from assistant.db.session import session_scope
from assistant.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from assistant.schemas import UtcDateTime

Role = Literal["admin", "sales", "marketing"]
ROLES: tuple[Role, ...] = get_args(Role)
KEY_MARKER = "cs_"
PREFIX_LENGTH = len(KEY_MARKER) + 8
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
_TOUCH_EVERY = timedelta(minutes=1)


class Action(StrEnum):
    UPLOAD = "upload"
    READ_CALLS = "read calls"
    CHANGE_CALLS = "change calls"  # delete, re-analyse, retry, correct speakers
    LISTEN = "listen to recordings"
    READ_INSIGHTS = "read insights"
    CHAT = "chat"
    READ_CRITERIA = "read criteria"
    ADMINISTER = "administer"  # edit criteria, the CRM outbox, re-analyse everything, metrics


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.UPLOAD: frozenset({"admin", "sales"}),
    Action.READ_CALLS: frozenset(ROLES),
    Action.CHANGE_CALLS: frozenset({"admin", "sales"}),
    Action.LISTEN: frozenset({"admin", "sales"}),
    # Insights aggregate every call, so a sales key would read other reps' calls through them.
    Action.READ_INSIGHTS: frozenset({"admin", "marketing"}),
    Action.CHAT: frozenset(ROLES),
    Action.READ_CRITERIA: frozenset(ROLES),
    Action.ADMINISTER: frozenset({"admin"}),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, its name (the owner recorded on uploads) and its role."""

    key_id: int
    name: str
    role: Role


class ApiKeyPublic(BaseModel):
    """A key as listed: never the key itself."""

    id: int
    name: str
    role: str
    prefix: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None


def _public(row: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(row, from_attributes=True)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(container: Container, name: str, role: str) -> tuple[ApiKeyPublic, str]:
    """Store a new key for `name` with `role`; returns it as listed and the key, which is shown only now."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInputError("A key needs a name (the person or integration), up to 200 characters.")
    if role not in ROLES:
        raise InvalidInputError(f"role must be one of {', '.join(ROLES)}, not {role!r}.")
    key = KEY_MARKER + secrets.token_urlsafe(32)
    row = ApiKey(name=name, role=role, key_hash=hash_key(key), prefix=key[:PREFIX_LENGTH])
    with session_scope(container.sessions) as session:
        session.add(row)
        session.flush()
        return _public(row), key


def _active(row: ApiKey | None) -> Principal | None:
    if row is None or row.revoked_at is not None:
        return None
    row_role: Role = row.role  # type: ignore[assignment]  # written by create_key from ROLES only
    return Principal(key_id=row.id, name=row.name, role=row_role)


def verify_key(container: Container, key: str) -> Principal | None:
    """The caller a presented key stands for; None for an unknown or revoked key."""
    digest = hash_key(key)
    with session_scope(container.sessions) as session:
        # Looked up by the digest: a timing difference could tell at most the digest, never the key.
        row = session.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).first()
        if row is None:
            return None
        principal = _active(row)
        now = utcnow()
        if principal is not None and (row.last_used_at is None or as_utc(row.last_used_at) < now - _TOUCH_EVERY):
            row.last_used_at = now
        return principal


def principal_for(container: Container, key_id: int) -> Principal | None:
    """The caller behind a web session, as long as the key it signed in with is not revoked."""
    with session_scope(container.sessions) as session:
        return _active(session.get(ApiKey, key_id))


def revoke_key(container: Container, id_or_prefix: str) -> ApiKeyPublic:
    """Revoke a key by its id or its listed prefix; revoking it again changes nothing."""
    with session_scope(container.sessions) as session:
        if id_or_prefix.isdigit():
            rows = [row] if (row := session.get(ApiKey, int(id_or_prefix))) else []
        else:
            rows = list(session.scalars(select(ApiKey).where(ApiKey.prefix == id_or_prefix[:PREFIX_LENGTH])))
        if not rows:
            raise NotFoundError(f"No key with id or prefix {id_or_prefix!r}.")
        if len(rows) > 1:
            raise ConflictError(f"Several keys start with {id_or_prefix!r}; revoke by id.")
        if rows[0].revoked_at is None:
            rows[0].revoked_at = utcnow()
        return _public(rows[0])


def list_keys(container: Container) -> list[ApiKeyPublic]:
    """Every key, revoked ones included, oldest first."""
    with session_scope(container.sessions) as session:
        return [_public(row) for row in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def has_active_key(container: Container) -> bool:
    with session_scope(container.sessions) as session:
        return session.scalar(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1)) is not None


def allowed(principal: Principal, action: Action) -> bool:
    return principal.role in PERMISSIONS[action]


def require(principal: Principal, action: Action) -> None:
    """ForbiddenError unless the principal's role may do `action`."""
    if not allowed(principal, action):
        raise ForbiddenError(f"A {principal.role} key may not {action}.")


def owner_scope(principal: Principal) -> str | None:
    """The owner a sales key is limited to; None when the role sees every call."""
    return principal.name if principal.role == "sales" else None


def check_call(container: Container, principal: Principal, call_id: str) -> None:
    """NotFoundError when the call does not exist or the caller may not see it: the answer is the same, so
    nobody learns that another rep's call exists."""
    with session_scope(container.sessions) as session:
        found = session.execute(select(Call.uploaded_by).where(Call.id == call_id)).first()
    owner = owner_scope(principal)
    if found is None or (owner is not None and found.uploaded_by != owner):
        raise NotFoundError(f"No call with id {call_id}.")


def sees_transcripts(principal: Principal, settings: Settings) -> bool:
    """Full transcripts go to admin and sales (on the calls they see); to marketing only when allowed."""
    return principal.role != "marketing" or settings.marketing_sees_transcripts


def chat_scope(principal: Principal, settings: Settings) -> dict[str, Any] | None:
    """The index filter every chat question of this caller is held to, whatever the question or its filters
    say: sales only its own calls, marketing no raw transcript lines unless allowed."""
    if principal.role == "sales":
        return {"uploaded_by": principal.name}
    if not sees_transcripts(principal, settings):
        return {"kind": {"$ne": "quote"}}
    return None


def within_scope(where: Mapping[str, Any] | None, scope: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """`where` AND `scope`, flattened into one top-level `$and` so the index still sees pinned call ids."""
    if not scope:
        return dict(where) if where else None
    if not where:
        return dict(scope)
    if set(where) == {"$and"}:
        clauses = list(where["$and"])
    elif any(key.startswith("$") for key in where):
        clauses = [dict(where)]
    else:  # several plain fields are their conjunction (as the index reads them)
        clauses = [{key: value} for key, value in where.items()]
    return {"$and": [*clauses, dict(scope)]}
