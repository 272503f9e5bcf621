"""Signing in to the web pages with an API key, and signing out.

The key is exchanged for a session cookie (api/sessions.py) and never stored in the browser. The login form
is protected against login CSRF by a double-submit token: a random value in a short-lived cookie that the
form must repeat; the logout form carries the session's own CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import sessions
from api.deps import ContainerDep
from api.web.pages import templates
from assistant import auth

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "callsight_login_csrf"
HOME = "/calls"


def _local(target: str | None) -> str:
    """Only a path on this site: `next` must not send a person who just signed in to another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    return target


def _form(request: Request, next_path: str, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request, "login.html", {"next": next_path, "error": error, "login_csrf": token}, status_code=status_code
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


def _same(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _form(request, _local(next))


@router.post("/login")
def login(
    request: Request,
    container: ContainerDep,
    key: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
) -> Response:
    """Check the key; a good one starts a session and goes on to `next`, a bad one shows the form again (401)."""
    if not _same(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The sign-in form expired; reload the page.")
    principal = auth.verify_key(container, key.strip())
    if principal is None:
        return _form(request, _local(next), "That key is not valid or has been revoked.", status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse(_local(next), status_code=status.HTTP_303_SEE_OTHER)
    sessions.start(request, response, principal.key_id)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    """End the session; the form must carry the session's CSRF token, so another site cannot sign you out."""
    session = sessions.read(request)
    if session is not None and not _same(csrf_token, session.csrf):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Missing or wrong CSRF token; reload the page.")
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    sessions.end(response)
    return response
