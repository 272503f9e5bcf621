"""Insights for marketing and sales, as JSON or CSV: objections and competitors by week, new themes,
qualification rate by lead source / campaign / industry / rep, and the criteria that block qualification."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.auth import permit
from api.deps import ContainerDep
from api.responses import errors
from assistant import insights
from assistant.auth import Action
from assistant.db.session import session_scope
from assistant.schemas import IsoDate

# Insights aggregate every call: admin and marketing only (a sales key sees its own calls only).
router = APIRouter(
    prefix="/v1/insights",
    tags=["insights"],
    dependencies=[Depends(permit(Action.READ_INSIGHTS))],
    responses=errors(401, 403),
)

Row = TypeVar("Row", bound=BaseModel)
Format = Annotated[Literal["json", "csv"], Query(description="csv downloads the rows as a spreadsheet.")]
NEW_THEME_DAYS = 30
# What `format=csv` answers with, next to the JSON rows.
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


class Rows(BaseModel, Generic[Row]):
    data: list[Row]
    count: int


def period(
    since: Annotated[IsoDate | None, Query(description="Calls uploaded on or after this day.")] = None,
    until: Annotated[IsoDate | None, Query(description="Calls uploaded on or before this day.")] = None,
) -> insights.Period:
    return insights.Period(since=since, until=until)


PeriodDep = Annotated[insights.Period, Depends(period)]


def _answer(
    container: ContainerDep,
    row_type: type[Row],
    query: Callable[[Session], Sequence[Row]],
    format: str,
    name: str,
) -> Rows[Row] | Response:
    with session_scope(container.sessions) as session:
        rows = list(query(session))
    if format == "csv":
        return Response(
            insights.to_csv(row_type, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="callsight-{name}.csv"'},
        )
    return Rows[row_type](data=rows, count=len(rows))  # type: ignore[valid-type]


@router.get("/objections", response_model=Rows[insights.ObjectionWeek], responses=CSV)
def objections(
    container: ContainerDep, period: PeriodDep, format: Format = "json"
) -> Rows[insights.ObjectionWeek] | Response:
    """Objections per category and week (weeks start on Monday)."""
    return _answer(
        container, insights.ObjectionWeek, lambda s: insights.objections_by_week(s, period), format, "objections"
    )


@router.get("/competitors", response_model=Rows[insights.CompetitorWeek], responses=CSV)
def competitors(
    container: ContainerDep, period: PeriodDep, format: Format = "json"
) -> Rows[insights.CompetitorWeek] | Response:
    """Calls mentioning each competitor, per week."""
    return _answer(
        container, insights.CompetitorWeek, lambda s: insights.competitors_by_week(s, period), format, "competitors"
    )


@router.get("/themes/new", response_model=Rows[insights.NewTheme], responses=CSV)
def new_themes(
    container: ContainerDep,
    since: Annotated[IsoDate | None, Query(description=f"Default: {NEW_THEME_DAYS} days ago.")] = None,
    format: Format = "json",
) -> Rows[insights.NewTheme] | Response:
    """Themes first heard on or after `since`, with the call and quote where they were first heard."""
    start = since or date.today() - timedelta(days=NEW_THEME_DAYS)
    return _answer(
        container,
        insights.NewTheme,
        lambda s: insights.new_themes(s, start, redact_pii=container.settings.redact_pii),
        format,
        "new-themes",
    )


@router.get("/qualification", response_model=Rows[insights.QualificationRate], responses=CSV)
def qualification(
    container: ContainerDep, period: PeriodDep, by: insights.GroupBy = "lead_source", format: Format = "json"
) -> Rows[insights.QualificationRate] | Response:
    """Share of calls qualified, per lead source, campaign, industry or rep."""
    return _answer(
        container,
        insights.QualificationRate,
        lambda s: insights.qualification_rates(s, period, by),
        format,
        f"qualification-by-{by}",
    )


@router.get("/blockers", response_model=Rows[insights.Blocker], responses=CSV)
def blockers(container: ContainerDep, period: PeriodDep, format: Format = "json") -> Rows[insights.Blocker] | Response:
    """Required criteria that kept calls from qualifying, most frequent first."""
    return _answer(container, insights.Blocker, lambda s: insights.blockers(s, period), format, "blockers")
