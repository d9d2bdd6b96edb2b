"""uber_transactions: one row per Uber transaction, amounts in minor units.

``amount_minor`` sums the top-level ``breakDown`` categories (fare, service fee, tip…);
``breakdown`` keeps the tree in minor units with its currencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec

from contracts import uber
from contracts.envelope import EventEnvelope
from projector.projection import quote_table
from projector.projections.uber_money import breakdown, total

_TRANSACTION = msgspec.json.Decoder(uber.UberTransaction)

_UPSERT = """
INSERT INTO {table} AS t (org_id, transaction_id, account_id, driver_id, trip_id,
                                    processed_at, description, amount_minor, currency,
                                    breakdown, updated_at, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
ON CONFLICT (org_id, transaction_id) DO UPDATE SET
    account_id = excluded.account_id, driver_id = excluded.driver_id,
    trip_id = excluded.trip_id, processed_at = excluded.processed_at,
    description = excluded.description, amount_minor = excluded.amount_minor,
    currency = excluded.currency, breakdown = excluded.breakdown,
    updated_at = excluded.updated_at, last_position = excluded.last_position
WHERE t.last_position < excluded.last_position
"""


def _row(event: EventEnvelope) -> tuple[object, ...]:
    txn = _TRANSACTION.decode(event.record)
    info = txn.transactionInfo
    categories = info.categories()
    amount, currency = total(categories)
    return (
        event.org_id,
        event.entity_id,
        event.account_id,
        txn.driverInfo.driverUUID if txn.driverInfo else None,
        info.tripUUID,
        datetime.fromisoformat(info.processedAt.replace("Z", "+00:00")),
        info.description,
        amount,
        currency,
        msgspec.json.encode(breakdown(categories)).decode(),
        event.observed_at,
        event.position,
    )


class UberTransactionsProjection:
    """Uber transactions from ``uber.transaction.observed``."""

    event_types = frozenset({uber.TRANSACTION_OBSERVED})

    def __init__(
        self, name: str = "uber_transactions", *, table: str = "uber_transactions"
    ) -> None:
        self.name = name
        self.table = table
        self._upsert = _UPSERT.format(table=quote_table(table))

    def retarget(self, *, name: str, table: str) -> UberTransactionsProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return UberTransactionsProjection(name, table=table)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each transaction unless a later observation is already there."""
        await conn.executemany(self._upsert, [_row(e) for e in events])
