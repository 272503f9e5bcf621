"""Signing in to the pages: a key becomes an HttpOnly, SameSite session cookie; forms and the pages' own API
requests need the session's CSRF token; each role's pages show only what the role may do."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from api import sessions
from api.main import create_app
from assistant import auth
from assistant.config import Settings
from assistant.container import Container
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.auth import bearer, make_key
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM

UPLOAD = {"file": ("northwind.txt", SHORT_CALL.encode(), "text/plain")}


@pytest.fixture
def browser(container: Container) -> TestClient:
    """A visitor with no key, whose cookies persist between requests, as a browser's do."""
    return TestClient(create_app(container), follow_redirects=False)


def form_token(html: str, name: str = "csrf_token") -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, html
    return found.group(1)


def meta_token(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)">', html)
    assert found, html
    return found.group(1)


def sign_in(browser: TestClient, key: str, next_path: str = "/calls") -> str:
    """Sign in through the form; returns the Set-Cookie header of the session."""
    form = browser.get("/login", params={"next": next_path})
    response = browser.post("/login", data={"key": key, "csrf_token": form_token(form.text), "next": next_path})
    assert response.status_code == 303, response.text
    return response.headers["set-cookie"]


def test_a_page_sends_a_visitor_to_sign_in_and_back_to_it(browser: TestClient, container: Container) -> None:
    key = make_key(container, "admin", "Ops")
    first = browser.get("/calls", params={"verdict": "qualified"})
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/calls%3Fverdict%3Dqualified"

    form = browser.get(first.headers["location"])
    response = browser.post(
        "/login", data={"key": key, "csrf_token": form_token(form.text), "next": form_token(form.text, "next")}
    )

    assert response.status_code == 303 and response.headers["location"] == "/calls?verdict=qualified"
    page = browser.get("/calls?verdict=qualified")
    assert page.status_code == 200 and "Ops · admin" in page.text
    assert key not in page.text and key not in response.headers["set-cookie"]


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(container: Container) -> None:
    key = make_key(container, "sales", "Sam")
    plain = TestClient(create_app(container), follow_redirects=False)
    secure = TestClient(create_app(container), follow_redirects=False, base_url="https://testserver")

    over_http = sign_in(plain, key).lower()
    over_https = sign_in(secure, key).lower()

    assert over_http.startswith("callsight_session=")
    for cookie in (over_http, over_https):
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in over_http and "secure" in over_https


def test_a_wrong_or_revoked_key_shows_the_form_again_without_a_session(
    browser: TestClient, container: Container
) -> None:
    key = make_key(container, "sales", "Sam")
    auth.revoke_key(container, key[:11])
    for attempt in (key, "cs_wrong"):
        form = browser.get("/login")
        response = browser.post("/login", data={"key": attempt, "csrf_token": form_token(form.text)})
        assert response.status_code == 401
        assert "not valid or has been revoked" in response.text
        assert "callsight_session" not in response.headers.get("set-cookie", "")


def test_the_login_form_without_its_token_is_refused(browser: TestClient, container: Container) -> None:
    key = make_key(container, "admin", "Ops")
    browser.get("/login")
    assert browser.post("/login", data={"key": key}).status_code == 403
    assert browser.post("/login", data={"key": key, "csrf_token": "guessed"}).status_code == 403
    assert browser.get("/calls").status_code == 303


def test_next_never_leads_off_the_site(browser: TestClient, container: Container) -> None:
    key = make_key(container, "admin", "Ops")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        form = browser.get("/login", params={"next": target})
        response = browser.post("/login", data={"key": key, "csrf_token": form_token(form.text), "next": target})
        assert response.headers["location"] == "/calls", target


def test_the_pages_api_requests_need_the_csrf_header_with_a_session(
    browser: TestClient, container: Container, fake_llm: FakeLLM
) -> None:
    sign_in(browser, make_key(container, "sales", "Sam"))
    token = meta_token(browser.get("/upload").text)

    forged = browser.post("/v1/calls", files=UPLOAD)  # what another site's form could make the browser send
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
    assert browser.get("/v1/calls").json()["count"] == 0
    assert browser.post("/v1/calls", files=UPLOAD, headers={"X-CSRF-Token": "wrong"}).status_code == 403

    enqueue_short_call_analysis(fake_llm)
    sent = browser.post("/v1/calls", files=UPLOAD, headers={"X-CSRF-Token": token})
    assert sent.status_code == 202
    assert browser.get("/v1/calls").json()["count"] == 1  # reading needs no token


def test_sign_out_needs_the_token_and_ends_the_session(browser: TestClient, container: Container) -> None:
    sign_in(browser, make_key(container, "marketing", "Mia"))
    token = form_token(browser.get("/calls").text)

    assert browser.post("/logout").status_code == 403
    assert browser.get("/calls").status_code == 200

    response = browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert browser.get("/calls").status_code == 303


def test_revoking_the_key_ends_its_sessions_and_a_forged_cookie_is_no_session(
    browser: TestClient, container: Container
) -> None:
    key = make_key(container, "admin", "Ops")
    sign_in(browser, key)
    cookie = browser.cookies["callsight_session"]
    payload, signature = cookie.split(".")

    for value, expected in ((payload + "." + signature[::-1], 303), (payload + "x." + signature, 303), (cookie, 200)):
        browser.cookies.clear()
        browser.cookies.set("callsight_session", value)
        assert browser.get("/calls").status_code == expected, value

    auth.revoke_key(container, key[:11])
    assert browser.get("/calls").status_code == 303
    assert browser.get("/v1/calls").status_code == 401


def test_sessions_survive_a_restart_with_the_generated_secret(browser: TestClient, container: Container) -> None:
    sign_in(browser, make_key(container, "admin", "Ops"))
    restarted = TestClient(create_app(container), follow_redirects=False, cookies=dict(browser.cookies))
    assert restarted.get("/calls").status_code == 200
    assert (container.settings.data_dir / "session_secret").stat().st_mode & 0o077 == 0


def test_each_role_sees_only_what_it_may_do(client: TestClient, container: Container, fake_llm: FakeLLM) -> None:
    sam, lee = make_key(container, "sales", "Sam"), make_key(container, "sales", "Lee")
    enqueue_short_call_analysis(fake_llm)
    call_id = client.post("/v1/calls", files=UPLOAD, headers=bearer(sam)).json()["id"]
    pages = {role: TestClient(create_app(container), follow_redirects=False) for role in ("sales", "marketing")}
    sign_in(pages["sales"], sam)
    sign_in(pages["marketing"], make_key(container, "marketing", "Mia"))
    other_rep = TestClient(create_app(container), follow_redirects=False)
    sign_in(other_rep, lee)

    sales_call = pages["sales"].get(f"/calls/{call_id}").text
    assert 'id="transcript"' in sales_call and "Honestly, Acme Insights quoted us less" in sales_call
    assert 'href="/upload"' in sales_call and 'href="/insights"' not in sales_call
    assert pages["sales"].get("/insights").status_code == 403

    marketing_call = pages["marketing"].get(f"/calls/{call_id}").text
    assert 'id="transcript"' not in marketing_call and "<audio" not in marketing_call
    assert 'id="transcript-hidden"' in marketing_call and 'id="scorecard"' in marketing_call
    assert 'href="/upload"' not in marketing_call and 'href="/insights"' in marketing_call
    assert pages["marketing"].get("/upload").status_code == 403
    assert pages["marketing"].get("/insights").status_code == 200

    assert other_rep.get(f"/calls/{call_id}").status_code == 404
    assert call_id not in other_rep.get("/calls").text
    assert call_id in pages["sales"].get("/calls").text


def test_a_configured_secret_signs_the_sessions_and_a_short_one_is_refused(container: Container) -> None:
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(data_dir=container.settings.data_dir, secret_key="changeme")
    secret = "x" * 40
    container.settings.secret_key = SecretStr(secret)
    browser = TestClient(create_app(container), follow_redirects=False)
    sign_in(browser, make_key(container, "admin", "Ops"))

    payload, signature = browser.cookies["callsight_session"].split(".")
    assert signature == sessions._sign(secret.encode(), payload.encode())
