"""The fleet overview: both providers' figures summed over the fleet, per day and in total."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

import asyncpg
import msgspec
from fastapi import APIRouter, Depends
from starlette.responses import Response

from query_api.days import DayRange, Days
from query_api.deps import ANY_ROLE, TenantConn
from query_api.listing import ExportCsv, csv_of
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_overview import (
    BoltFigures,
    DriverCount,
    FleetOverview,
    OverviewDay,
    OverviewRow,
    UberFigures,
)

router = APIRouter(prefix="/fleet", tags=["overview"], dependencies=[Depends(ANY_ROLE)])

# One row per day with figures, and the range's row (the empty grouping set, day NULL),
# where a driver active on several days counts once. Columns are named as the fields they
# fill. A person's figures (GET /people/{id}/activity) read their accounts' daily rows
# through the primary keys, (org_id, provider, driver_id, day) and (org_id, driver_uuid, day):
# row-level security adds the org_id equality, the ids and the days the rest.
_FIGURES = """
SELECT day, {sums},
       CASE WHEN min(currency) = max(currency) THEN min(currency) END AS currency,
       count(DISTINCT {driver}) FILTER (WHERE {active}) AS active_drivers
FROM {table}
WHERE {provider}day BETWEEN $1 AND $2{drivers}
GROUP BY GROUPING SETS ((day), ())
"""

# The whole fleet's figures read the day sums the projections keep (uber_fleet_days,
# bolt_fleet_days, migrations/0026_fleet_days.sql: a row per day and currency, '' for none)
# the same way; the range's active drivers, which count each driver once, are _ACTIVE's.
_FLEET = """
SELECT day, {sums},
       CASE WHEN min(nullif(currency, '')) = max(nullif(currency, ''))
            THEN min(nullif(currency, '')) END AS currency,
       coalesce(sum(active), 0)::bigint AS active_drivers
FROM {table}
WHERE day BETWEEN $1 AND $2
GROUP BY GROUPING SETS ((day), ())
"""


def _sums(columns: dict[str, str]) -> str:
    """Each column's sum as its field, 0 over no rows: counts and cents as bigint (a sum of
    bigint is numeric), hours as float8 (as the API sends them)."""
    return ", ".join(
        f"coalesce(sum({column}), 0)::{'float8' if column.startswith('hours') else 'bigint'} "
        f"AS {field}"
        for field, column in columns.items()
    )


_UBER_COLUMNS = ("trips", "hours_online", "hours_on_trip", "earnings_minor")


def _uber_sql(drivers: str = "") -> str:
    return _FIGURES.format(
        sums=_sums({c: c for c in _UBER_COLUMNS}),
        driver="driver_id",
        active="trips > 0 OR hours_online > 0",
        table="driver_daily_metrics",
        provider="provider = 'uber' AND ",
        drivers=drivers,
    )


_BOLT_COLUMNS = {
    "orders": "orders",
    "gross_minor": "gross",
    "commission_minor": "commission",
    "net_minor": "net_earnings",
    "tips_minor": "tips",
    "tolls_minor": "tolls",
    "cash_minor": "cash_gross",
    "in_app_minor": "in_app_gross",
}


def _bolt_sql(drivers: str = "") -> str:
    return _FIGURES.format(
        sums=_sums(_BOLT_COLUMNS),
        driver="driver_uuid",
        active="orders > 0 OR gross > 0",
        table="bolt_daily_earnings",
        provider="",
        drivers=drivers,
    )


_UBER = _FLEET.format(sums=_sums({c: c for c in _UBER_COLUMNS}), table="uber_fleet_days")
_BOLT = _FLEET.format(sums=_sums(_BOLT_COLUMNS), table="bolt_fleet_days")
# Some drivers' figures only (a person's accounts, GET /people/{id}/activity): $3 their ids.
_UBER_OF = _uber_sql(" AND driver_id = ANY($3::text[])")
_BOLT_OF = _bolt_sql(" AND driver_uuid = ANY($3::text[])")
# A driver's status as the driver lists show it (query_api/routes/drivers.py): Uber's
# realtime one when known, else the driver record's. A scan of the fleet's drivers (a few
# hundred rows), grouped.
_DRIVERS = """
SELECT d.provider,
       CASE WHEN d.provider = 'uber' THEN coalesce(s.status, d.status) ELSE d.status END
           AS status,
       count(*) AS drivers
FROM drivers d
LEFT JOIN uber_driver_status s
       ON d.provider = 'uber' AND s.org_id = d.org_id AND s.driver_id = d.driver_id
GROUP BY 1, 2
ORDER BY 1, 2 NULLS LAST
"""

# The drivers active over the range, each once, from the bits of their active days per month
# (uber_active_months, bolt_active_months, migrations/0026_fleet_days.sql: bit d-1 for day
# d): a month's row counts when one of the range's days is set in it (_active_args: $1 and
# $3 the first and last months, $2 and $4 their days in the range as bits). And the people
# behind them: an account's person (people_identities, docs/PEOPLE.md), or the account
# itself while no person owns it (unmapped, or not yet seen by the people projection); a
# person's id and an account's id never collide, so the two are counted apart.
_IN_RANGE = """
SELECT DISTINCT org_id, driver_id FROM {table}
WHERE month BETWEEN $1 AND $3
  AND days & CASE WHEN month = $1 THEN $2::integer ELSE {every} END
           & CASE WHEN month = $3 THEN $4::integer ELSE {every} END <> 0
"""
_EVERY_DAY = (1 << 31) - 1  # the bits of days 1 to 31
_ACTIVE = f"""
WITH uber AS MATERIALIZED ({_IN_RANGE.format(table="uber_active_months", every=_EVERY_DAY)}),
     bolt AS MATERIALIZED ({_IN_RANGE.format(table="bolt_active_months", every=_EVERY_DAY)})
SELECT (SELECT count(*) FROM uber) AS uber, (SELECT count(*) FROM bolt) AS bolt,
       (SELECT count(DISTINCT i.person_id) + count(*) FILTER (WHERE i.person_id IS NULL)
        FROM (SELECT org_id, 'uber:' || driver_id AS identity_id FROM uber
              UNION ALL
              SELECT org_id, 'bolt:' || driver_id FROM bolt) a
        LEFT JOIN people_identities i
               ON i.org_id = a.org_id AND i.identity_id = a.identity_id) AS people
"""  # noqa: S608 (constants only)


def active_args(days: DayRange) -> tuple[date, int, date, int]:
    """_ACTIVE's arguments: the first month and the bits of its days from the range's first,
    the last month and the bits of its days up to the range's last."""
    return (
        days.first.replace(day=1), _EVERY_DAY & ~((1 << (days.first.day - 1)) - 1),
        days.last.replace(day=1), (1 << days.last.day) - 1,
    )  # fmt: skip


_NO_UBER = UberFigures(0, 0.0, 0.0, 0, None, 0)
_NO_BOLT = BoltFigures(0, 0, 0, 0, 0, 0, 0, 0, None, 0)
F = TypeVar("F", UberFigures, BoltFigures)


async def _per_day(
    conn: asyncpg.Connection, sql: str, days: DayRange, kind: type[F], *args: object
) -> dict[date | None, F]:
    """The figures by day, and the range's under None."""
    rows = await conn.fetch(sql, days.first, days.last, *args)
    return {r["day"]: kind(**{f: r[f] for f in kind.__struct_fields__}) for r in rows}


def _each_day(days: DayRange) -> list[date]:
    return [days.first + timedelta(days=n) for n in range((days.last - days.first).days + 1)]


async def overview(conn: asyncpg.Connection, days: DayRange) -> FleetOverview:
    """The fleet's figures over ``days``: every day, zeros where nothing was recorded."""
    uber = await _per_day(conn, _UBER, days, UberFigures)
    bolt = await _per_day(conn, _BOLT, days, BoltFigures)
    active = await conn.fetchrow(_ACTIVE, *active_args(days))
    counts = [
        DriverCount(r["provider"], r["status"], r["drivers"]) for r in await conn.fetch(_DRIVERS)
    ]
    return FleetOverview(
        first_day=days.first,
        last_day=days.last,
        days=[
            OverviewDay(day, uber.get(day, _NO_UBER), bolt.get(day, _NO_BOLT))
            for day in _each_day(days)
        ],
        # The range's rows (GROUPING SETS answers them even over no rows), with the range's
        # active drivers: the days' sums would count a driver once per day.
        uber=msgspec.structs.replace(uber[None], active_drivers=active["uber"]),
        bolt=msgspec.structs.replace(bolt[None], active_drivers=active["bolt"]),
        drivers=counts,
        active_people=active["people"],
    )


async def drivers_figures(
    conn: asyncpg.Connection, days: DayRange, uber_ids: list[str], bolt_ids: list[str]
) -> tuple[list[OverviewDay], UberFigures, BoltFigures]:
    """Some drivers' figures summed, per day (zeros where none) and over ``days``."""
    uber = await _per_day(conn, _UBER_OF, days, UberFigures, uber_ids)
    bolt = await _per_day(conn, _BOLT_OF, days, BoltFigures, bolt_ids)
    each = [
        OverviewDay(day, uber.get(day, _NO_UBER), bolt.get(day, _NO_BOLT))
        for day in _each_day(days)
    ]
    return each, uber[None], bolt[None]


def _rows(day: OverviewDay) -> list[OverviewRow]:
    """A day as the CSV's two rows, Uber then Bolt: the figures' fields are the columns."""
    return [
        OverviewRow(day=day.day, provider=provider, **msgspec.structs.asdict(figures))
        for provider, figures in (("uber", day.uber), ("bolt", day.bolt))
    ]


@router.get(
    "/overview",
    response_class=MsgspecResponse,
    responses={**ok(FleetOverview, csv=True), **problems(400, 401, 403, 422)},
)
async def fleet_overview(days: Days, conn: TenantConn, csv: ExportCsv) -> Response:
    """The whole fleet over the days: Uber trips, hours and earnings, Bolt orders and money
    (gross, commission, net, tips, tolls, cash vs in-app), and active drivers, per Paris day
    (days without figures as zeros) and in total; the active people (a person's accounts on
    both platforms count once); and the drivers by provider and status.

    The CSV export has one row per day and provider.
    """
    result = await overview(conn, days)
    if csv:
        rows = [row for day in result.days for row in _rows(day)]
        return csv_of(rows, OverviewRow, f"fleet-overview-{days.first}-{days.last}.csv")
    return MsgspecResponse(result)
