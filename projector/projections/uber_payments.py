"""driver_payments (Uber rows): what each driver was paid per window, in minor units.

The record is ``UberPaymentRecord``: the asked window (epoch ms) and the provider's
``earnerPaymentBreakdowns`` entry. ``amount_minor`` sums the top-level categories (e.g.
``earnings``, whose children detail it); ``breakdown`` keeps the whole tree in minor units.
``day`` is the Europe/Paris day of the window's start (windows never straddle midnight).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table
from projector.projections.uber_money import breakdown, total

PARIS = ZoneInfo("Europe/Paris")
_RECORD = msgspec.json.Decoder(uber.UberPaymentRecord)
_PAYMENT = msgspec.json.Decoder(uber.UberEarnerPayment)

_UPSERT = """
INSERT INTO {table} AS p (org_id, provider, payment_key, driver_id, account_id,
                                  window_start, window_end, day, amount_minor, currency,
                                  breakdown, updated_at, last_position)
VALUES ($1, 'uber', $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
ON CONFLICT (org_id, provider, payment_key) DO UPDATE SET
    driver_id = excluded.driver_id, account_id = excluded.account_id,
    window_start = excluded.window_start, window_end = excluded.window_end, day = excluded.day,
    amount_minor = excluded.amount_minor, currency = excluded.currency,
    breakdown = excluded.breakdown, updated_at = excluded.updated_at,
    last_position = excluded.last_position
WHERE p.last_position < excluded.last_position
"""


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
    )


class UberPaymentsProjection:
    """Uber's share of ``driver_payments``, from ``uber.payment.observed``."""

    event_types = frozenset({uber.PAYMENT_OBSERVED})

    def __init__(self, name: str = "uber_payments", *, table: str = "driver_payments") -> None:
        self.name = name
        self.table = table
        self._upsert = _UPSERT.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> UberPaymentsProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return UberPaymentsProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each driver-window unless a later observation is already there."""
        await conn.executemany(self._upsert, [_row(e) for e in events])
