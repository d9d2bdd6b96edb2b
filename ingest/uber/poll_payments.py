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

Whether the endpoint honours the window at all is not settled: Uber documents "the last
24 hours", one live integration reports that it answers the current pay period whatever is
asked. Summed bucket by bucket, such answers would count the week once per bucket. So every
run first asks a *probe*: a window in the future, where no payment can be. An endpoint that
honours windows answers nothing (or refuses the window); one that ignores them answers the
pay week so far, and that answer is stored as what it is: one snapshot per driver and pay
week (entity ``<driverId>:period:<week start>``, ``covers = pay_period``), and no bucket is
asked. Every record says in which pay week it was asked, and a snapshot supersedes the
bucket rows of its driver asked during its week (docs/MONEY.md): so a week's first payment
landing between an empty probe and the buckets, which each bucket would then hold, ends
counted once, by the next run's snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from contracts import uber as c
from contracts.weeks import WeekRules
from ingest.coverage import Covered, Where, record_coverage
from ingest.errors import ProviderRejected
from ingest.pages import PollResult, RecordKind
from ingest.uber.client import PROVIDER
from ingest.uber.context import PollContext, Target, decode_wrapped, store_pages
from ingest.uber.windows import Window, buckets, epoch_ms, from_ms, pay_week

log = logging.getLogger(__name__)

RESOURCE = "payments"
PROVIDER_WINDOW = timedelta(hours=24)
PROBE_AHEAD = timedelta(hours=1)  # the probe window starts this far in the future
PROBE_SPAN = timedelta(minutes=1)


def payment_kind(bucket: datetime, prefix: str = "") -> RecordKind:
    """How an earner entry of ``bucket`` (or of the pay week, ``prefix="period:"``) becomes
    an observation."""
    key = prefix + bucket.strftime("%Y-%m-%dT%H:%M:%SZ")
    return RecordKind(
        "payment",
        c.PAYMENT_OBSERVED,
        c.PAYMENT_OBSERVED_VERSION,
        c.UberEarnerPayment,
        lambda entry: f"{entry.earnerInfo.uuid}:{key}" if entry.earnerInfo.uuid else "",
    )


def wrapper(
    window: Window, asked_at: datetime, weeks: WeekRules, covers: str = c.PAYMENT_COVERS_ASKED
) -> Callable[[bytes], bytes]:
    """Wrap an earner entry with the period it sums and the pay week it was asked in (see
    ``UberPaymentRecord``: the week, not the instant, so an unchanged re-ask hashes the same)."""
    start, end = epoch_ms(window.start), epoch_ms(window.end)
    week = epoch_ms(pay_week(asked_at, weeks).start)

    def wrap(raw: bytes) -> bytes:
        record = c.UberPaymentRecord(start, end, msgspec.Raw(raw), covers, week)
        return msgspec.json.encode(record)

    return wrap


def probe_window(now: datetime) -> Window:
    """A window no payment can be in (the future): only a window-ignoring endpoint fills it."""
    return Window(now + PROBE_AHEAD, now + PROBE_AHEAD + PROBE_SPAN)


class PaymentsPoller:
    """Polls payments bucket by bucket from the cursor up to now, within the last 24 h."""

    def __init__(self, ctx: PollContext) -> None:
        self._ctx = ctx

    async def poll(self) -> PollResult:
        """Every Uber org of the tenant."""
        return await self._ctx.for_each_account("uber payments", self._poll_account)

    async def _poll_account(self, account: str) -> PollResult:
        now = self._ctx.now().replace(microsecond=0)
        total = await self._probe(account, now)
        if total.records:
            return total  # the endpoint ignores windows: its answer was the pay week
        start = self._start(now, await self._ctx.cursor(RESOURCE, account))
        step, settle = self._ctx.settings.payments_bucket, self._ctx.settings.payments_settle
        for bucket, window in buckets(start, now, step):
            settled = bucket + step <= now - settle
            cursor = {"next_start_ms": epoch_ms(bucket + step)} if settled else None
            total.add(await self._poll_bucket(account, bucket, window, cursor))
        return total

    async def _probe(self, account: str, now: datetime) -> PollResult:
        """Ask the future; what comes back is the pay week so far, stored as its snapshot."""
        weeks = self._ctx.settings.weeks
        week = pay_week(now, weeks)
        kind = payment_kind(week.start, "period:")
        wrap = wrapper(week, now, weeks, c.PAYMENT_COVERS_PAY_PERIOD)
        try:
            found = await self._poll_window(account, probe_window(now), kind, wrap, None, None)
        except ProviderRejected as exc:
            # A provider that refuses a window in the future honours windows (the refused
            # call is in the provider history through on_failure); the buckets follow.
            log.info("uber payments: probe refused (%s); the endpoint honours windows", exc)
            return PollResult()
        if found.records:
            # The answer summed the pay week so far: that is what the run covered. (An empty
            # probe covers nothing: the future minute it asked is no span of payments.)
            await self._claim(account, Covered(week.start, now))
        return found

    async def _claim(self, account: str, covered: Covered) -> None:
        async with self._ctx.pool.acquire() as conn:
            where = Where(self._ctx.org_id, PROVIDER, account, RESOURCE)
            await record_coverage(conn, where, covered)

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
        # The week of this very ask (not of the run's start): a run can cross Monday 04:00.
        wrap = wrapper(window, self._ctx.now(), self._ctx.settings.weeks)
        covered = Covered(window.start, window.end)
        return await self._poll_window(account, window, kind, wrap, cursor, covered)

    async def _poll_window(
        self,
        account: str,
        window: Window,
        kind: RecordKind,
        wrap: Callable[[bytes], bytes],
        cursor: dict[str, Any] | None,
        covered: Covered | None,
    ) -> PollResult:
        """Every page of ``window``, each entry stored as ``kind`` wrapped by ``wrap``; the
        last page's transaction claims ``covered``."""
        pages = self._ctx.client.payment_pages(account, window, on_failure=self._ctx.on_failure)
        return await store_pages(
            self._ctx,
            Target(account, kind, RESOURCE),
            pages,
            lambda page: decode_wrapped(page.earnerPaymentBreakdowns or [], kind, wrap),
            cursor,
            covered,
        )
