"""The insights API over analyses in a real SQLite database: JSON rows, CSV downloads, period filters."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from assistant.container import Container
from tests.utils.insights import add_analysed_call


@pytest.fixture
def seeded(container: Container) -> None:
    add_analysed_call(
        container,
        "Webinar lead",
        datetime(2026, 3, 2, tzinfo=UTC),
        metadata={"lead_source": "webinar", "industry": "logistics"},
        objections=("price_budget",),
        competitors=("Acme Insights",),
        themes=("manual order entry",),
    )
    add_analysed_call(
        container,
        "Outbound lead",
        datetime(2026, 3, 12, tzinfo=UTC),
        metadata={"lead_source": "outbound", "industry": "logistics"},
        verdict="unqualified",
        blocking=("budget",),
        objections=("price_budget", "timing_priority"),
        themes=("data residency",),
    )


@pytest.mark.usefixtures("seeded")
def test_objections_by_week_as_json(client: TestClient) -> None:
    body = client.get("/v1/insights/objections").json()
    assert body["count"] == 3
    assert body["data"][0] == {"week": "2026-03-02", "category": "price_budget", "objections": 1, "calls": 1}
    only_later = client.get("/v1/insights/objections", params={"since": "2026-03-09"}).json()
    assert {(r["week"], r["category"]) for r in only_later["data"]} == {
        ("2026-03-09", "price_budget"),
        ("2026-03-09", "timing_priority"),
    }


@pytest.mark.usefixtures("seeded")
def test_qualification_rate_grouped_by_any_metadata_field(client: TestClient) -> None:
    by_source = client.get("/v1/insights/qualification", params={"by": "lead_source"}).json()["data"]
    assert {(r["group"], r["rate"]) for r in by_source} == {("webinar", 1.0), ("outbound", 0.0)}
    by_industry = client.get("/v1/insights/qualification", params={"by": "industry"}).json()["data"]
    assert [(r["group"], r["calls"], r["rate"]) for r in by_industry] == [("logistics", 2, 0.5)]
    assert client.get("/v1/insights/qualification", params={"by": "shoe_size"}).status_code == 422


@pytest.mark.usefixtures("seeded")
def test_every_insight_downloads_as_csv(client: TestClient) -> None:
    for path, params in [
        ("objections", {}),
        ("competitors", {}),
        ("themes/new", {"since": "2026-03-10"}),
        ("qualification", {"by": "lead_source"}),
        ("blockers", {}),
    ]:
        response = client.get(f"/v1/insights/{path}", params={**params, "format": "csv"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == client.get(f"/v1/insights/{path}", params=params).json()["count"] > 0, path
    themes = list(csv.DictReader(io.StringIO(client.get("/v1/insights/themes/new?since=2026-03-10&format=csv").text)))
    assert [(t["theme"], t["call_title"]) for t in themes] == [("data residency", "Outbound lead")]


def test_insights_of_an_empty_database_are_empty(client: TestClient) -> None:
    assert client.get("/v1/insights/blockers").json() == {"data": [], "count": 0}
    assert client.get("/v1/insights/competitors?format=csv").text == "week,competitor,calls\n"
    assert client.get("/v1/insights/objections", params={"since": "not-a-date"}).status_code == 422
