"""uber_driver_status (+ history): each driver's realtime status, polled or pushed.

A driver without ``statusEntries`` was not online during Uber's tracking window: the row says
``DRIVER_STATUS_OFFLINE`` with no ``status_at``.

Two sources feed it: the poll of U3 (``uber.driver_status.observed``) and Uber's webhook
(``uber.driver_status.pushed``, docs/PROVIDERS.md §1.9). They interleave in the log in no
useful order: a push retried for an hour lands after the polls that saw the status since, and
a poll started before a push commits after it. So the status columns take an event's status
only when its status time is not older than the row's (`_NEWER`); an untimed poll (driver not
tracked) still says OFFLINE, as before. A push carries no onboarding status or plate and
leaves the poll's. Events apply in log order, one after the other, so a replay gives the
same rows whatever batches the live run saw.

Each read table has one writer. This projection does not touch ``drivers``: when it copied
statuses onto existing driver rows, a driver whose status was projected before the driver
itself kept no status live but got one in a rebuild (found by tests/fault). The API joins
the two tables instead (query_api/routes/drivers.py).

The projection writes two tables, so a replay rebuilds them together
(:class:`projector.projection.RebuildableTables`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table

OFFLINE = "DRIVER_STATUS_OFFLINE"
TABLES = ("uber_driver_status", "uber_driver_status_history")
_STATUS = msgspec.json.Decoder(uber.UberDriverStatus)
_PUSH = msgspec.json.Decoder(uber.UberStatusPush)

# Whether the incoming status is at least as recent as the row's.
_NEWER = "(excluded.status_at IS NULL OR s.status_at IS NULL OR excluded.status_at >= s.status_at)"

_UPSERT = """
INSERT INTO {status} AS s (org_id, driver_id, account_id, status, status_at,
                                     onboarding_status, license_plate, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (org_id, driver_id) DO UPDATE SET
    account_id = excluded.account_id,
    status = CASE WHEN {newer} THEN excluded.status ELSE s.status END,
    status_at = CASE WHEN {newer} THEN excluded.status_at ELSE s.status_at END,
    {polled_only}updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE s.last_position < excluded.last_position
"""
_POLLED_ONLY = (
    "onboarding_status = excluded.onboarding_status, license_plate = excluded.license_plate,\n    "
)

_HISTORY = """
INSERT INTO {history} (org_id, driver_id, status_at, status, position)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
"""


def _time(text: str | None) -> datetime | None:
    """An ISO-8601 UTC output time (``…Z``) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _row(event: EventEnvelope) -> tuple[object, ...]:
    if event.event_type == uber.DRIVER_STATUS_PUSHED:
        return _pushed_row(event)
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


def _pushed_row(event: EventEnvelope) -> tuple[object, ...]:
    """The row a webhook's status gives: its time is the event's (epoch seconds)."""
    push = _PUSH.decode(event.record)
    at = datetime.fromtimestamp(push.event_time, UTC)
    meta = push.meta
    return (event.org_id, event.entity_id, event.account_id, meta.status, at, None, None,
            event.observed_at, event.position)  # fmt: skip


def _runs(events: Sequence[EventEnvelope]) -> list[tuple[bool, list[EventEnvelope]]]:
    """``events`` in order, cut into runs of one kind: (pushed?, events of the run)."""
    runs: list[tuple[bool, list[EventEnvelope]]] = []
    for event in events:
        pushed = event.event_type == uber.DRIVER_STATUS_PUSHED
        if not runs or runs[-1][0] != pushed:
            runs.append((pushed, []))
        runs[-1][1].append(event)
    return runs


class UberDriverStatusProjection:
    """Realtime driver status from ``uber.driver_status.observed`` and ``.pushed``."""

    event_types = frozenset({uber.DRIVER_STATUS_OBSERVED, uber.DRIVER_STATUS_PUSHED})

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
        self._upsert = _UPSERT.format(polled_only=_POLLED_ONLY, newer=_NEWER, **names)
        self._push = _UPSERT.format(polled_only="", newer=_NEWER, **names)
        self._history = _HISTORY.format(**names)

    def retarget_tables(
        self, *, name: str, tables: Mapping[str, str]
    ) -> UberDriverStatusProjection:
        """The same projection as ``name``, writing each table ``t`` into ``tables[t]``."""
        mine = [tables.get(t, t) for t in self.tables]
        return UberDriverStatusProjection(name, tables=dict(zip(TABLES, mine, strict=True)))

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert the current status and keep each timed status once, in log order."""
        for pushed, run in _runs(events):
            rows = [_row(e) for e in run]
            await conn.executemany(self._push if pushed else self._upsert, rows)
            history = [(r[0], r[1], r[4], r[3], r[8]) for r in rows if r[4] is not None]
            await conn.executemany(self._history, history)
