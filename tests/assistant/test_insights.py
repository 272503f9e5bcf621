"""Insights over stored analyses in a real SQLite database: weekly objections and competitors, new themes,
qualification rates per lead source, blocking criteria, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from assistant import insights
from assistant.container import Container
from assistant.db.models import Analysis
from assistant.db.session import session_scope
from tests.utils.insights import add_analysed_call

MON = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday
WED = datetime(2026, 3, 4, 15, tzinfo=UTC)
NEXT_TUE = datetime(2026, 3, 10, 9, tzinfo=UTC)


@pytest.fixture
def session(container: Container):
    add_analysed_call(
        container,
        "Acme intro",
        MON,
        metadata={"lead_source": "webinar", "campaign": "spring"},
        objections=("price_budget", "price_budget", "timing_priority"),
        competitors=("Acme Insights",),
        themes=("manual order entry",),
    )
    add_analysed_call(
        container,
        "Globex demo",
        WED,
        metadata={"lead_source": "webinar"},
        verdict="unqualified",
        blocking=("budget", "authority"),
        objections=("price_budget",),
        competitors=("acme insights", "Initech"),
        themes=("Manual order entry",),
    )
    add_analysed_call(
        container,
        "Hooli discovery",
        NEXT_TUE,
        metadata={"lead_source": "outbound"},
        verdict="nurture",
        blocking=("budget",),
        objections=("trust_risk_security",),
        themes=("data residency",),
    )
    with session_scope(container.sessions) as s:
        yield s


def test_objections_are_counted_per_category_and_week(session: Session) -> None:
    rows = insights.objections_by_week(session, insights.Period())
    assert [(r.week, r.category, r.objections, r.calls) for r in rows] == [
        (date(2026, 3, 2), "price_budget", 3, 2),
        (date(2026, 3, 2), "timing_priority", 1, 1),
        (date(2026, 3, 9), "trust_risk_security", 1, 1),
    ]


def test_a_period_keeps_only_calls_uploaded_in_it(session: Session) -> None:
    rows = insights.objections_by_week(session, insights.Period(since=date(2026, 3, 3), until=date(2026, 3, 4)))
    assert [(r.category, r.objections) for r in rows] == [("price_budget", 1)]


def test_competitor_mentions_are_calls_per_week_whatever_the_spelling(session: Session) -> None:
    rows = insights.competitors_by_week(session, insights.Period())
    assert [(r.week, r.competitor, r.calls) for r in rows] == [
        (date(2026, 3, 2), "Acme Insights", 2),
        (date(2026, 3, 2), "Initech", 1),
    ]


def test_new_themes_are_those_never_heard_before_the_date(session: Session) -> None:
    rows = insights.new_themes(session, since=date(2026, 3, 9), redact_pii=False)
    assert [(r.theme, r.first_seen, r.calls, r.call_title) for r in rows] == [
        ("data residency", date(2026, 3, 10), 1, "Hooli discovery")
    ]
    everything = insights.new_themes(session, since=date(2026, 1, 1), redact_pii=False)
    assert {(r.theme, r.calls) for r in everything} == {("manual order entry", 2), ("data residency", 1)}


def test_qualification_rate_by_lead_source(session: Session) -> None:
    rows = insights.qualification_rates(session, insights.Period(), "lead_source")
    assert [(r.group, r.calls, r.qualified, r.unqualified, r.nurture, r.rate) for r in rows] == [
        ("webinar", 2, 1, 1, 0, 0.5),
        ("outbound", 1, 0, 0, 1, 0.0),
    ]
    by_campaign = insights.qualification_rates(session, insights.Period(), "campaign")
    assert {(r.group, r.calls) for r in by_campaign} == {("spring", 1), (insights.NOT_SET, 2)}


def test_only_the_newest_analysis_of_a_call_counts(session: Session, container: Container) -> None:
    hooli = session.query(Analysis).filter(Analysis.verdict == "nurture").one()
    session.add(
        Analysis(
            call_id=hooli.call_id,
            criteria_version_id=hooli.criteria_version_id,
            llm_model="fake",
            prompt_version="test",
            summary="Re-analysed.",
            verdict="qualified",
            result={**hooli.result, "qualification": {**hooli.result["qualification"], "blocking": []}},
        )
    )
    session.flush()
    rows = insights.qualification_rates(session, insights.Period(), "lead_source")
    assert {(r.group, r.qualified, r.calls) for r in rows} == {("webinar", 1, 2), ("outbound", 1, 1)}
    assert [(b.criterion, b.blocked_calls) for b in insights.blockers(session, insights.Period())] == [
        ("authority", 1),
        ("budget", 1),
    ]


def test_blockers_rank_the_criteria_that_stop_qualification(session: Session) -> None:
    rows = insights.blockers(session, insights.Period())
    assert [(r.criterion, r.name, r.blocked_calls, r.share_of_calls) for r in rows] == [
        ("budget", "Budget", 2, 0.667),
        ("authority", "Authority", 1, 0.333),
    ]


def test_csv_has_a_header_and_one_line_per_row(session: Session) -> None:
    rows = insights.qualification_rates(session, insights.Period(), "lead_source")
    parsed = list(csv.DictReader(io.StringIO(insights.to_csv(insights.QualificationRate, rows))))
    assert parsed[0] == {
        "group": "webinar",
        "calls": "2",
        "qualified": "1",
        "nurture": "0",
        "unqualified": "1",
        "unknown": "0",
        "rate": "0.5",
    }
    assert len(parsed) == 2
    assert insights.to_csv(insights.Blocker, []) == "criterion,name,blocked_calls,share_of_calls\n"


def test_new_theme_quotes_are_redacted_like_the_index(container: Container, session: Session) -> None:
    add_analysed_call(container, "Call with ap@hooli.com", NEXT_TUE, themes=("invoices sent to ap@hooli.com",))
    shown = insights.new_themes(session, since=date(2026, 3, 9), redact_pii=True)
    leaked = [t for t in shown if "ap@hooli.com" in t.quote or "ap@hooli.com" in t.call_title]
    assert not leaked
    assert any("[EMAIL]" in t.quote and t.call_title == "Call with [EMAIL]" for t in shown)
