"""Insights for the feedback loop between sales and marketing, computed from the stored analyses: objections
and competitor mentions by week, themes new in a period, qualification rate by lead source / campaign /
industry / rep, and the criteria that most often block qualification. Each is a list of flat rows, so the
same rows serve the JSON API, the dashboard's charts and the CSV export.

Only each call's newest analysis counts (a re-analysed call is counted once, with its current verdict). The
SQL reads just the parts of the result JSON an insight needs; tallying runs in Python, which keeps the
queries portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from assistant.db.models import Analysis, Call
from assistant.redaction import redact

GroupBy = Literal["lead_source", "campaign", "industry", "rep"]
NOT_SET = "(not set)"


class Period(BaseModel):
    """Calls uploaded from `since` to `until`, both days inclusive; either may be open."""

    since: date | None = None
    until: date | None = None


class ObjectionWeek(BaseModel):
    week: date
    category: str
    objections: int
    calls: int


class CompetitorWeek(BaseModel):
    week: date
    competitor: str
    calls: int


class NewTheme(BaseModel):
    theme: str
    first_seen: date
    calls: int
    call_id: str
    call_title: str
    quote: str
    start: float


class QualificationRate(BaseModel):
    group: str
    calls: int
    qualified: int
    nurture: int
    unqualified: int
    unknown: int
    rate: float


class Blocker(BaseModel):
    criterion: str
    name: str
    blocked_calls: int
    share_of_calls: float


def week_of(moment: datetime) -> date:
    """The Monday that starts the (ISO) week of `moment`."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def _latest_analyses(period: Period, *columns: Any) -> Select[Any]:
    """Calls with their newest analysis, in the period, oldest first, selecting `columns`."""
    newest = select(func.max(Analysis.id)).group_by(Analysis.call_id)
    query = (
        select(*columns)
        .select_from(Call)
        .join(Analysis, Analysis.call_id == Call.id)
        .where(Analysis.id.in_(newest))
        .order_by(Call.created_at, Call.id)
    )
    if period.since is not None:
        query = query.where(Call.created_at >= datetime.combine(period.since, time.min, UTC))
    if period.until is not None:
        query = query.where(Call.created_at < datetime.combine(period.until + timedelta(days=1), time.min, UTC))
    return query


def objections_by_week(session: Session, period: Period) -> list[ObjectionWeek]:
    """Objections per category and week, most frequent category first within a week."""
    objections: Counter[tuple[date, str]] = Counter()
    calls: Counter[tuple[date, str]] = Counter()
    for created, items in session.execute(_latest_analyses(period, Call.created_at, Analysis.result["objections"])):
        week = week_of(created)
        categories = [str(item["category"]) for item in items or []]
        objections.update((week, c) for c in categories)
        calls.update((week, c) for c in set(categories))
    return [
        ObjectionWeek(week=week, category=category, objections=n, calls=calls[(week, category)])
        for (week, category), n in sorted(objections.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    ]


def competitors_by_week(session: Session, period: Period) -> list[CompetitorWeek]:
    """Calls that mention each competitor, per week (names compared without case)."""
    names: dict[str, str] = {}
    calls: Counter[tuple[date, str]] = Counter()
    for created, items in session.execute(_latest_analyses(period, Call.created_at, Analysis.result["competitors"])):
        mentioned = {_key(str(item["name"])): str(item["name"]) for item in items or []}
        for key, name in mentioned.items():
            names.setdefault(key, name)
            calls[(week_of(created), key)] += 1
    return [
        CompetitorWeek(week=week, competitor=names[key], calls=n)
        for (week, key), n in sorted(calls.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    ]


def new_themes(session: Session, since: date, *, redact_pii: bool) -> list[NewTheme]:
    """Themes first heard on or after `since` (never in an earlier call), newest first, with where they
    were first heard. Every call is read, since "new" means "not heard before". The quote and title are
    shown to marketing, so with `redact_pii` they are redacted like the index."""
    clean = redact if redact_pii else str
    first: dict[str, NewTheme] = {}
    for call_id, title, created, items in session.execute(
        _latest_analyses(Period(), Call.id, Call.title, Call.created_at, Analysis.result["themes"])
    ):
        for item in items or []:
            key = _key(str(item["name"]))
            if key in first:
                first[key].calls += 1
                continue
            first[key] = NewTheme(
                theme=str(item["name"]),
                first_seen=created.date(),
                calls=1,
                call_id=call_id,
                call_title=clean(title),
                quote=clean(str(item["quote"])),
                start=float(item["start"]),
            )
    fresh = [theme for theme in first.values() if theme.first_seen >= since]
    return sorted(fresh, key=lambda t: (t.first_seen, t.calls), reverse=True)


def qualification_rates(session: Session, period: Period, by: GroupBy) -> list[QualificationRate]:
    """Verdicts per value of one metadata field (the number sales and marketing argue about), most calls first."""
    group = func.coalesce(Call.call_metadata[by].as_string(), NOT_SET)
    query = _latest_analyses(period, group, Analysis.verdict, func.count()).group_by(group, Analysis.verdict)
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for value, verdict, n in session.execute(query.order_by(None)):
        counts[str(value) or NOT_SET][str(verdict)] += int(n)
    rows = []
    for value, verdicts in counts.items():
        total = sum(verdicts.values())
        rows.append(
            QualificationRate(
                group=value,
                calls=total,
                qualified=verdicts["qualified"],
                nurture=verdicts["nurture"],
                unqualified=verdicts["unqualified"],
                unknown=verdicts["unknown"],
                rate=round(verdicts["qualified"] / total, 3),
            )
        )
    return sorted(rows, key=lambda r: (-r.calls, r.group))


def blockers(session: Session, period: Period) -> list[Blocker]:
    """Required criteria that kept calls from qualifying, the most frequent first."""
    blocked: Counter[str] = Counter()
    names: dict[str, str] = {}
    total = 0
    for (qualification,) in session.execute(_latest_analyses(period, Analysis.result["qualification"])):
        total += 1
        names.update({c["key"]: c["name"] for c in qualification.get("criteria", [])})
        blocked.update(set(qualification.get("blocking", [])))
    return [
        Blocker(criterion=key, name=names.get(key, key), blocked_calls=n, share_of_calls=round(n / total, 3))
        for key, n in sorted(blocked.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def to_csv(row_type: type[BaseModel], rows: Iterable[BaseModel]) -> str:
    """Rows as CSV with a header of the row type's fields (present even when there are no rows)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row_type.model_fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.model_dump(mode="json") for row in rows)
    return out.getvalue()


def _key(name: str) -> str:
    return " ".join(name.lower().split())
