"""Web sessions: a signed cookie naming the API key a person signed in with, and the session's CSRF token.

The cookie holds no key, only the key's id: every request checks that the key is still active, so revoking
a key ends its sessions at once. The signature (HMAC-SHA256 over the payload, with `CALLSIGHT_SECRET_KEY`
or a secret generated once into the data dir) makes the cookie unforgeable; it expires after
`CALLSIGHT_SESSION_HOURS`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request, Response

from assistant.config import Settings

SESSION_COOKIE = "callsight_session"
SECRET_FILE = "session_secret"


@dataclass(frozen=True)
class WebSession:
    key_id: int
    csrf: str
    issued: int


def load_secret(settings: Settings) -> bytes:
    """The configured secret, else the one in the data dir, generated on first start so restarts (and other
    processes on the same data dir) keep the sessions."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode("utf-8")
    path = settings.data_dir / SECRET_FILE
    try:
        # O_EXCL: of two processes starting together, one writes the secret and both read the same one.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
        fh.flush()
        os.fsync(fh.fileno())
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    for _ in range(50):  # the other process may still be writing it
        value = path.read_text().strip()
        if value:
            return value.encode("utf-8")
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it and restart, or set CALLSIGHT_SECRET_KEY.")


def _sign(secret: bytes, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, payload, hashlib.sha256).digest()).decode().rstrip("=")


def encode(secret: bytes, session: WebSession) -> str:
    data = json.dumps({"k": session.key_id, "c": session.csrf, "t": session.issued}).encode()
    # Unpadded, so the cookie value needs no quoting.
    payload = base64.urlsafe_b64encode(data).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload.encode())}"


def decode(secret: bytes, token: str, max_age_s: float) -> WebSession | None:
    """The session in a cookie value; None when it is forged, damaged or expired."""
    payload, _, signature = token.partition(".")
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        session = WebSession(key_id=int(data["k"]), csrf=str(data["c"]), issued=int(data["t"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if time.time() - session.issued <= max_age_s else None


def read(request: Request) -> WebSession | None:
    """The request's web session, if it has a valid one."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings: Settings = request.app.state.container.settings
    return decode(request.app.state.session_secret, token, settings.session_hours * 3600)


def start(request: Request, response: Response, key_id: int) -> None:
    """Sign in: a fresh session (and CSRF token) in an HttpOnly, SameSite=Lax cookie, Secure over https."""
    settings: Settings = request.app.state.container.settings
    session = WebSession(key_id=key_id, csrf=secrets.token_urlsafe(32), issued=int(time.time()))
    response.set_cookie(
        SESSION_COOKIE,
        encode(request.app.state.session_secret, session),
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def end(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
