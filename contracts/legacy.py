"""Rows of the original implementation's database, imported as observations of a ``legacy``
source (``fleet import legacy``, docs/MIGRATING.md).

Each imported row is one event: ``legacy.<table>.observed``, its entity id the row's primary
key, its record the row's exact JSON as PostgreSQL renders it (``row_to_json``, UTC). The
Structs below read only the primary key, so any column the original added or dropped between
its versions never spoils a row; read models decode the columns they use themselves.

Tables never imported: ``heetch_session_cookies`` (live session secrets), ``users`` (listed
for re-creation, never with a password) and the analytics tables (sums of other tables,
recomputed here).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import msgspec

from contracts import bolt
from contracts.catalog import register

PROVIDER = "legacy"
VERSION = 1
BOLT_ORDERS_OBSERVED = f"{PROVIDER}.bolt_orders.observed"
DAILY_METRICS_OBSERVED = f"{PROVIDER}.driver_daily_metrics.observed"
PAYMENTS_OBSERVED = f"{PROVIDER}.driver_payments.observed"
UBER_DRIVERS_OBSERVED = f"{PROVIDER}.uber_drivers.observed"
BOLT_DRIVERS_OBSERVED = f"{PROVIDER}.bolt_drivers.observed"
# The provider whose read rows a legacy event type stands for.
STANDS_FOR = {UBER_DRIVERS_OBSERVED: "uber", BOLT_DRIVERS_OBSERVED: "bolt"}


@dataclass(frozen=True)
class LegacyTable:
    """One table of the original's database that is imported: its name and primary key."""

    name: str
    primary_key: str
    record: type[msgspec.Struct]

    @property
    def event_type(self) -> str:
        return f"{PROVIDER}.{self.name}.observed"


def _table(name: str, primary_key: str) -> LegacyTable:
    """A table whose rows decode into a Struct of their primary key (text or integer)."""
    camel = "".join(part.title() for part in name.split("_"))
    record = msgspec.defstruct(
        f"Legacy{camel}", [(primary_key, str | int)], frozen=True, module=__name__
    )
    return LegacyTable(name, primary_key, record)


# In the order they are imported: referenced rows before the rows that reference them.
TABLES = (
    _table("uber_organizations", "id"),
    _table("uber_drivers", "uuid"),
    _table("uber_vehicles", "uuid"),
    _table("driver_daily_metrics", "id"),
    _table("driver_payments", "id"),
    _table("bolt_organizations", "id"),
    _table("bolt_drivers", "id"),
    _table("bolt_vehicles", "id"),
    _table("bolt_orders", "order_reference"),
    _table("bolt_state_logs", "id"),
    _table("bolt_trips", "id"),
    _table("bolt_earnings", "id"),
    _table("heetch_drivers", "id"),
    _table("heetch_earnings", "id"),
)

# Tables of the original that are read but never imported, and why.
NOT_IMPORTED = {
    "heetch_session_cookies": "live session secrets: never copied anywhere",
    "users": "accounts are re-created here (`fleet users create`), never with a password",
    "daily_analytics": "sums of bolt_orders, recomputed here from the orders",
    "user_analytics": "sums of bolt_orders, recomputed here from the orders",
}

# Rows that the original's connection tests leave behind: refused into quarantine.
TEST_ROWS = {("bolt_drivers", "test-driver-123"): "a connection-test row, not a driver"}

for _t in TABLES:
    register(_t.event_type, VERSION, _t.record)


class LegacyBoltOrder(msgspec.Struct, frozen=True):
    """The columns of the original's ``bolt_orders`` that the orders read model uses.

    The original flattened Bolt's ``order_price`` into columns of euro floats with null
    turned into 0, and kept the company it asked for; times are Bolt's unix seconds.
    """

    order_reference: str
    company_id: int | None = None
    driver_uuid: str | None = None
    driver_name: str | None = None
    payment_method: str | None = None
    order_status: str | None = None
    order_created_timestamp: int | None = None
    order_accepted_timestamp: int | None = None
    order_pickup_timestamp: int | None = None
    order_drop_off_timestamp: int | None = None
    order_finished_timestamp: int | None = None
    order_cancelled_timestamp: int | None = None
    payment_confirmed_timestamp: int | None = None
    price_review_reason: str | None = None
    vehicle_model: str | None = None
    vehicle_license_plate: str | None = None
    pickup_address: str | None = None
    ride_distance: float | None = None
    ride_price: Decimal | None = None
    booking_fee: Decimal | None = None
    toll_fee: Decimal | None = None
    cancellation_fee: Decimal | None = None
    tip: Decimal | None = None
    net_earnings: Decimal | None = None
    cash_discount: Decimal | None = None
    in_app_discount: Decimal | None = None
    commission: Decimal | None = None

    def as_bolt_order(self) -> bolt.BoltOrder:
        """The order as Bolt's own record would read (distance: metres, as Bolt sends it)."""
        return bolt.BoltOrder(
            order_reference=self.order_reference,
            driver_uuid=self.driver_uuid,
            driver_name=self.driver_name,
            payment_method=self.payment_method,
            order_status=self.order_status,
            order_created_timestamp=self.order_created_timestamp,
            order_accepted_timestamp=self.order_accepted_timestamp,
            order_pickup_timestamp=self.order_pickup_timestamp,
            order_drop_off_timestamp=self.order_drop_off_timestamp,
            order_finished_timestamp=self.order_finished_timestamp,
            order_cancelled_timestamp=self.order_cancelled_timestamp,
            payment_confirmed_timestamp=self.payment_confirmed_timestamp,
            price_review_reason=self.price_review_reason,
            vehicle_model=self.vehicle_model,
            vehicle_license_plate=self.vehicle_license_plate,
            pickup_address=self.pickup_address,
            ride_distance=None if self.ride_distance is None else round(self.ride_distance),
            order_price=bolt.BoltOrderPrice(
                ride_price=self.ride_price, booking_fee=self.booking_fee,
                toll_fee=self.toll_fee, cancellation_fee=self.cancellation_fee, tip=self.tip,
                net_earnings=self.net_earnings, cash_discount=self.cash_discount,
                in_app_discount=self.in_app_discount, commission=self.commission,
            ),
        )  # fmt: skip


class LegacyDailyMetrics(msgspec.Struct, frozen=True):
    """The original's ``driver_daily_metrics`` row: one driver's Uber day, money as floats."""

    driver_uuid: str
    day: str  # ISO date
    trips: Decimal | None = None
    online_hours: Decimal | None = None
    on_trip_hours: Decimal | None = None
    earnings: Decimal | None = None


class LegacyPayment(msgspec.Struct, frozen=True):
    """The original's ``driver_payments`` row; ``occurred_at`` may have no zone (then UTC)."""

    id: str | int
    driver_uuid: str
    occurred_at: str
    amount: Decimal
    currency: str | None = None
    description: str | None = None


class LegacyUberDriver(msgspec.Struct, frozen=True):
    """The original's ``uber_drivers`` row: one name (the provider's ``name`` or
    ``full_name``), an e-mail."""

    uuid: str
    name: str | None = None
    email: str | None = None

    def names(self) -> tuple[str | None, str | None]:
        """(first, last): the first word, and the rest."""
        first, _, last = (self.name or "").strip().partition(" ")
        return first or None, last.strip() or None


class LegacyBoltDriver(msgspec.Struct, frozen=True):
    """The original's ``bolt_drivers`` row; ``active`` stands for Bolt's state."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    active: bool | None = None
