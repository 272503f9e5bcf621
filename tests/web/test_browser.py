"""The web app in a real browser: upload a call and watch it finish, play the recording from an evidence quote,
ask the calls a question and follow a cited source to its moment, and read the insights dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from assistant.llm.base import ChatMessage
from tests.utils.analysis import criterion_reply, enqueue_short_call_analysis, objection_reply, summary_reply
from tests.utils.audio import two_voice_call
from tests.utils.calls import SHORT_CALL
from tests.utils.insights import add_analysed_call
from tests.web.conftest import LiveApp, screenshot, sign_in

REP = "Thanks for joining the call today. Could you tell me how your team plans deliveries right now?"
PROSPECT = "We lose about two hours every day fixing mistakes in our delivery schedule."
PROSPECT_STARTS = 6.5  # seconds: the prospect's channel is delayed by this much


@pytest.fixture(scope="module")
def stereo_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-audio")
    return two_voice_call(folder, REP, PROSPECT, prospect_starts_s=PROSPECT_STARTS, name="delivery-call.wav")


def enqueue_stereo_call_analysis(app: LiveApp) -> None:
    """The analysis of the stereo call: line 1 is the rep's, line 2 the prospect's; need is met."""
    app.llm.enqueue(summary_reply(summary="The prospect loses two hours a day to schedule errors.", competitors=[]))
    app.llm.enqueue(
        criterion_reply(),
        criterion_reply(),
        criterion_reply("met", [2], "two hours every day lost to schedule mistakes"),
        criterion_reply(),
    )
    app.llm.enqueue(objection_reply())


def upload_through_the_page(page: Page, app: LiveApp, path: Path, **fields: str) -> None:
    page.goto(f"{app.url}/upload")
    page.set_input_files("#file", str(path))
    for name, value in fields.items():
        if name == "rep_channel":
            page.select_option("#rep_channel", value)
        else:
            page.fill(f"#{name}", value)
    page.click("#upload-button")
    expect(page.locator("#open-call")).to_be_visible(timeout=90_000)
    expect(page.locator("#upload-message")).to_have_text(re.compile("^Done"))


def player_time(page: Page) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def test_upload_a_call_see_it_finish_and_play_it_from_an_evidence_quote(
    page: Page, live_app: LiveApp, stereo_call: Path
) -> None:
    sign_in(page, live_app)
    enqueue_stereo_call_analysis(live_app)
    upload_through_the_page(
        page, live_app, stereo_call, title="Delivery planning intro", lead_source="webinar", rep_channel="left"
    )
    assert page.locator("#upload-progress").get_attribute("value") == "100"
    expect(page.locator("#steps li.done")).to_have_count(6)

    page.click("#open-call")
    expect(page.locator("h1")).to_have_text("Delivery planning intro")
    expect(page.locator("#verdict")).to_have_text("nurture")
    page.wait_for_function("document.getElementById('player').readyState >= 1")

    need = page.locator("[data-criterion=need]")
    expect(need.locator(".badge")).to_have_text("met")
    quote = need.locator(".quote").first
    expect(quote).to_contain_text("delivery schedule")
    start = float(quote.get_attribute("data-t") or "nan")
    assert start >= PROSPECT_STARTS - 0.5
    quote.click()
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {start}) < 1.5")
    expect(page.locator(".seg.current")).to_contain_text("delivery schedule")
    screenshot(page, "call")

    # Keyboard: Tab to the first transcript line, Enter plays from it.
    page.locator(".seg").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('player').currentTime < 1.5")
    expect(page.locator(".seg.current")).to_contain_text("team plans")

    page.goto(f"{live_app.url}/calls?lead_source=webinar&verdict=nurture")
    expect(page.locator("#call-table tbody tr")).to_have_count(1)
    page.goto(f"{live_app.url}/calls?lead_source=outbound")
    expect(page.locator("#call-table")).to_have_count(0)


def test_chat_streams_an_answer_citing_calls_and_each_source_opens_its_moment(
    page: Page, live_app: LiveApp, stereo_call: Path
) -> None:
    sign_in(page, live_app)
    enqueue_stereo_call_analysis(live_app)
    upload_through_the_page(page, live_app, stereo_call, title="Delivery planning intro", rep_channel="left")
    enqueue_short_call_analysis(live_app.llm)
    upload_through_the_page(page, live_app, _write(stereo_call.parent / "northwind.txt", SHORT_CALL), title="Northwind")

    def cite_one_excerpt_of_each_call(messages: list[ChatMessage], _schema: dict[str, Any] | None) -> dict[str, Any]:
        # Which excerpt numbers hold which call depends on retrieval; the model would read the prompt too.
        excerpts = re.findall(r"^\[(\d+)\] (.+?)(?: \(\w+\))?: ", messages[-1]["content"], flags=re.MULTILINE)
        first = {title: int(n) for n, title in reversed(excerpts)}
        sources = [first["Delivery planning intro"], first["Northwind"]]
        return {"sources": sources, "answer": "Prospects lose hours to manual work: re-entering orders and fixing."}

    live_app.llm.enqueue(cite_one_excerpt_of_each_call)
    page.goto(f"{live_app.url}/chat")
    page.fill("#question", "How much time do prospects lose to manual work?")
    page.keyboard.press("Enter")
    turn = page.locator(".turn").last
    expect(turn.locator(".answer")).to_have_text(re.compile("^Prospects lose hours to manual work"))
    expect(turn.locator(".actions")).to_be_visible()
    sources = turn.locator(".sources li")
    expect(sources).to_have_count(2)
    titles = {sources.nth(i).locator("a").inner_text().split(" at ")[0] for i in range(2)}
    assert titles == {"Delivery planning intro", "Northwind"}
    screenshot(page, "chat")

    audio_source = sources.filter(has_text="Delivery planning intro").locator("a")
    href = audio_source.get_attribute("href") or ""
    moment = float(href.split("?t=")[1])
    audio_source.click()
    expect(page.locator("h1")).to_have_text("Delivery planning intro")
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {moment}) < 1.5")


def test_insights_dashboard_draws_its_charts_and_exports_csv(page: Page, live_app: LiveApp) -> None:
    sign_in(page, live_app)
    now = datetime.now(UTC)
    seeds = [
        ("Acme logistics", 5, "webinar", "qualified", (), ("price_budget", "timing_priority"), ("Acme Insights",)),
        ("Globex freight", 4, "webinar", "unqualified", ("budget",), ("price_budget",), ("Acme Insights", "Initech")),
        ("Hooli parcels", 3, "outbound", "nurture", ("authority",), ("integration_technical",), ()),
        ("Initrode retail", 2, "outbound", "unqualified", ("budget", "timeline"), ("price_budget",), ("Initech",)),
        ("Umbrella health", 1, "referral", "qualified", (), ("trust_risk_security", "price_budget"), ()),
        ("Soylent foods", 0, "webinar", "qualified", (), ("timing_priority",), ("Acme Insights",)),
    ]
    for title, weeks_ago, source, verdict, blocking, objections, competitors in seeds:
        add_analysed_call(
            live_app.container,
            title,
            now - timedelta(weeks=weeks_ago),
            metadata={"lead_source": source, "campaign": "spring-launch" if weeks_ago < 3 else "winter"},
            verdict=verdict,
            blocking=blocking,
            objections=objections,
            competitors=competitors,
            themes=("route planning",) if weeks_ago > 3 else ("driver shortage",),
        )
    page.goto(f"{live_app.url}/insights")
    assert page.locator("section[aria-labelledby=obj-h] svg rect").count() >= 6
    assert page.locator("section[aria-labelledby=comp-h] svg rect").count() >= 4
    rates = page.locator("section[aria-labelledby=rate-h] .hbars li")
    expect(rates).to_have_count(3)
    expect(rates.first).to_contain_text("webinar")
    expect(rates.first).to_contain_text("67% of 3")
    expect(page.locator("section[aria-labelledby=block-h] .hbars li").first).to_contain_text("Budget")
    expect(page.locator("section[aria-labelledby=themes-h] tbody tr")).to_have_count(2)
    screenshot(page, "insights")

    page.select_option("#by", "campaign")
    page.click("#insights-form button")
    expect(page.locator("#rate-h")).to_have_text("Qualification rate by campaign")
    with page.expect_download() as download:
        page.click("section[aria-labelledby=rate-h] a:has-text('CSV')")
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "group,calls,qualified,nurture,unqualified,unknown,rate"
    assert len(lines) == 3


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
