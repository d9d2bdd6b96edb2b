"""Driver payments from earners/payments, in epoch-aligned buckets behind a cursor.

The endpoint answers, per earner, the *sum* of their payments over the asked window, and only
over the last 24 hours (a wider window is clamped silently). So a payment record is "what
driver D was paid in bucket B" (entity ``<driverId>:<bucket start, ISO UTC>``), and buckets
never overlap, so a day's payments are the sum of its buckets' rows.

The cursor ``{"next_start_ms": …}`` is the start of the first bucket that has not settled
(ended more than ``payments_settle`` ago). Each run polls from the cursor up to now, so the
boundary bucket is asked again (an inclusive window); an unchanged breakdown hashes the same
and appends nothing, a grown one appends one new event for that bucket. The cursor is saved
with the last page of the bucket that moved it, in the same transaction.

After downtime the run catches up from the cursor, but never before now − 24 h + margin:
the provider would silently clamp an older start, and a clamped sum would look like a
smaller payment. Anything older is gone; that is logged as a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from contracts import uber as c
from ingest.coverage import Covered
from ingest.pages import PollResult, RecordKind
from ingest.uber.context import PollContext, Target, decode_wrapped, store_pages
from ingest.uber.windows import Window, buckets, epoch_ms, from_ms

log = logging.getLogger(__name__)

RESOURCE = "payments"
PROVIDER_WINDOW = timedelta(hours=24)


def payment_kind(bucket: datetime) -> RecordKind:
    """How an earner entry of ``bucket`` becomes an observation."""
    key = bucket.strftime("%Y-%m-%dT%H:%M:%SZ")
    return RecordKind(
        "payment",
        c.PAYMENT_OBSERVED,
        c.PAYMENT_OBSERVED_VERSION,
        c.UberEarnerPayment,
        lambda entry: f"{entry.earnerInfo.uuid}:{key}" if entry.earnerInfo.uuid else "",
    )


def wrapper(window: Window) -> Callable[[bytes], bytes]:
    """Wrap an earner entry with the window it sums (see ``UberPaymentRecord``)."""
    start, end = epoch_ms(window.start), epoch_ms(window.end)

    def wrap(raw: bytes) -> bytes:
        return msgspec.json.encode(c.UberPaymentRecord(start, end, msgspec.Raw(raw)))

    return wrap


class PaymentsPoller:
    """Polls payments bucket by bucket from the cursor up to now, within the last 24 h."""

    def __init__(self, ctx: PollContext) -> None:
        self._ctx = ctx

    async def poll(self) -> PollResult:
        """Every Uber org of the tenant."""
        return await self._ctx.for_each_account("uber payments", self._poll_account)

    async def _poll_account(self, account: str) -> PollResult:
        now = self._ctx.now().replace(microsecond=0)
        start = self._start(now, await self._ctx.cursor(RESOURCE, account))
        step, settle = self._ctx.settings.payments_bucket, self._ctx.settings.payments_settle
        total = PollResult()
        for bucket, window in buckets(start, now, step):
            settled = bucket + step <= now - settle
            cursor = {"next_start_ms": epoch_ms(bucket + step)} if settled else None
            total.add(await self._poll_bucket(account, bucket, window, cursor))
        return total

    def _start(self, now: datetime, cursor: dict[str, Any] | None) -> datetime:
        """The cursor, or the oldest instant the provider still serves in full."""
        floor = now - PROVIDER_WINDOW + self._ctx.settings.payments_margin
        if cursor is None:
            return floor
        start = from_ms(int(cursor["next_start_ms"]))
        if start < floor:
            log.warning(
                "uber payments: polling resumes at %s but the provider only serves the last "
                "24 h; payments between %s and %s may be missing",
                floor.isoformat(),
                start.isoformat(),
                floor.isoformat(),
            )
            return floor
        return start

    async def _poll_bucket(
        self, account: str, bucket: datetime, window: Window, cursor: dict[str, Any] | None
    ) -> PollResult:
        kind = payment_kind(bucket)
        wrap = wrapper(window)
        pages = self._ctx.client.payment_pages(account, window, on_failure=self._ctx.on_failure)
        return await store_pages(
            self._ctx,
            Target(account, kind, RESOURCE),
            pages,
            lambda page: decode_wrapped(page.earnerPaymentBreakdowns or [], kind, wrap),
            cursor,
            Covered(window.start, window.end),
        )
