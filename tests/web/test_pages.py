"""The pages as the server renders them (no browser): filters, a transcript-only call, a missing call."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from assistant.container import Container
from tests.utils.analysis import enqueue_short_call_analysis
from tests.utils.calls import SHORT_CALL
from tests.utils.fake_llm import FakeLLM
from tests.utils.insights import add_analysed_call


def test_call_list_filters_by_verdict_and_metadata(client: TestClient, container: Container) -> None:
    now = datetime.now(UTC)
    add_analysed_call(container, "Webinar win", now, metadata={"lead_source": "webinar"}, verdict="qualified")
    add_analysed_call(container, "Webinar miss", now, metadata={"lead_source": "webinar"}, verdict="unqualified")
    add_analysed_call(container, "Cold call", now, metadata={"lead_source": "outbound"}, verdict="qualified")

    def titles(**params: str) -> set[str]:
        page = client.get("/calls", params=params).text
        return {t for t in ("Webinar win", "Webinar miss", "Cold call") if f">{t}</a>" in page}

    assert titles() == {"Webinar win", "Webinar miss", "Cold call"}
    assert titles(verdict="qualified") == {"Webinar win", "Cold call"}
    assert titles(verdict="qualified", lead_source="webinar") == {"Webinar win"}
    assert titles(status="failed") == set()


def test_transcript_call_page_has_the_scorecard_and_no_player(client: TestClient, fake_llm: FakeLLM) -> None:
    enqueue_short_call_analysis(fake_llm)
    call_id = client.post("/v1/calls", files={"file": ("northwind.txt", SHORT_CALL.encode(), "text/plain")}).json()[
        "id"
    ]
    page = client.get(f"/calls/{call_id}", params={"t": "36.4"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-start="36.4"' in page.text
    assert "<audio" not in page.text and "no recording to play" in page.text
    assert page.text.count('class="seg"') == len(SHORT_CALL.strip().splitlines())
    assert 'data-criterion="budget"' in page.text and "forty thousand dollars" in page.text
    assert "Acme Insights quoted us less" in page.text  # the objection's quote, clickable to its moment


def test_unknown_call_is_a_404_page(client: TestClient) -> None:
    page = client.get("/calls/nope")
    assert page.status_code == 404
    assert "No call with id nope" in page.text and "<html" in page.text


def test_home_leads_to_the_calls_and_static_files_are_served(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/calls"
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    for name in ("call.js", "chat.js", "upload.js"):
        assert client.get(f"/static/{name}").status_code == 200


def test_chat_box_takes_as_many_characters_as_the_api_accepts(client: TestClient, container: Container) -> None:
    container.settings.max_question_chars = 300
    assert 'maxlength="300"' in client.get("/chat").text
