"""driver_payments (Uber rows): what each driver was paid per window, in minor units.

The record is ``UberPaymentRecord``: the period it sums (epoch ms), what that period is
(``covers``), and the provider's ``earnerPaymentBreakdowns`` entry. ``amount_minor`` sums
the top-level categories (e.g. ``earnings``, whose children detail it); ``breakdown`` keeps
the whole tree in minor units. ``day`` is the Europe/Paris day of the window's start
(hourly buckets never straddle midnight; a pay week's row is dated its Monday).

A pay-week snapshot (``covers = pay_period``, key ``<driver>:period:<week start>``) comes
from an endpoint that ignores the asked window: any bucket row of the same driver *asked*
during that week summed the week too, not its hour (whatever hour it names, even one of the
week before). So, in log order, a snapshot deletes the bucket rows of its driver asked
during its week (``asked_week``), and such a bucket row arriving after the snapshot is not
stored: the week counts once, whichever came first, and a replay gives the same rows
(docs/MONEY.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from contracts import legacy, uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table
from projector.projections.uber_money import breakdown, decimal_to_minor, total
from projector.rounds import CopyFirst, Row, RowsUpsert

PARIS = ZoneInfo("Europe/Paris")
PERIOD_MARK = ":period:"  # in the key of a pay-week snapshot (contracts.uber.UberPaymentRecord)
_RECORD = msgspec.json.Decoder(uber.UberPaymentRecord)
_PAYMENT = msgspec.json.Decoder(uber.UberEarnerPayment)
_LEGACY = msgspec.json.Decoder(legacy.LegacyPayment)

_UPSERT = """
INSERT INTO {table} AS p (org_id, provider, payment_key, driver_id, account_id,
                                  window_start, window_end, day, amount_minor, currency,
                                  breakdown, updated_at, last_position, source, asked_week)
SELECT $1::uuid, 'uber', $2::text, $3::text, $4::text, $5::timestamptz, $6::timestamptz,
       $7::date, $8::bigint, $9::text, $10::jsonb, $11::timestamptz, $12::bigint, $13::text,
       $14::timestamptz
WHERE $2::text LIKE '%:period:%' OR NOT EXISTS (
    SELECT 1 FROM {table} w
    WHERE w.org_id = $1::uuid AND w.provider = 'uber' AND w.driver_id = $3::text
      AND w.payment_key LIKE '%:period:%' AND w.window_start = $14::timestamptz)
ON CONFLICT (org_id, provider, payment_key) DO UPDATE SET
    driver_id = excluded.driver_id, account_id = excluded.account_id,
    window_start = excluded.window_start, window_end = excluded.window_end, day = excluded.day,
    amount_minor = excluded.amount_minor, currency = excluded.currency,
    breakdown = excluded.breakdown, updated_at = excluded.updated_at,
    last_position = excluded.last_position, asked_week = excluded.asked_week
WHERE p.last_position < excluded.last_position
"""
# _UPSERT for many rows at once: one statement per round (projector/rounds.py). Its NOT EXISTS
# reads other rows of the table, the snapshots, so a statement takes only bucket rows or only
# snapshots (``_segments``): a bucket row meets the snapshots as the single-row statement would.
_UPSERT_ROUND = """
INSERT INTO {table} AS p (org_id, provider, payment_key, driver_id, account_id,
                          window_start, window_end, day, amount_minor, currency,
                          breakdown, updated_at, last_position, source, asked_week)
SELECT v.org_id, 'uber', v.payment_key, v.driver_id, v.account_id, v.window_start,
       v.window_end, v.day, v.amount_minor, v.currency, v.breakdown::jsonb, v.updated_at,
       v.last_position, v.source, v.asked_week
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
            $6::timestamptz[], $7::date[], $8::bigint[], $9::text[], $10::text[],
            $11::timestamptz[], $12::bigint[], $13::text[], $14::timestamptz[])
    AS v(org_id, payment_key, driver_id, account_id, window_start, window_end, day,
         amount_minor, currency, breakdown, updated_at, last_position, source, asked_week)
WHERE v.payment_key LIKE '%:period:%' OR NOT EXISTS (
    SELECT 1 FROM {table} w
    WHERE w.org_id = v.org_id AND w.provider = 'uber' AND w.driver_id = v.driver_id
      AND w.payment_key LIKE '%:period:%' AND w.window_start = v.asked_week)
ON CONFLICT (org_id, provider, payment_key) DO UPDATE SET
    driver_id = excluded.driver_id, account_id = excluded.account_id,
    window_start = excluded.window_start, window_end = excluded.window_end, day = excluded.day,
    amount_minor = excluded.amount_minor, currency = excluded.currency,
    breakdown = excluded.breakdown, updated_at = excluded.updated_at,
    last_position = excluded.last_position, asked_week = excluded.asked_week
WHERE p.last_position < excluded.last_position
"""
# The snapshots among the driver-weeks asked: a bucket row asked during one is not stored.
_SNAPSHOT_WEEKS = """
SELECT w.org_id, w.driver_id, w.window_start FROM {table} w
JOIN unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS k(org_id, driver_id, week)
    ON w.org_id = k.org_id AND w.provider = 'uber' AND w.driver_id = k.driver_id
   AND w.window_start = k.week
WHERE w.payment_key LIKE '%:period:%'
"""
_KEY = (("org_id", "uuid"), ("payment_key", "text"))

# The bucket rows a pay-week snapshot supersedes: its driver's, asked during its week.
_DROP_SUPERSEDED = """
DELETE FROM {table} b
USING unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS k(org_id, driver, week)
WHERE b.org_id = k.org_id AND b.provider = 'uber' AND b.source = 'provider'
  AND b.driver_id = k.driver AND b.payment_key NOT LIKE '%:period:%' AND b.asked_week = k.week
"""

# The original's payments have keys of their own, so they cannot be matched to Uber's one by
# one: they count only on the driver-days for which Uber served no payment. In log order, a
# legacy payment of a day Uber already covered is not stored, and Uber's first payment of a
# day removes the legacy ones of that day; a replay of the log gives the same rows.
_UBER_COVERS_DAY = """
SELECT EXISTS (SELECT 1 FROM {table} WHERE org_id = $1 AND provider = 'uber'
               AND driver_id = $2 AND day = $3 AND source = 'provider')
"""
# Whether the tenants ever imported legacy payments: asked of the log (one probe of its
# event-type index) rather than of the table, whose indexes a replay builds after its load.
_ANY_LEGACY = """
SELECT EXISTS (SELECT 1 FROM event_log WHERE org_id = ANY($1::uuid[]) AND provider = 'legacy'
               AND event_type = $2)
"""
_DROP_LEGACY_DAYS = """
DELETE FROM {table} t USING unnest($1::uuid[], $2::text[], $3::date[]) AS k(org_id, driver, day)
WHERE t.source = 'legacy' AND t.org_id = k.org_id AND t.provider = 'uber'
  AND t.driver_id = k.driver AND t.day = k.day
"""


def _payment_key(row: tuple[object, ...]) -> tuple[object, ...]:
    """The row's key (its provider is always Uber's): (org_id, payment_key)."""
    return row[:2]


def _is_snapshot(row: tuple[object, ...]) -> bool:
    return PERIOD_MARK in str(row[1])


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _row(event: EventEnvelope) -> tuple[object, ...]:
    record = _RECORD.decode(event.record)
    payment = _PAYMENT.decode(record.payment)
    categories = payment.paymentBreakdowns or []
    amount, currency = total(categories)
    start = _at(record.start_time)
    return (
        event.org_id,
        event.entity_id,
        payment.earnerInfo.uuid,
        event.account_id,
        start,
        _at(record.end_time),
        start.astimezone(PARIS).date(),
        amount,
        currency,
        msgspec.json.encode(breakdown(categories)).decode(),
        event.observed_at,
        event.position,
        "provider",
        _at(record.asked_week) if record.asked_week is not None else None,
    )


def _legacy_row(event: EventEnvelope, currency: str) -> tuple[object, ...]:
    """The original's payment: one instant, an amount in major units, its description."""
    row = _LEGACY.decode(event.record)
    at = datetime.fromisoformat(row.occurred_at)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)  # the original stored UTC without zone
    currency = row.currency or currency
    amount = decimal_to_minor(str(row.amount), currency)
    category = row.description or "legacy"
    detail: list[dict[str, object]] = [
        {"category": category, "amount_minor": amount, "currency": currency, "children": []}
    ]
    return (
        event.org_id,
        f"legacy:{row.id}",
        row.driver_uuid,
        event.account_id,
        at,
        at,
        at.astimezone(PARIS).date(),
        amount,
        currency,
        msgspec.json.encode(detail).decode(),
        event.observed_at,
        event.position,
        "legacy",
        None,
    )


class UberPaymentsProjection:
    """Uber's share of ``driver_payments``, from ``uber.payment.observed``."""

    event_types = frozenset({uber.PAYMENT_OBSERVED, legacy.PAYMENTS_OBSERVED})

    def __init__(
        self, name: str = "uber_payments", *, table: str = "driver_payments", currency: str = "EUR"
    ) -> None:
        self.name = name
        self.table = table
        self.currency = currency
        self._upsert = _UPSERT.format(table=quote_table(table))
        # Many rows at once (a rebuild's): the rows the NOT EXISTS would skip are left out
        # first (``_unsuperseded``), so that the first rows of new keys can be copied in
        # (projector/rounds.py, CopyFirst).
        copy = CopyFirst.provider_second(table, _KEY, "uber")
        self._rounds = RowsUpsert(
            _UPSERT_ROUND.format(table=quote_table(table)), [""] * 14, key=_payment_key,
            unnested=True, copy=copy,
        )  # fmt: skip
        self._least = copy.least
        self._snapshot_weeks = _SNAPSHOT_WEEKS.format(table=quote_table(table))
        self._covers = _UBER_COVERS_DAY.format(table=quote_table(table))
        self._drop_legacy = _DROP_LEGACY_DAYS.format(table=quote_table(table))
        self._drop_superseded = _DROP_SUPERSEDED.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> UberPaymentsProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return UberPaymentsProjection(name, table=table, currency=self.currency)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each driver-window unless a later observation is already there; the
        original's payments only on the days Uber did not cover (see _UBER_COVERS_DAY)."""
        # In log order, run by run: within a run of Uber's events the drops and upserts
        # commute, so a run costs a few statements whatever its length.
        for is_legacy, run in groupby(events, lambda e: e.event_type == legacy.PAYMENTS_OBSERVED):
            if is_legacy:
                await self._apply_legacy(conn, [_legacy_row(e, self.currency) for e in run])
                continue
            rows = [_row(e) for e in run]
            await self._drop_legacy_days(conn, rows)
            for snapshots, segment in groupby(rows, _is_snapshot):
                part = list(segment)
                if not snapshots and len(part) >= self._least:
                    part = await self._unsuperseded(conn, part)
                await self._rounds.run(conn, part)
            await self._drop_superseded_buckets(conn, rows)

    async def _unsuperseded(self, conn: asyncpg.Connection, buckets: list[Row]) -> list[Row]:
        """``buckets`` less those asked during a driver-week the table has a snapshot of: the
        rows _UPSERT_ROUND's NOT EXISTS skips. ``apply`` writes bucket rows and snapshots in
        separate runs, so what the table has now is what each round of these would see."""
        weeks = {(r[0], r[2], r[13]) for r in buckets if r[13] is not None}
        if not weeks:
            return buckets
        found = await conn.fetch(self._snapshot_weeks, *map(list, zip(*weeks, strict=True)))
        covered = {(r[0], r[1], r[2]) for r in found}
        return [r for r in buckets if (r[0], r[2], r[13]) not in covered]

    async def _drop_legacy_days(
        self, conn: asyncpg.Connection, rows: list[tuple[object, ...]]
    ) -> None:
        """Remove the original's payments of the driver-days Uber's ``rows`` cover."""
        orgs = list({r[0] for r in rows})
        if not await conn.fetchval(_ANY_LEGACY, orgs, legacy.PAYMENTS_OBSERVED):
            return
        days = list({(r[0], r[2], r[6]) for r in rows})
        await conn.execute(self._drop_legacy, *map(list, zip(*days, strict=True)))

    async def _drop_superseded_buckets(
        self, conn: asyncpg.Connection, rows: list[tuple[object, ...]]
    ) -> None:
        """Remove the bucket rows asked during the driver-weeks of ``rows``' snapshots."""
        weeks = [(r[0], r[2], r[4]) for r in rows if PERIOD_MARK in str(r[1])]
        if weeks:
            await conn.execute(self._drop_superseded, *map(list, zip(*weeks, strict=True)))

    async def _apply_legacy(self, conn: asyncpg.Connection, rows: list[tuple[object, ...]]) -> None:
        """Store each of the original's payments unless Uber already covers its day."""
        for row in rows:
            if not await conn.fetchval(self._covers, row[0], row[2], row[6]):
                await conn.execute(self._upsert, *row)
