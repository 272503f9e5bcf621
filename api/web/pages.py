"""Page routes: calls (list, one call, upload), the insights dashboard, and chat. Pages read through the same
domain functions as the JSON API; the browser then talks to that API for uploads, polling and chat."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth import PageUser, page_user
from api.deps import ContainerDep
from api.web import charts
from assistant import auth, calls, insights
from assistant.auth import Action
from assistant.chat import format_time
from assistant.db.models import CallStatus
from assistant.db.session import session_scope
from assistant.errors import NotFoundError
from assistant.index.store import KINDS


def _signed_in(request: Request) -> dict[str, Any]:
    """Who is signed in (set by `page_user`), what their role may do, and the CSRF token for their forms."""
    user = getattr(request.state, "principal", None)
    return {
        "user": user,
        "can": lambda action: user is not None and auth.allowed(user, Action(action)),
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }


# Every page needs a signed-in user; the login page itself is in api/web/login.py.
router = APIRouter(include_in_schema=False, dependencies=[Depends(page_user)])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates", context_processors=[_signed_in])
templates.env.filters["mmss"] = format_time

VERDICTS = ("qualified", "nurture", "unqualified", "unknown")
STATUSES = (*CallStatus.ACTIVE, *CallStatus.SETTLED)
PERIODS = {4: "Last 4 weeks", 12: "Last 12 weeks", 26: "Last 6 months", 52: "Last year", 0: "All time"}
GROUPS: dict[insights.GroupBy, str] = {
    "lead_source": "Lead source",
    "campaign": "Campaign",
    "industry": "Industry",
    "rep": "Rep",
}


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _forbidden(request: Request, user: auth.Principal, action: Action) -> HTMLResponse | None:
    if auth.allowed(user, action):
        return None
    message = f"A {user.role} key may not {action}."
    return _page(request, "not_found.html", status_code=403, heading="Not allowed", message=message)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/calls", status_code=303)


@router.get("/calls", response_class=HTMLResponse)
def call_list(
    request: Request,
    container: ContainerDep,
    user: PageUser,
    status: str | None = None,
    verdict: str | None = None,
    lead_source: str | None = None,
    campaign: str | None = None,
    industry: str | None = None,
    rep: str | None = None,
) -> HTMLResponse:
    given = {"lead_source": lead_source, "campaign": campaign, "industry": industry, "rep": rep}
    metadata = {key: value for key, value in given.items() if value}
    rows = calls.list_calls(
        container,
        limit=200,
        status=status or None,
        verdict=verdict or None,
        metadata=metadata,
        owner=auth.owner_scope(user),
    )
    chosen = {"status": status or "", "verdict": verdict or "", **{k: v or "" for k, v in given.items()}}
    return _page(
        request, "calls.html", calls=rows, chosen=chosen, statuses=STATUSES, verdicts=VERDICTS, active=CallStatus.ACTIVE
    )


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(
    request: Request,
    container: ContainerDep,
    user: PageUser,
    call_id: str,
    t: Annotated[float | None, Query(ge=0, description="Start the player here (seconds).")] = None,
) -> HTMLResponse:
    try:
        auth.check_call(container, user, call_id)
        call = calls.get_call(container, call_id)
    except NotFoundError as exc:
        return _page(request, "not_found.html", status_code=404, message=exc.message)
    return _page(
        request,
        "call.html",
        call=call,
        start_at=t,
        active=CallStatus.ACTIVE,
        show_transcript=auth.sees_transcripts(user, container.settings),
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, container: ContainerDep, user: PageUser) -> HTMLResponse:
    return _forbidden(request, user, Action.UPLOAD) or _page(
        request, "upload.html", max_upload_mb=container.settings.max_upload_mb
    )


@router.get("/insights", response_class=HTMLResponse)
def insights_page(
    request: Request,
    container: ContainerDep,
    user: PageUser,
    weeks: Annotated[int, Query(ge=0, le=520)] = 12,
    by: insights.GroupBy = "lead_source",
) -> HTMLResponse:
    if refused := _forbidden(request, user, Action.READ_INSIGHTS):
        return refused
    since = date.today() - timedelta(weeks=weeks) if weeks else None
    period = insights.Period(since=since)
    # "All time" still needs a day for what counts as new: the start of the records.
    themes_since = since or date(1970, 1, 1)
    with session_scope(container.sessions) as session:
        objections = insights.objections_by_week(session, period)
        competitors = insights.competitors_by_week(session, period)
        themes = insights.new_themes(session, themes_since, redact_pii=container.settings.redact_pii)
        rates = insights.qualification_rates(session, period, by)
        blockers = insights.blockers(session, period)
    query = f"since={since.isoformat()}" if since else ""
    return _page(
        request,
        "insights.html",
        weeks=weeks,
        by=by,
        periods=PERIODS,
        groups=GROUPS,
        query=query,
        themes_since=themes_since.isoformat(),
        objections_chart=charts.stacked_bars(objections, x="week", key="category", value="objections"),
        competitors_chart=charts.stacked_bars(competitors, x="week", key="competitor", value="calls"),
        themes=themes[:15],
        rates=charts.hbars([(r.group, r.rate, f"{r.rate:.0%} of {r.calls}") for r in rates]),
        blockers=charts.hbars(
            [
                (b.name, b.share_of_calls, f"{b.blocked_calls} call{'s' if b.blocked_calls != 1 else ''}")
                for b in blockers
            ]
        ),
    )


@router.get("/chat", response_class=HTMLResponse)
def chat_page(request: Request, container: ContainerDep) -> HTMLResponse:
    return _page(
        request,
        "chat.html",
        kinds=sorted(KINDS),
        verdicts=VERDICTS,
        max_question_chars=container.settings.max_question_chars,
    )
