"""Trust in the numbers: what the polls covered, the gaps, and whether a week is complete."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from contracts.weeks import PROVIDERS, IsoWeek, WeekRules
from eventlog.coverage import coverage_of
from query_api.days import Days
from query_api.deps import ANY_ROLE, CurrentUser, TenantConn
from query_api.listing import ExportCsv, csv_of
from query_api.problems import ApiProblem
from query_api.quality import platform_week, resource_coverage
from query_api.reconciliation import Week, reconciliation, under_minimum
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_quality import (
    CoverageReport,
    MinimumFares,
    Reconciliation,
    UnderMinimum,
    WeekStatus,
)

router = APIRouter(prefix="/quality", tags=["quality"], dependencies=[Depends(ANY_ROLE)])

WeekParam = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}-W\d{2}$",
        description="ISO week (YYYY-Www); by default the last week that has ended",
    ),
]


def _asked_week(request: Request, week: WeekParam = None) -> Week:
    """The asked week's bounds on each platform (by default the last week that has ended)."""
    rules: WeekRules = request.app.state.weeks
    return Week.of(_week(week, rules, _now(request)), rules)


AskedWeek = Annotated[Week, Depends(_asked_week)]


@router.get(
    "/coverage",
    response_class=MsgspecResponse,
    responses={**ok(CoverageReport), **problems(400, 401, 403, 422)},
)
async def quality_coverage(
    request: Request, days: Days, conn: TenantConn, who: CurrentUser
) -> MsgspecResponse:
    """For every provider account and resource, the spans complete polls covered over the
    Paris days, the gaps between them (up to now: the future is no gap), and the age of the
    newest data. A full listing (drivers, vehicles...) has no spans: its coverage is the age
    of its last complete listing, and ``claims`` counts its listings over the days."""
    now = _now(request)
    start, end = days.instants()
    end = max(min(end, now), start)
    found = await coverage_of(conn, who.org_id, start, end)
    resources = [resource_coverage(c, now) for c in found]
    return MsgspecResponse(CoverageReport(days.first, days.last, start, end, resources))


@router.get(
    "/weeks",
    response_class=MsgspecResponse,
    responses={**ok(WeekStatus), **problems(400, 401, 403, 422)},
)
async def quality_week(
    request: Request, conn: TenantConn, who: CurrentUser, week: WeekParam = None
) -> MsgspecResponse:
    """Each platform's week: ``complet`` when its windowed resources (Uber payments,
    transactions, daily metrics; Bolt orders, state logs) are covered without a gap across
    the platform's own week (Uber: Monday 04:00 to Monday 04:00, Bolt: Monday 00:00, Paris
    time) and the settling delay after its end has passed; otherwise ``incomplet``, with the
    reasons (in French, as the dashboard shows them)."""
    rules: WeekRules = request.app.state.weeks
    now = _now(request)
    asked = _week(week, rules, now)
    platforms = []
    for provider in PROVIDERS:
        bounds = rules.bounds(provider, asked)
        period_end = max(min(bounds[1], now), bounds[0])
        found = await coverage_of(conn, who.org_id, bounds[0], period_end)
        platforms.append(platform_week(provider, bounds, rules.settling, found, now))
    return MsgspecResponse(WeekStatus(str(asked), platforms))


@router.get(
    "/reconciliation",
    response_class=MsgspecResponse,
    responses={**ok(Reconciliation), **problems(400, 401, 403, 422)},
)
async def quality_reconciliation(
    request: Request, asked: AskedWeek, conn: TenantConn, who: CurrentUser
) -> MsgspecResponse:
    """Per platform account and driver, the week's figures that should agree and do not:
    Uber's payments against its transactions, the transactions of the Paris days against
    the daily metrics' earnings, each PAYMENTS_ORDER report row against its transaction;
    Bolt's orders' prices against the daily earnings summed from them, in total, in cash
    and in-app. Each difference (cents, left - right) has its likely reason, in French:
    ``données tardives``, ``comblé par le rapport``, ``période non couverte``, ``course
    ajustée hors période``, ``course annulée sans paiement`` or ``inexpliqué``."""
    found = await reconciliation(conn, who.org_id, asked, _now(request))
    return MsgspecResponse(found)


@router.get(
    "/minimum-fares",
    response_class=MsgspecResponse,
    responses={**ok(MinimumFares, csv=True), **problems(400, 401, 403, 422)},
)
async def quality_minimum_fares(
    request: Request, asked: AskedWeek, conn: TenantConn, who: CurrentUser, export: ExportCsv
) -> Response:
    """The week's rides paid under the legal minimum in force on their day
    (``FLEET_MINIMUM_FARE_RULES``): the greatest of the per-ride, per-hour and per-km
    floors, against the driver's pay for the ride without tips. With ``format=csv``, one
    line per ride: evidence a driver or the fleet can bring to the platform."""
    state = request.app.state
    found = await under_minimum(
        conn, who.org_id, asked, state.minimum_fares, state.bolt_net_includes
    )
    if export:
        return csv_of(found.under, UnderMinimum, f"minimums-{asked.name}.csv")
    return MsgspecResponse(found)


def _now(request: Request) -> datetime:
    """The API's clock (``ApiSettings.clock``): the wall clock but in simulated-time tests."""
    now: datetime = request.app.state.clock()
    return now


def _week(text: str | None, rules: WeekRules, now: datetime) -> IsoWeek:
    """The asked week (400 if the year has no such week), or the last one that has ended."""
    if text is None:
        return rules.week_of("uber", now - timedelta(days=7))
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise ApiProblem(400, "Bad Request", str(exc)) from exc
