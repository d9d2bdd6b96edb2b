"""bolt_orders, bolt_daily_earnings, bolt_fleet_days and bolt_active_months: one row per
order, the driver-day sums, the fleet's day sums and the drivers' active days.

The tables change in the projection's transaction (with its checkpoint). After a batch of
orders is upserted, every driver-day the batch touched, before or after the change, is
recomputed from ``bolt_orders`` (:mod:`projector.projections.bolt_earnings`). A price review
changes the order row, and its day is summed again: the sums never drift, whatever order
or how often the events arrive; the fleet's day sums and active days move by the days' change
(:mod:`projector.projections.fleet_days`). The tables are rebuilt together by a replay
(:class:`projector.projection.RebuildableTables`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from contracts import bolt, legacy
from contracts.envelope import EventEnvelope
from projector.projection import quote_table
from projector.projections import fleet_days
from projector.projections.bolt_earnings import DriverDay, recompute_days
from projector.rounds import CopyFirst, RowsUpsert

PARIS = ZoneInfo("Europe/Paris")
TABLES = ("bolt_orders", "bolt_daily_earnings", "bolt_fleet_days", "bolt_active_months")
_ORDER = msgspec.json.Decoder(bolt.BoltOrder)
_LEGACY_ORDER = msgspec.json.Decoder(legacy.LegacyBoltOrder)

_UPSERT = """
INSERT INTO {orders} AS o (
    org_id, order_reference, company_id, driver_uuid, driver_name, status, payment_method,
    created_at, accepted_at, pickup_at, drop_off_at, finished_at, cancelled_at,
    price_reviewed_at, currency, ride_price, booking_fee, toll_fee, cancellation_fee, tip,
    net_earnings, cash_discount, in_app_discount, commission, price_review_reason,
    ride_distance, pickup_address, destination_address, vehicle_model, vehicle_license_plate,
    earnings_day, updated_at, last_position, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
        $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)
ON CONFLICT (org_id, order_reference) DO UPDATE SET
    company_id = excluded.company_id, driver_uuid = excluded.driver_uuid,
    driver_name = excluded.driver_name, status = excluded.status,
    payment_method = excluded.payment_method, created_at = excluded.created_at,
    accepted_at = excluded.accepted_at, pickup_at = excluded.pickup_at,
    drop_off_at = excluded.drop_off_at, finished_at = excluded.finished_at,
    cancelled_at = excluded.cancelled_at, price_reviewed_at = excluded.price_reviewed_at,
    currency = excluded.currency, ride_price = excluded.ride_price,
    booking_fee = excluded.booking_fee, toll_fee = excluded.toll_fee,
    cancellation_fee = excluded.cancellation_fee, tip = excluded.tip,
    net_earnings = excluded.net_earnings, cash_discount = excluded.cash_discount,
    in_app_discount = excluded.in_app_discount, commission = excluded.commission,
    price_review_reason = excluded.price_review_reason,
    ride_distance = excluded.ride_distance, pickup_address = excluded.pickup_address,
    destination_address = excluded.destination_address,
    vehicle_model = excluded.vehicle_model,
    vehicle_license_plate = excluded.vehicle_license_plate,
    earnings_day = excluded.earnings_day, updated_at = excluded.updated_at,
    last_position = excluded.last_position, source = excluded.source
WHERE (o.source = excluded.source AND o.last_position < excluded.last_position)
   OR (o.source = 'legacy' AND excluded.source = 'provider')
"""

_TYPES = (
    "uuid", "text", "bigint", "text", "text", "text", "text",
    *["timestamptz"] * 7, "text", *["bigint"] * 9,
    "text", "integer", "text", "text", "text", "text", "date", "timestamptz", "bigint", "text",
)  # fmt: skip

# The currency of an order is its company's (EUR when the company has none, or is unknown).
_CURRENCIES = """
SELECT org_id, company_id, currency FROM bolt_companies WHERE org_id = ANY($1::uuid[])
"""
Currencies = Mapping[tuple[UUID, int], str | None]

# recompute_days reads a batch's driver-days from the orders: a rebuild keeps this index
# (bolt_orders_driver_day) on its shadow table while it loads (projector/shadow.py).
DRIVER_DAY_INDEX = "USING btree (org_id, driver_uuid, earnings_day)"

_CURRENT_DAYS = """
SELECT o.org_id, o.driver_uuid, o.earnings_day
FROM {orders} o
JOIN unnest($1::uuid[], $2::text[]) AS k(org_id, order_reference)
    ON o.org_id = k.org_id AND o.order_reference = k.order_reference
WHERE o.driver_uuid IS NOT NULL AND o.earnings_day IS NOT NULL
"""


def _at(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def earnings_day(order: bolt.BoltOrder) -> date | None:
    """The Europe/Paris day an order counts on: its finish, or its creation if unfinished."""
    ts = order.order_finished_timestamp or order.order_created_timestamp
    return None if ts is None else datetime.fromtimestamp(ts, PARIS).date()


def _money(order: bolt.BoltOrder) -> list[int]:
    p = order.order_price or bolt.BoltOrderPrice()
    amounts = (
        p.ride_price,
        p.booking_fee,
        p.toll_fee,
        p.cancellation_fee,
        p.tip,
        p.net_earnings,
        p.cash_discount,
        p.in_app_discount,
        p.commission,
    )
    return [bolt.minor_units(a) for a in amounts]


def _decoded(event: EventEnvelope) -> tuple[bolt.BoltOrder, int, str]:
    """The order, its company and its source: Bolt's record, or the original's row."""
    if event.event_type == legacy.BOLT_ORDERS_OBSERVED:
        row = _LEGACY_ORDER.decode(event.record)
        return row.as_bolt_order(), row.company_id or 0, "legacy"
    return _ORDER.decode(event.record), int(event.account_id), "provider"


def _row(event: EventEnvelope, currencies: Currencies) -> tuple[object, ...]:
    o, company_id, source = _decoded(event)
    currency = currencies.get((event.org_id, company_id))
    return (
        event.org_id,
        o.order_reference,
        company_id,
        o.driver_uuid,
        o.driver_name,
        o.order_status,
        o.payment_method,
        _at(o.order_created_timestamp),
        _at(o.order_accepted_timestamp),
        _at(o.order_pickup_timestamp),
        _at(o.order_drop_off_timestamp),
        _at(o.order_finished_timestamp),
        _at(o.order_cancelled_timestamp),
        _at(o.payment_confirmed_timestamp),
        "EUR" if currency is None else currency,
        *_money(o),
        o.price_review_reason,
        o.ride_distance,
        o.pickup_address,
        o.destination_address,
        o.vehicle_model,
        o.vehicle_license_plate,
        earnings_day(o),
        event.observed_at,
        event.position,
        source,
    )


def _days_of(rows: Sequence[tuple[object, ...]]) -> set[DriverDay]:
    """The driver-days the new rows count on (orders without a driver count nowhere)."""
    days = set()
    for row in rows:
        org_id, driver, day = row[0], row[3], row[-4]
        if isinstance(org_id, UUID) and isinstance(driver, str) and isinstance(day, date):
            days.add(DriverDay(org_id, driver, day))
    return days


def _order(row: tuple[object, ...]) -> tuple[object, ...]:
    """The row's key: (org_id, order_reference)."""
    return row[:2]


def _source(row: tuple[object, ...]) -> object:
    return row[-1]


async def _current_days(
    conn: asyncpg.Connection, sql: str, rows: Sequence[tuple[object, ...]]
) -> set[DriverDay]:
    """The driver-days the orders of ``rows`` count on before this batch."""
    found = await conn.fetch(sql, [r[0] for r in rows], [r[1] for r in rows])
    return {DriverDay(r["org_id"], r["driver_uuid"], r["earnings_day"]) for r in found}


async def _currencies(conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> Currencies:
    """The currencies of the companies of the tenants of ``events``."""
    found = await conn.fetch(_CURRENCIES, list({e.org_id for e in events}))
    return {(r["org_id"], r["company_id"]): r["currency"] for r in found}


class BoltOrdersProjection:
    """Orders, and the daily earnings summed from them."""

    # The original's orders too (``fleet import legacy``): Bolt's own observation of an
    # order always replaces a legacy row, whichever comes later in the log (see _UPSERT).
    event_types = frozenset({bolt.ORDER_OBSERVED, legacy.BOLT_ORDERS_OBSERVED})

    def __init__(
        self, name: str = "bolt_orders", *, tables: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self.tables = tuple((tables or {}).get(t, t) for t in TABLES)
        self._orders, self._earnings, self._fleet, self._months = self.tables
        self.reads_indexes = {self._orders: (DRIVER_DAY_INDEX,)}
        # reads and writes only its order's row (the currency read before): one statement per
        # round; a newer row of the same source replaces an older one (projector/rounds.py)
        # … and a rebuild's new orders are copied in (projector/rounds.py, CopyFirst)
        copy = CopyFirst(self._orders, (("org_id", "uuid"), ("order_reference", "text")))
        self._upsert = RowsUpsert(
            _UPSERT.format(orders=quote_table(self._orders)), _TYPES, key=_order, same=_source,
            copy=copy,
        )  # fmt: skip
        self._current = _CURRENT_DAYS.format(orders=quote_table(self._orders))

    def retarget_tables(self, *, name: str, tables: Mapping[str, str]) -> BoltOrdersProjection:
        """The same projection as ``name``, writing each table ``t`` into ``tables[t]``."""
        mine = [tables.get(t, t) for t in self.tables]
        return BoltOrdersProjection(name, tables=dict(zip(TABLES, mine, strict=True)))

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert the orders, then recompute every driver-day they touched."""
        currencies = await _currencies(conn, events)
        rows = [_row(e, currencies) for e in events]
        touched = await _current_days(conn, self._current, rows)
        await self._upsert.run(conn, rows)
        days = touched | _days_of(rows)
        await recompute_days(
            conn, days, orders=self._orders, earnings=self._earnings,
            fleet=fleet_days.BOLT.at(self._fleet, self._months),
        )  # fmt: skip
