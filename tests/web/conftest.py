"""Browser tests: the real app under uvicorn on a loopback port (real database, queue consumer, transcriber,
embeddings and Chroma; the fake LLM), driven by Debian's headless Chromium through Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from assistant.config import Settings
from assistant.container import Container
from assistant.index import Embedder
from eval.servers import serving
from ingestion import Transcriber
from tests.utils.auth import admin_headers, make_key
from tests.utils.fake_llm import FakeLLM

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Chromium as root in a container needs --no-sandbox; the rest keeps it from reaching the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


@dataclass
class LiveApp:
    url: str
    container: Container
    llm: FakeLLM
    admin_key: str


@pytest.fixture
def live_app(settings: Settings, fake_llm: FakeLLM, transcriber: Transcriber, embedder: Embedder) -> Iterator[LiveApp]:
    """The real app with the job consumer in the server, and the fake LLM."""
    container = Container(settings, llm=fake_llm, transcriber=transcriber, embedder=embedder)
    try:
        with serving(container) as url:
            yield LiveApp(url, container, fake_llm, make_key(container, "admin", "test-admin"))
    finally:
        container.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """The app in-process, for checks of the rendered HTML that need no browser; sends an admin key."""
    with TestClient(create_app(container), headers=admin_headers(container)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("browser tests need Debian's chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


def sign_in(page, app: LiveApp, key: str | None = None) -> None:
    """Sign in through the login page (with the admin key by default), as a person would."""
    page.goto(f"{app.url}/login")
    page.fill("#key", key or app.admin_key)
    page.click("#login-button")
    page.wait_for_url(f"{app.url}/calls")


def screenshot(page, name: str) -> None:
    """Save the page for the README (docs/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
