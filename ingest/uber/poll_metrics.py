"""Daily driver metrics from analytics-data/query: one event per driver per Paris day.

Why the last N days every run: Uber's driver metrics settle over 1–2 hours and trips are
booked at payment, so the figures of today and the recent past keep changing; re-polling them
is cheap, and an unchanged row appends nothing (its hash is the same).

Why a cursor too: after downtime longer than N days, the run first catches up from the last
day it polled (the cursor ``{"through": "YYYY-MM-DD"}``), at most ``metrics_max_catchup_days``
back. A fleet's first run (no cursor) reads ``metrics_backfill_days`` of history, as Bolt's
first run reads a month of orders, so both platforms start with the same past. Each call
asks one time range per Paris day, and a call spans at most 8 days.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import msgspec

from contracts import uber as c
from ingest.coverage import Covered
from ingest.errors import ProviderBadResponse
from ingest.pages import Decoded, PollResult, RecordKind
from ingest.uber.client import PROVIDER
from ingest.uber.context import PollContext, Target, decode_wrapped, store_pages
from ingest.uber.windows import Day, chunk_days, paris_days, paris_today

log = logging.getLogger(__name__)

RESOURCE = "daily_metrics"


def metrics_kind(day: date) -> RecordKind:
    """How a row of ``day`` becomes an observation (entity ``<driverId>:<YYYY-MM-DD>``)."""
    return RecordKind(
        "daily_metrics",
        c.DAILY_METRICS_OBSERVED,
        c.DAILY_METRICS_OBSERVED_VERSION,
        c.UberAnalyticsRow,
        lambda row: f"{row.dimensionId}:{day.isoformat()}" if row.dimensionId else "",
    )


def decode_report(page: c.UberAnalyticsPage, days: list[Day]) -> Decoded:
    """Rows of each asked range, wrapped with their day and the metric names (positional)."""
    report = page.report()
    ranges = report.data.timeRangeData
    if len(ranges) != len(days):
        raise ProviderBadResponse(
            PROVIDER, f"analytics answered {len(ranges)} time ranges for {len(days)} asked"
        )
    names = report.metric_names()
    out = Decoded()
    for day, data in zip(days, ranges, strict=True):
        label = day.day.isoformat()

        def wrap(raw: bytes, label: str = label) -> bytes:
            return msgspec.json.encode(c.UberDailyMetricsRecord(label, names, msgspec.Raw(raw)))

        part = decode_wrapped(data.rows or [], metrics_kind(day.day), wrap)
        out.observations.extend(part.observations)
        out.rejects.extend(part.rejects)
    return out


class DailyMetricsPoller:
    """Polls the last ``metrics_days`` Paris days, plus a catch-up after downtime."""

    def __init__(self, ctx: PollContext) -> None:
        self._ctx = ctx

    async def poll(self) -> PollResult:
        """Every Uber org of the tenant."""
        return await self._ctx.for_each_account("uber daily metrics", self._poll_account)

    async def _poll_account(self, account: str) -> PollResult:
        today = paris_today(self._ctx.now())
        first = self._first_day(today, await self._ctx.cursor(RESOURCE, account))
        total = PollResult()
        for chunk in chunk_days(paris_days(first, today)):
            total.add(await self._poll_chunk(account, chunk))
        return total

    def _first_day(self, today: date, cursor: dict[str, object] | None) -> date:
        """The oldest day to ask: the last N days, the cursor's day if it is older, or the
        backfill on a first run."""
        settings = self._ctx.settings
        recent = today - timedelta(days=settings.metrics_days - 1)
        if cursor is None:
            return min(recent, today - timedelta(days=settings.metrics_backfill_days - 1))
        through = date.fromisoformat(str(cursor["through"]))
        oldest = today - timedelta(days=settings.metrics_max_catchup_days)
        if through < oldest:
            log.warning(
                "uber daily metrics: last polled %s, catching up from %s only", through, oldest
            )
            through = oldest
        return min(recent, through)

    async def _poll_chunk(self, account: str, days: list[Day]) -> PollResult:
        pages = self._ctx.client.analytics_pages(
            account, [d.window for d in days], on_failure=self._ctx.on_failure
        )
        target = Target(account, metrics_kind(days[0].day), RESOURCE)
        cursor = {"through": days[-1].day.isoformat()}
        # Today is asked whole but has happened only up to now: claim no further.
        end = min(days[-1].window.end, self._ctx.now())
        return await store_pages(
            self._ctx,
            target,
            pages,
            lambda page: decode_report(page, days),
            cursor,
            Covered(days[0].window.start, end),
        )
