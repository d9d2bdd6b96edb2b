"""driver_daily_metrics (Uber rows): one row per driver and Europe/Paris day.

The record is ``UberDailyMetricsRecord``: the day, the metric names, the provider's row. The
row's values are positional, so each is read by its header name. Analytics sends no currency;
``TotalEarnings`` is in the fleet's currency (``currency``, EUR for this French fleet).
The fleet's day sums (``uber_fleet_days``) and the drivers' active days
(``uber_active_months``) move with the rows, in the same transaction
(:mod:`projector.projections.fleet_days`); a replay rebuilds the tables together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

import asyncpg
import msgspec

from contracts import legacy, uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table
from projector.projections import fleet_days
from projector.projections.uber_money import decimal_to_minor
from projector.rounds import CopyFirst, RowsUpsert

TABLES = ("driver_daily_metrics", fleet_days.UBER.table, fleet_days.UBER.months)

_RECORD = msgspec.json.Decoder(uber.UberDailyMetricsRecord)
_ROW = msgspec.json.Decoder(uber.UberAnalyticsRow)
_LEGACY = msgspec.json.Decoder(legacy.LegacyDailyMetrics)

_UPSERT = """
INSERT INTO {table} AS m (org_id, provider, driver_id, day, account_id, trips,
                                       hours_online, hours_on_trip, earnings_minor, currency,
                                       updated_at, last_position, source)
VALUES ($1, 'uber', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (org_id, provider, driver_id, day) DO UPDATE SET
    account_id = excluded.account_id, trips = excluded.trips,
    hours_online = excluded.hours_online, hours_on_trip = excluded.hours_on_trip,
    earnings_minor = excluded.earnings_minor, currency = excluded.currency,
    updated_at = excluded.updated_at, last_position = excluded.last_position,
    source = excluded.source
WHERE (m.source = excluded.source AND m.last_position < excluded.last_position)
   OR (m.source = 'legacy' AND excluded.source = 'provider')
"""

_TYPES = ("uuid", "text", "date", "text", "integer", "numeric", "numeric", "bigint", "text",
          "timestamptz", "bigint", "text")  # fmt: skip

_KEY = (("org_id", "uuid"), ("driver_id", "text"), ("day", "date"))

# The driver-days of a batch as they stand (before and after its upserts).
_ROWS = """
SELECT {columns}
FROM {table} m
JOIN unnest($1::uuid[], $2::text[], $3::date[]) AS k(org_id, driver_id, day)
    ON m.org_id = k.org_id AND m.provider = 'uber' AND m.driver_id = k.driver_id
   AND m.day = k.day
"""

Value = str | int | float


def _decimal(value: Value | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _trips(value: Value | None) -> int | None:
    number = _decimal(value)
    return int(number) if number is not None else None


class UberDailyMetricsProjection:
    """Uber's share of ``driver_daily_metrics``, from ``uber.daily_metrics.observed``."""

    # The original's rows too (``fleet import legacy``), for the days Uber no longer serves:
    # Uber's own row of a driver-day always replaces the original's (see _UPSERT).
    event_types = frozenset({uber.DAILY_METRICS_OBSERVED, legacy.DAILY_METRICS_OBSERVED})

    def __init__(
        self,
        name: str = "uber_daily_metrics",
        currency: str = "EUR",
        *,
        tables: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.currency = currency
        self.tables = tuple((tables or {}).get(t, t) for t in TABLES)
        self._fleet = fleet_days.UBER.at(self.tables[1], self.tables[2])
        # reads and writes only its driver-day's row: one statement per round; a newer row of
        # the same source replaces an older one (projector/rounds.py)
        sql = _UPSERT.format(table=quote_table(self.tables[0]))
        # a rebuild's new driver-days copied in (projector/rounds.py, CopyFirst)
        copy = CopyFirst.provider_second(self.tables[0], _KEY, "uber")
        self._upsert = RowsUpsert(sql, _TYPES, _driver_day, same=_source, copy=copy)
        self._rows = _ROWS.format(
            columns=self._fleet.columns("m"), table=quote_table(self.tables[0])
        )

    def retarget_tables(
        self, *, name: str, tables: Mapping[str, str]
    ) -> UberDailyMetricsProjection:
        """The same projection as ``name``, writing each table ``t`` into ``tables[t]``."""
        mine = [tables.get(t, t) for t in self.tables]
        return UberDailyMetricsProjection(
            name, self.currency, tables=dict(zip(TABLES, mine, strict=True))
        )

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each driver-day unless a later observation is already there; move the
        fleet's day sums by what changed."""
        rows = [self._row(e) for e in events]
        if not rows:
            return
        keys = {(r[0], r[1], r[2]) for r in rows}  # org, driver, day: each row once
        args = [list(c) for c in zip(*keys, strict=True)]
        before = await conn.fetch(self._rows, *args)
        await self._upsert.run(conn, rows)
        await fleet_days.add_changes(conn, self._fleet, before, await conn.fetch(self._rows, *args))

    def _row(self, event: EventEnvelope) -> tuple[object, ...]:
        if event.event_type == legacy.DAILY_METRICS_OBSERVED:
            return self._legacy_row(event)
        record = _RECORD.decode(event.record)
        row = _ROW.decode(record.row)
        values = dict(zip(record.metrics, row.metricValues, strict=False))
        earnings = values.get("TotalEarnings")
        return (
            event.org_id,
            row.dimensionId,
            date.fromisoformat(record.day),
            event.account_id,
            _trips(values.get("TotalTrips")),
            _decimal(values.get("HoursOnline")),
            _decimal(values.get("HoursOnTrip")),
            None if earnings is None else decimal_to_minor(earnings, self.currency),
            self.currency,
            event.observed_at,
            event.position,
            "provider",
        )

    def _legacy_row(self, event: EventEnvelope) -> tuple[object, ...]:
        """The original's row: hours as hours, earnings in major units of the currency."""
        row = _LEGACY.decode(event.record)
        earnings = row.earnings
        return (
            event.org_id,
            row.driver_uuid,
            date.fromisoformat(row.day),
            event.account_id,
            None if row.trips is None else int(row.trips),
            row.online_hours,
            row.on_trip_hours,
            None if earnings is None else decimal_to_minor(str(earnings), self.currency),
            self.currency,
            event.observed_at,
            event.position,
            "legacy",
        )


def _driver_day(row: tuple[object, ...]) -> tuple[object, ...]:
    """The row's key (its provider is always Uber's): (org_id, driver_id, day)."""
    return row[:3]


def _source(row: tuple[object, ...]) -> object:
    return row[-1]
