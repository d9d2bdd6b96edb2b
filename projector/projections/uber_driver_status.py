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

A batch folds each driver's events in memory, from the row as the table has it, exactly as
the single-row upsert ``_UPSERT`` would one event after the other (:func:`folded`), and
writes each driver's row once: a driver polled thirty times in a rebuild's batch was thirty
updates of one row, each a new version of it, and most of a replay of the year.

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
from projector.rounds import CopyFirst, RowsUpsert

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

# A batch's rows, written once each after the fold (``folded`` did what _UPSERT's CASE does).
_CURRENT = """
SELECT s.org_id, s.driver_id, s.account_id, s.status, s.status_at, s.onboarding_status,
       s.license_plate, s.updated_at, s.last_position
FROM {status} s
JOIN unnest($1::uuid[], $2::text[]) AS k(org_id, driver_id)
    ON s.org_id = k.org_id AND s.driver_id = k.driver_id
"""
_WRITE = """
INSERT INTO {status} AS s (org_id, driver_id, account_id, status, status_at,
                           onboarding_status, license_plate, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (org_id, driver_id) DO UPDATE SET
    account_id = excluded.account_id, status = excluded.status,
    status_at = excluded.status_at, onboarding_status = excluded.onboarding_status,
    license_plate = excluded.license_plate, updated_at = excluded.updated_at,
    last_position = excluded.last_position
"""
Status = tuple[object, ...]
_TYPES = ("uuid", "text", "text", "text", "timestamptz", "text", "text", "timestamptz", "bigint")
_HISTORY_TYPES = ("uuid", "text", "timestamptz", "text", "bigint")
_DRIVER = (("org_id", "uuid"), ("driver_id", "text"))

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


def upsert_sql(status_table: str, *, pushed: bool) -> str:
    """The single-row statement a poll (or a push) is, which :func:`folded` mirrors (the
    projection applied it to each event until the fold; tests check one against the other)."""
    polled_only = "" if pushed else _POLLED_ONLY
    return _UPSERT.format(status=quote_table(status_table), polled_only=polled_only, newer=_NEWER)


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
        self._current = _CURRENT.format(**names)
        # a rebuild's new rows copied in (projector/rounds.py, CopyFirst)
        status_copy = CopyFirst(where["uber_driver_status"], _DRIVER)
        self._write = RowsUpsert(_WRITE.format(**names), _TYPES, key=_driver, copy=status_copy)
        # inserts only, keyed on the primary key: one statement per round (projector/rounds.py)
        history_key = (*_DRIVER, ("status_at", "timestamptz"), ("status", "text"))
        history_copy = CopyFirst(where["uber_driver_status_history"], history_key)
        self._history = RowsUpsert(
            _HISTORY.format(**names), _HISTORY_TYPES, key=_history_key, copy=history_copy
        )

    def retarget_tables(
        self, *, name: str, tables: Mapping[str, str]
    ) -> UberDriverStatusProjection:
        """The same projection as ``name``, writing each table ``t`` into ``tables[t]``."""
        mine = [tables.get(t, t) for t in self.tables]
        return UberDriverStatusProjection(name, tables=dict(zip(TABLES, mine, strict=True)))

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert the current status and keep each timed status once, in log order."""
        rows = [(e.event_type == uber.DRIVER_STATUS_PUSHED, _row(e)) for e in events]
        status = await self._rows(conn, [r for _, r in rows])
        before = dict(status)
        for pushed, row in rows:
            key = _driver(row)
            status[key] = folded(status.get(key), row, pushed=pushed)
        changed = [r for k, r in status.items() if r is not before.get(k)]
        await self._write.run(conn, changed)
        await self._history.run(conn, _first_of_each(rows))

    async def _rows(
        self, conn: asyncpg.Connection, rows: Sequence[Status]
    ) -> dict[tuple[object, ...], Status]:
        """The status rows of the drivers of ``rows``, as the table has them now."""
        keys = {_driver(r) for r in rows}
        found = await conn.fetch(self._current, [k[0] for k in keys], [k[1] for k in keys])
        return {_driver(r): tuple(r) for r in found}


def _first_of_each(rows: Sequence[tuple[bool, Status]]) -> list[Status]:
    """The history rows of the timed statuses: the first of each (driver, time, status).

    A poll repeats the current status entry until the next one: the repeats are rows already
    there, which ``ON CONFLICT DO NOTHING`` leaves as the first wrote them, as this does.
    """
    first: dict[tuple[object, ...], Status] = {}
    for _, r in rows:
        if r[4] is not None:
            first.setdefault((r[0], r[1], r[4], r[3]), (r[0], r[1], r[4], r[3], r[8]))
    return list(first.values())


def folded(before: Status | None, row: Status, *, pushed: bool) -> Status:
    """The status row after ``_UPSERT`` (``pushed``: its push form) of ``row`` on ``before``.

    Mirrors the statement column by column: an insert takes the event's row; an update only
    when the event is newer in the log (``last_position``), the status only when its time is
    not older (``_NEWER``), onboarding and plate only from a poll.
    """
    if before is None:
        return row
    if not before[8] < row[8]:  # type: ignore[operator]
        return before
    at, was = row[4], before[4]
    newer = at is None or was is None or at >= was  # type: ignore[operator]
    status, status_at = (row[3], at) if newer else (before[3], was)
    onboarding, plate = (before[5], before[6]) if pushed else (row[5], row[6])
    return (row[0], row[1], row[2], status, status_at, onboarding, plate, row[7], row[8])


def _driver(row: tuple[object, ...]) -> tuple[object, ...]:
    """The status row's key: (org_id, driver_id)."""
    return row[:2]


def _history_key(row: tuple[object, ...]) -> tuple[object, ...]:
    """The history row's primary key: (org_id, driver_id, status_at, status)."""
    return row[:4]
