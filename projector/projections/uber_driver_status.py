"""uber_driver_status (+ history): each driver's realtime status.

A driver without ``statusEntries`` was not online during Uber's tracking window: the row says
``DRIVER_STATUS_OFFLINE`` with no ``status_at``.

Each read table has one writer. This projection does not touch ``drivers``: when it copied
statuses onto existing driver rows, a driver whose status was projected before the driver
itself kept no status live but got one in a rebuild (found by tests/fault). The API joins
the two tables instead (query_api/routes/drivers.py).

The projection writes two tables, so a replay rebuilds them together
(:class:`projector.projection.RebuildableTables`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table

OFFLINE = "DRIVER_STATUS_OFFLINE"
TABLES = ("uber_driver_status", "uber_driver_status_history")
_STATUS = msgspec.json.Decoder(uber.UberDriverStatus)

_UPSERT = """
INSERT INTO {status} AS s (org_id, driver_id, account_id, status, status_at,
                                     onboarding_status, license_plate, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (org_id, driver_id) DO UPDATE SET
    account_id = excluded.account_id, status = excluded.status, status_at = excluded.status_at,
    onboarding_status = excluded.onboarding_status, license_plate = excluded.license_plate,
    updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE s.last_position < excluded.last_position
"""

_HISTORY = """
INSERT INTO {history} (org_id, driver_id, status_at, status, position)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
"""


def _time(text: str | None) -> datetime | None:
    """An ISO-8601 UTC output time (``…Z``) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _row(event: EventEnvelope) -> tuple[object, ...]:
    overview = _STATUS.decode(event.record)
    entry = overview.current()
    plate = overview.vehicleInfo.licensePlate if overview.vehicleInfo else None
    return (
        event.org_id,
        event.entity_id,
        event.account_id,
        entry.status if entry else OFFLINE,
        _time(entry.timestamp) if entry else None,
        overview.onboardingStatus,
        plate,
        event.observed_at,
        event.position,
    )


class UberDriverStatusProjection:
    """Realtime driver status from ``uber.driver_status.observed``."""

    event_types = frozenset({uber.DRIVER_STATUS_OBSERVED})

    def __init__(
        self, name: str = "uber_driver_status", *, tables: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        where = {t: (tables or {}).get(t, t) for t in TABLES}
        self.tables = tuple(where[t] for t in TABLES)
        names = {
            "status": quote_table(where["uber_driver_status"]),
            "history": quote_table(where["uber_driver_status_history"]),
        }
        self._upsert = _UPSERT.format(**names)
        self._history = _HISTORY.format(**names)

    def retarget_tables(
        self, *, name: str, tables: Mapping[str, str]
    ) -> UberDriverStatusProjection:
        """The same projection as ``name``, writing each table ``t`` into ``tables[t]``."""
        mine = [tables.get(t, t) for t in self.tables]
        return UberDriverStatusProjection(name, tables=dict(zip(TABLES, mine, strict=True)))

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert the current status and keep each timed status once."""
        rows = [_row(e) for e in events]
        await conn.executemany(self._upsert, rows)
        history = [(r[0], r[1], r[4], r[3], r[8]) for r in rows if r[4] is not None]
        await conn.executemany(self._history, history)
