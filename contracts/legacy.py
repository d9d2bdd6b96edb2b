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

import msgspec

from contracts.catalog import register

PROVIDER = "legacy"
VERSION = 1


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
