"""Realtime transactions, in windows of at most 15 minutes from a cursor up to now.

Each call may cover 15 minutes, within the last 24 hours, at 1 request per second (the
client's own rate limiter). Transactions are single records (entity ``transactionUUID``).

The cursor ``{"next_start_ms": …}`` trails now by ``transactions_lag``: Uber shows a
transaction within about a minute of ``processedAt``, so the last minutes are asked again on
the next run. Windows therefore overlap at the boundary; a transaction seen twice hashes the
same and appends nothing. The cursor is saved with the last page of each window, in the same
transaction. After downtime the run resumes from the cursor, but never before
now − 24 h + margin (older windows are refused), logging a warning for what is lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from contracts import uber as c
from ingest.coverage import Covered
from ingest.pages import PollResult, RecordKind, decode_records
from ingest.uber.context import PollContext, Target, store_pages
from ingest.uber.windows import Window, epoch_ms, from_ms, slices

log = logging.getLogger(__name__)

RESOURCE = "transactions"
PROVIDER_WINDOW = timedelta(hours=24)
TRANSACTION = RecordKind(
    "transaction",
    c.TRANSACTION_OBSERVED,
    c.TRANSACTION_OBSERVED_VERSION,
    c.UberTransaction,
    lambda txn: txn.transactionInfo.transactionUUID,
)


class TransactionsPoller:
    """Polls transactions window by window from the cursor up to now."""

    def __init__(self, ctx: PollContext) -> None:
        self._ctx = ctx

    async def poll(self) -> PollResult:
        """Every Uber org of the tenant."""
        return await self._ctx.for_each_account("uber transactions", self._poll_account)

    async def _poll_account(self, account: str) -> PollResult:
        settings = self._ctx.settings
        now = self._ctx.now().replace(microsecond=0)
        position = self._start(now, await self._ctx.cursor(RESOURCE, account))
        total = PollResult()
        for window in slices(position, now, settings.transactions_window):
            position = max(position, min(window.end, now - settings.transactions_lag))
            cursor = {"next_start_ms": epoch_ms(position)}
            total.add(await self._poll_window(account, window, cursor))
        return total

    def _start(self, now: datetime, cursor: dict[str, Any] | None) -> datetime:
        """The cursor (or the first run's lookback), never before now − 24 h + margin."""
        settings = self._ctx.settings
        floor = now - PROVIDER_WINDOW + settings.transactions_margin
        if cursor is None:
            return max(now - settings.transactions_first_lookback, floor)
        start = from_ms(int(cursor["next_start_ms"]))
        if start < floor:
            log.warning(
                "uber transactions: polling resumes at %s but the provider only serves the "
                "last 24 h; transactions between %s and %s are missing",
                floor.isoformat(),
                start.isoformat(),
                floor.isoformat(),
            )
            return floor
        return start

    async def _poll_window(
        self, account: str, window: Window, cursor: dict[str, Any]
    ) -> PollResult:
        pages = self._ctx.client.transaction_pages(account, window, on_failure=self._ctx.on_failure)
        return await store_pages(
            self._ctx,
            Target(account, TRANSACTION, RESOURCE),
            pages,
            lambda page: decode_records(page.records(), TRANSACTION),
            cursor,
            Covered(window.start, window.end),
        )
