"""uber_transactions: one row per Uber transaction, amounts in minor units.

Two sources carry a transaction under its own id: U7 transactions (``source = 'api'``) and
the rows of the daily PAYMENTS_ORDER report (``source = 'report'``, whose ``Transaction
UUID`` is U7's ``transactionUUID``). So a payment seen by both is one row, never two. U7's
observation replaces the report's (its breakdown is the detailed one); a report row never
replaces U7's, whichever comes first in the log; within a source, the latest wins.

From U7, ``amount_minor`` sums the top-level ``breakDown`` categories (fare, service fee,
tip…) and ``breakdown`` keeps the tree in minor units with its currencies. From a report
row, ``amount_minor`` is its Earnings, and ``breakdown`` its money columns (Earnings,
Payouts, Cash Collected, Transferred to Bank Account) in the fleet's currency (the file has
none of its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from contracts import uber, uber_report_rows
from contracts.envelope import EventEnvelope
from projector.projection import quote_table
from projector.projections.uber_money import breakdown, decimal_to_minor, total
from projector.rounds import CopyFirst, RowsUpsert

_TRANSACTION = msgspec.json.Decoder(uber.UberTransaction)
_REPORT_ROW = msgspec.json.Decoder(uber_report_rows.UberPaymentOrderRow)
_TYPES = ("uuid", "text", "text", "text", "text", "timestamptz", "text", "bigint", "text", "text",
          "timestamptz", "bigint", "text")  # fmt: skip
_REPORT_MONEY = ("earnings", "payouts", "cash_collected", "transferred_to_bank_account")

_UPSERT = """
INSERT INTO {table} AS t (org_id, transaction_id, account_id, driver_id, trip_id,
                                    processed_at, description, amount_minor, currency,
                                    breakdown, updated_at, last_position, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)
ON CONFLICT (org_id, transaction_id) DO UPDATE SET
    account_id = excluded.account_id, driver_id = excluded.driver_id,
    trip_id = excluded.trip_id, processed_at = excluded.processed_at,
    description = excluded.description, amount_minor = excluded.amount_minor,
    currency = excluded.currency, breakdown = excluded.breakdown,
    updated_at = excluded.updated_at, last_position = excluded.last_position,
    source = excluded.source
WHERE (t.source = excluded.source AND t.last_position < excluded.last_position)
   OR (t.source = 'report' AND excluded.source = 'api')
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
        "api",
    )


def _minor(text: str | None, currency: str) -> int | None:
    value = uber_report_rows.report_decimal(text)
    return decimal_to_minor(str(value), currency) if value is not None else None


def _report_row(event: EventEnvelope, currency: str) -> tuple[object, ...]:
    """A PAYMENTS_ORDER row (ingest quarantined those without a time or Earnings)."""
    row = _REPORT_ROW.decode(event.record)
    money = {name: _minor(getattr(row, name), currency) for name in _REPORT_MONEY}
    detail: list[dict[str, Any]] = [
        {"category": name, "amount_minor": amount, "currency": currency, "children": []}
        for name, amount in money.items()
        if amount is not None
    ]
    return (
        event.org_id,
        event.entity_id,
        event.account_id,
        row.driver_uuid,
        row.trip_uuid,
        row.processed(),
        row.description,
        money["earnings"],
        currency,
        msgspec.json.encode(detail).decode(),
        event.observed_at,
        event.position,
        "report",
    )


class UberTransactionsProjection:
    """Uber transactions from ``uber.transaction.observed`` and PAYMENTS_ORDER rows."""

    event_types = frozenset(
        {uber.TRANSACTION_OBSERVED, uber_report_rows.PAYMENT_ORDER_ROW_OBSERVED}
    )

    def __init__(
        self, name: str = "uber_transactions", *, table: str = "uber_transactions",
        currency: str = "EUR",
    ) -> None:  # fmt: skip
        self.name = name
        self.table = table
        self.currency = currency
        # reads and writes only its transaction's row: one statement per round; a newer row of
        # the same source replaces an older one (projector/rounds.py)
        sql = _UPSERT.format(table=quote_table(table))
        # a rebuild's new transactions copied in (projector/rounds.py, CopyFirst)
        copy = CopyFirst(table, (("org_id", "uuid"), ("transaction_id", "text")))
        self._upsert = RowsUpsert(sql, _TYPES, _key, same=_source, copy=copy)

    def retarget(self, *, name: str, table: str) -> UberTransactionsProjection:
        """The same projection under another checkpoint name, writing into ``table``."""
        return UberTransactionsProjection(name, table=table, currency=self.currency)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        """Upsert each transaction unless a later observation of its source (or U7's) is
        already there."""
        await self._upsert.run(conn, [self._row(e) for e in events])

    def _row(self, event: EventEnvelope) -> tuple[object, ...]:
        if event.event_type == uber_report_rows.PAYMENT_ORDER_ROW_OBSERVED:
            return _report_row(event, self.currency)
        return _row(event)


def _key(row: tuple[object, ...]) -> tuple[object, ...]:
    """The row's key: (org_id, transaction_id)."""
    return row[:2]


def _source(row: tuple[object, ...]) -> object:
    return row[-1]
