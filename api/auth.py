"""Who is calling, and may they: the dependencies every router uses (assistant/auth.py holds the rules).

A request is authenticated by `Authorization: Bearer KEY`, or by the web session cookie (api/sessions.py).
A cookie is sent by the browser on its own, so a state-changing request authenticated by it must also carry
the session's CSRF token in `X-CSRF-Token`; a Bearer key is never sent on its own and needs none.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api import sessions
from api.deps import ContainerDep
from assistant import auth
from assistant.auth import Action, Principal
from assistant.chat import ChatService, chat_service
from assistant.container import Container

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="callsight"'}
# Declares the scheme in the OpenAPI schema (the docs' "Authorize" button, API clients, fuzzers); `identify`
# reads the header itself, so that a malformed header is a 401 rather than a fall-back to the cookie.
_BEARER = HTTPBearer(auto_error=False, description="An API key from `callsight keys create`.")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers=_CHALLENGE)


def identify(request: Request, container: Container) -> tuple[Principal, sessions.WebSession | None] | None:
    """The caller and their web session (None for a Bearer key); None when the request carries neither.
    A Bearer header that does not hold an active key is a 401 even if a cookie would do."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _unauthorized("The Authorization header must be 'Bearer KEY'.")
        principal = auth.verify_key(container, key.strip())
        if principal is None:
            raise _unauthorized("The API key is not valid or has been revoked.")
        return principal, None
    session = sessions.read(request)
    if session is None:
        return None
    principal = auth.principal_for(container, session.key_id)
    if principal is None:
        return None
    if request.method not in SAFE_METHODS and not hmac.compare_digest(
        request.headers.get(CSRF_HEADER, "").encode(), session.csrf.encode()
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"Missing or wrong {CSRF_HEADER} header; reload the page.")
    return principal, session


def authenticate(
    request: Request,
    container: ContainerDep,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> Principal:
    """The caller; 401 with a Bearer challenge when there is none."""
    found = identify(request, container)
    if found is None:
        raise _unauthorized("Authentication required: send 'Authorization: Bearer KEY' (`callsight keys create`).")
    return found[0]


CurrentUser = Annotated[Principal, Depends(authenticate)]


def page_user(request: Request, container: ContainerDep) -> Principal:
    """The caller of a web page; a visitor who is not signed in is sent to the login page and back."""
    found = identify(request, container)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": f"/login?next={quote(target)}"})
    principal, session = found
    # Read by the templates: who is signed in, and the token their page's scripts and forms send back.
    request.state.principal = principal
    request.state.csrf_token = session.csrf if session else ""
    return principal


PageUser = Annotated[Principal, Depends(page_user)]


def permit(action: Action) -> Callable[[Principal], Principal]:
    """A dependency: the caller, if their role may do `action` (403 otherwise)."""

    def dependency(user: CurrentUser) -> Principal:
        auth.require(user, action)
        return user

    return dependency


def _on_call(action: Action) -> Callable[[Container, str, Principal], Principal]:
    # A default rather than an Annotated hint: annotations are strings here, and FastAPI resolves them in the
    # module's globals, where the closure's `action` is not.
    def dependency(container: ContainerDep, call_id: str, user: Principal = Depends(permit(action))) -> Principal:
        auth.check_call(container, user, call_id)
        return user

    return dependency


# The caller, when they may do this to the call in the path; a call they may not see is a 404.
CallReader = Annotated[Principal, Depends(_on_call(Action.READ_CALLS))]
CallChanger = Annotated[Principal, Depends(_on_call(Action.CHANGE_CALLS))]
CallListener = Annotated[Principal, Depends(_on_call(Action.LISTEN))]


def scoped_chat(container: ContainerDep, user: Annotated[Principal, Depends(permit(Action.CHAT))]) -> ChatService:
    """Chat held to what the caller's role may draw from (assistant.auth.chat_scope)."""
    return chat_service(container, auth.chat_scope(user, container.settings))


ScopedChatDep = Annotated[ChatService, Depends(scoped_chat)]
