"""Appending provider observations to the log, and reading the log by position.

Why reading by position never skips a late commit
--------------------------------------------------
``position`` comes from an identity sequence, and sequence values are handed out when a row
is inserted, not when its transaction commits. With concurrent writers, a transaction holding
position 10 could commit after another holding 11: a reader that saw 11 and moved its
checkpoint past it would never see 10 (the classic sequence-gap problem).

We serialise writers. Every append takes the transaction-scoped advisory lock
``APPEND_LOCK`` before it inserts, and holds it until commit. PostgreSQL makes a commit
visible (ProcArrayEndTransaction) before it releases the transaction's locks, so the next
writer can only draw positions after the previous writer's rows are visible to everyone.
Positions therefore become visible in increasing order: once a reader sees position N, every
position below N is either visible too or belongs to a transaction that rolled back (a
permanent hole that nobody will ever fill). Readers can keep a single number as checkpoint.
Every insert into ``event_log`` must go through :func:`append_observations` for this to hold.

The cost is one writer at a time. Appends are batched (a page of records is one transaction)
and the lock is taken at the end of the transaction, just before the append's own
statements, so it is held for one call, a COPY and the commit. Change detection runs in a
statement issued *after* the lock is granted: under READ COMMITTED each statement takes a new
snapshot when it starts (also each statement of a VOLATILE PL/pgSQL function), so it sees the
events of every earlier append and two appenders never both append the same change. (Taking
the lock inside the lookup statement would keep positions ordered but compare against a
snapshot older than the lock.)

How a page is appended
----------------------
1. One call of ``event_log_append_begin`` (migrations/0023_append_in_one_call.sql, its lookup
   as of 0028_latest_by_entity.sql) per event type of the page (a page holds one, as a
   rule), one round trip, which in order:

   a. takes ``pg_advisory_xact_lock(APPEND_LOCK)``;
   b. in a new statement, reads for each record of the page the ``record_hash`` of the
      latest event of the same ``(org_id, provider, event_type, entity_id)``: the log itself
      is the memory of what was last observed. The key is the event type, not only the id: a
      Bolt driver and a Bolt vehicle may share an id, but each kind of record has its own
      event type (``RecordKind`` in ingest/pages.py), so their histories never mix. It
      answers the ordinals of the records whose hash differs (new or changed). Each lookup
      is one backward probe of ``event_log_latest_by_entity``, pinned by row comparisons so
      that no other plan is cheap whatever the statistics say (migration 0028 tells why);
   c. reads where the page's positions will start (``next_position``: the sequence's last
      value plus one) and, unless row-level security applies (d), sends ``pg_notify`` with
      the page's last position, ``next_position + n - 1``; a notification is delivered only
      at commit, so a COPY that fails takes it back;
   d. answers whether row-level security applies to this session on ``event_log``.
2. The changed records are written with a binary COPY, in page order. COPY evaluates each
   row's identity default as it reads the row, so it draws the page's positions in row
   order; under the lock nothing else draws from the sequence (CACHE 1, INCREMENT 1, checked
   by tests/eventlog/test_change_detection.py), so they are exactly ``next_position ..
   next_position + n - 1``. An earlier rolled-back append only left a hole before them.

Until migration 0023, steps 1a, 1b and the read of the last position after the COPY were
three round trips of their own; one call saves two per page (docs/SCALING.md, "Append").

COPY is refused on a table with row-level security for a role it applies to. The writer role
has BYPASSRLS (migrations/0013_append_by_copy.sql explains why that grants it nothing new).
Where it could not be given that attribute (a managed server whose migration role may not
grant it), step 1d says so and step 2 falls back to one ``INSERT … SELECT unnest`` that
notifies itself, with the same change detection: correct, only slower.
``row_security_active`` is the very test COPY applies, so the two never disagree.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from contracts.envelope import EventEnvelope
from eventlog.metrics import EVENTS_APPENDED

APPEND_LOCK = 0x6C6F67  # the advisory lock key serialising appends ("log")
NOTIFY_CHANNEL = "fleet_event_log"

_JSON_DECODER = msgspec.json.Decoder()
_CANONICAL_ENCODER = msgspec.json.Encoder(order="sorted")


def canonical_hash(record: bytes) -> bytes:
    """SHA-256 of the record's canonical JSON: key order and whitespace do not count."""
    return hashlib.sha256(_CANONICAL_ENCODER.encode(_JSON_DECODER.decode(record))).digest()


@dataclass(frozen=True)
class Observation:
    """One provider record as observed, ready to append if it is new or changed."""

    entity_id: str
    event_type: str
    schema_version: int
    record: bytes
    record_hash: bytes


_ENCODER = msgspec.json.Encoder()

# Step 1 (migrations/0022): lock, change detection, the positions to come and the notify.
_BEGIN_SQL = """
SELECT changed, next_position, rls
FROM event_log_append_begin($1, $2, $3, $4, $5, $6, $7, $8)
"""

_COPY_COLUMNS = (
    "event_id", "event_type", "schema_version", "provider", "org_id", "account_id", "entity_id",
    "observed_at", "record", "record_hash", "fetch_id",
)  # fmt: skip

# The fallback of step 2 when row-level security applies to the writer (see above).
_INSERT_SQL = """
WITH inserted AS (
    INSERT INTO event_log (event_id, event_type, schema_version, provider, org_id, account_id,
                           entity_id, observed_at, record, record_hash, fetch_id)
    SELECT event_id, event_type, schema_version, $2, $1, $3, entity_id, $4, record,
           record_hash, $5
    FROM unnest($7::text[], $8::text[], $9::int[], $10::bytea[], $11::bytea[], $12::uuid[])
        WITH ORDINALITY AS t(entity_id, event_type, schema_version, record, record_hash,
                             event_id, ord)
    ORDER BY ord
    RETURNING position
)
SELECT array_agg(position ORDER BY position),
       pg_notify($6, max(position)::text)
FROM inserted
"""


@dataclass(frozen=True)
class _Page:
    """Where a page's events go: everything of an event's row that is not the record."""

    org_id: UUID
    provider: str
    account_id: str
    observed_at: datetime
    fetch_id: int | None


def _dedupe(observations: Sequence[Observation]) -> list[Observation]:
    """Keep the last observation of each entity: a page may repeat a record.

    A page without repeats (the rule) is kept as it is, found in one pass.
    """
    if len({(o.event_type, o.entity_id) for o in observations}) == len(observations):
        return list(observations)
    latest: dict[tuple[str, str], Observation] = {}
    for obs in observations:
        key = (obs.event_type, obs.entity_id)
        latest.pop(key, None)
        latest[key] = obs
    return list(latest.values())


async def append_observations(
    conn: asyncpg.Connection,
    *,
    org_id: UUID,
    provider: str,
    account_id: str,
    entity_type: str,
    observed_at: datetime,
    fetch_id: int | None,
    observations: Sequence[Observation],
) -> list[int]:
    """Append one event per observation whose record is new or changed; return positions.

    Must run inside the caller's transaction (READ COMMITTED, the default), which should do
    its other writes (fetch record, cursor) first: the append lock is taken here and held
    until that commit. ``entity_type`` names the page's kind of record for the caller; change
    detection keys on each observation's event type, which identifies that kind.
    """
    batch = _dedupe(observations)
    if not batch:
        return []
    page = _Page(org_id, provider, account_id, observed_at, fetch_id)
    changed, first, rls = await _begin(conn, page, batch)
    if not changed:
        return []
    if rls:
        positions = await _insert(conn, page, changed)
    else:
        positions = await _copy(conn, page, changed, first)
    _count_appended(changed, len(positions))
    return positions


async def _begin(
    conn: asyncpg.Connection, page: _Page, batch: list[Observation]
) -> tuple[list[Observation], int, bool]:
    """Step 1: (the new and changed observations in page order, their first position, RLS).

    ``batch`` is deduplicated: (event type, entity id) names one observation. One call per
    event type (migration 0023 says why); the ids travel as one JSON array and the hashes as
    one ``bytea`` (asyncpg encodes a ``text[]`` of 500 element by element, at twice the cost).
    """
    if any(len(o.record_hash) != 32 for o in batch):
        raise ValueError("record_hash must be a SHA-256 digest (canonical_hash)")
    changed: set[tuple[str, str]] = set()
    first, rls = 0, False
    for event_type, group in _by_event_type(batch).items():
        ids = _ENCODER.encode([o.entity_id for o in group]).decode()
        hashes = b"".join(o.record_hash for o in group)
        ordinals, first, rls = await conn.fetchrow(
            _BEGIN_SQL, page.org_id, page.provider, event_type, ids, hashes, NOTIFY_CHANNEL,
            APPEND_LOCK, len(changed),
        )  # fmt: skip
        changed.update((event_type, group[i - 1].entity_id) for i in ordinals)
    if len(changed) == len(batch):  # all new or changed (a first poll): the page as it is
        return batch, first, rls
    return [o for o in batch if (o.event_type, o.entity_id) in changed], first, rls


def _by_event_type(batch: list[Observation]) -> dict[str, list[Observation]]:
    """The page's observations by event type (a page holds one: usually a single group)."""
    groups: dict[str, list[Observation]] = {}
    for obs in batch:
        groups.setdefault(obs.event_type, []).append(obs)
    return groups


async def _copy(
    conn: asyncpg.Connection, page: _Page, changed: list[Observation], first: int
) -> list[int]:
    """Step 2: binary COPY in page order, drawing positions ``first .. first + n - 1``."""
    rows = [
        (event_id, o.event_type, o.schema_version, page.provider, page.org_id, page.account_id,
         o.entity_id, page.observed_at, o.record, o.record_hash, page.fetch_id)
        for event_id, o in zip(new_event_ids(len(changed)), changed, strict=True)
    ]  # fmt: skip
    await conn.copy_records_to_table("event_log", records=rows, columns=_COPY_COLUMNS)
    return list(range(first, first + len(rows)))


# The version and variant bits of a UUID, set on a byte by one table lookup each.
_VERSION_7 = bytes(b & 0x0F | 0x70 for b in range(256))
_RFC_4122 = bytes(b & 0x3F | 0x80 for b in range(256))


def new_event_ids(n: int) -> list[str]:
    """``n`` time-ordered (version 7, RFC 9562) UUIDs as hex text, which asyncpg encodes for
    a uuid column: the current Unix time in milliseconds, then 74 random bits.

    Time-ordered because ``event_id`` is unique-indexed: random (version 4) ids land all
    over that index, so as the log grows every append dirties pages spread across it, while
    ids that grow with time are added at its right edge, like the positions. A COPY of a
    page into a log of 1.5 million events went from 30,146 to 38,401 ev/s (docs/SCALING.md,
    "Append"). Drawn in one read of the OS's random source: ``uuid.uuid4()`` per event was a
    visible share of a page's append.
    """
    raw = bytearray(os.urandom(16 * n))
    stamp = (time.time_ns() // 1_000_000).to_bytes(6, "big")
    for i in range(6):
        raw[i::16] = stamp[i : i + 1] * n
    raw[6::16] = raw[6::16].translate(_VERSION_7)
    raw[8::16] = raw[8::16].translate(_RFC_4122)
    text = raw.hex()
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


async def _insert(conn: asyncpg.Connection, page: _Page, changed: list[Observation]) -> list[int]:
    """Step 2 where row-level security refuses COPY: one INSERT of the changed records."""
    positions: list[int] = await conn.fetchval(
        _INSERT_SQL,
        page.org_id,
        page.provider,
        page.account_id,
        page.observed_at,
        page.fetch_id,
        NOTIFY_CHANNEL,
        [o.entity_id for o in changed],
        [o.event_type for o in changed],
        [o.schema_version for o in changed],
        [o.record for o in changed],
        [o.record_hash for o in changed],
        new_event_ids(len(changed)),
    )
    return positions


def _count_appended(batch: Sequence[Observation], appended: int) -> None:
    """Count appended events by type (a page holds one type; counted before commit)."""
    if appended:
        EVENTS_APPENDED.labels(batch[0].event_type).inc(appended)


_READ_SQL = """
SELECT position, event_id, event_type, schema_version, provider, org_id, account_id, entity_id,
       observed_at, recorded_at, fetch_id, record
FROM event_log WHERE position > $1 AND ($3::bigint IS NULL OR position <= $3)
ORDER BY position LIMIT $2
"""


def _envelope(row: asyncpg.Record) -> EventEnvelope:
    # Unpacked by position (the order of _READ_SQL's columns): a rebuild builds an envelope
    # per event, and twelve lookups by name cost up to twice as much (docs/SCALING.md).
    (position, event_id, event_type, schema_version, provider, org_id, account_id, entity_id,
     observed_at, recorded_at, fetch_id, record) = row  # fmt: skip
    return EventEnvelope(
        position=position,
        event_id=event_id,
        event_type=event_type,
        schema_version=schema_version,
        provider=provider,
        org_id=org_id,
        account_id=account_id,
        entity_id=entity_id,
        observed_at=observed_at,
        recorded_at=recorded_at,
        fetch_id=fetch_id,
        record=msgspec.Raw(record),
    )


async def read_after(
    conn: asyncpg.Connection, position: int, limit: int, *, until: int | None = None
) -> list[EventEnvelope]:
    """Up to ``limit`` events after ``position`` (and at or before ``until``), in log order.

    Positions have holes (rolled-back appends), so ``limit`` alone does not stop a reader at
    a position: a rebuild up to ``until`` passes it.
    """
    rows = await conn.fetch(_READ_SQL, position, limit, until)
    return [_envelope(row) for row in rows]


# The events of some types only, in log order, in two statements. A rebuild reads this way,
# so that each projection reads its own events and not the whole log (docs/SCALING.md,
# "A year").
#
# 1. Where the batch ends: the ``limit``-th position of those types, from one ordered range
#    of the narrow index event_log_type (event_type, position) per type, merged: positions
#    only (an index-only scan; sorting ``limit`` bigints per type is nothing).
# 2. The batch's rows: every event of those types in (after, end]: the primary key's range
#    (the heap in order, the other types' events filtered out) for a unit holding much of
#    the range, a bitmap of event_log_type (only the heap pages holding them) for a sparse
#    one. PostgreSQL alone chose the range for any unit above a few per cent of the log: it
#    prices a bitmap as if a type's events were strewn over every page, when an append
#    writes a page of one type's events together. So a batch holding less than a fifth of
#    its range (``_SPARSE``) turns the plain index scan off (``enable_indexscan``). On the
#    year kept at BENCH_YEAR_SCALE=0.05, the Bolt orders (13 % of their ranges): 5,400 heap
#    pages and 30 ms per 200,000 positions instead of 26,000 pages and 160 ms, their whole
#    read 1.1 -> 0.85 s with the decoding; the Uber statuses (30 %) read faster by the range
#    (1.7 s against 1.8 s by the bitmap). The rows are sorted by position here.
#
# One statement doing both (the rows of each type's ordered range, then merged) let the
# planner choose a skip scan of event_log_latest and a sort instead, of every event of the
# type up to ``until``, not of one batch: each batch read the rest of the type again (a
# rebuild quadratic in the log) and spilled the sort of those rows to disk. The statements run
# with custom plans (``plan_cache_mode``): a generic plan cannot tell a sparse unit (people,
# a few thousand events) from a dense one (half the log), and chose the same path for both.
_BATCH_END_SQL = """
SELECT max(b.position) FROM (
    SELECT p.position FROM unnest($3::text[]) AS t(event_type)
    CROSS JOIN LATERAL (
        SELECT position FROM event_log
        WHERE event_type = t.event_type AND position > $1 AND position <= $4
        ORDER BY position LIMIT $2
    ) p
    ORDER BY p.position LIMIT $2
) b
"""

_SPARSE = 5  # a batch of fewer events than a fifth of its positions reads by a bitmap

_READ_RANGE_SQL = """
SELECT position, event_id, event_type, schema_version, provider, org_id, account_id, entity_id,
       observed_at, recorded_at, fetch_id, record
FROM event_log WHERE position > $1 AND position <= $2 AND event_type = ANY($3::text[])
"""


async def read_types_after(
    conn: asyncpg.Connection, position: int, limit: int, event_types: Sequence[str], until: int
) -> list[EventEnvelope]:
    """Up to ``limit`` events of ``event_types`` after ``position`` and at or before
    ``until``, in log order.

    Fewer than ``limit`` means there are no more of them up to ``until``: every position
    at or below ``until`` is visible or a permanent hole (appends are serialised, see top),
    so a reader of these types alone may take ``until`` as its checkpoint. Runs in a
    transaction of its own (or a savepoint of the caller's, whose plan settings then stay
    until the caller's transaction ends).
    """
    types = sorted(event_types)
    async with conn.transaction():
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        end = await conn.fetchval(_BATCH_END_SQL, position, limit, types, until)
        if end is None:
            return []
        if limit * _SPARSE < end - position:  # a bitmap of the batch's pages (see above)
            await conn.execute("SET LOCAL enable_indexscan = off")
        rows = await conn.fetch(_READ_RANGE_SQL, position, end, types)
    rows.sort(key=_position)  # in position order already, as a rule: then a single pass
    return [_envelope(row) for row in rows]


def _position(row: asyncpg.Record) -> int:
    return int(row[0])


async def head_position(conn: asyncpg.Connection) -> int:
    """The highest position in the log (0 when empty)."""
    return int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM event_log"))
