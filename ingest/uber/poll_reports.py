"""The daily PAYMENTS_ORDER reports (Europe/Paris days), generated, awaited, downloaded.

Each run fetches yesterday's report, and before it every day an outage left owed, oldest
first, within ``UBER_REPORTS_CATCH_UP_DAYS`` (``report_days`` says which days).

Flow per Uber org (docs/PROVIDERS.md §1.8): generate (U10) → poll U12 with backoff until
COMPLETED or FAILED → signed link (U13) → download. Every call goes to the provider history
(failed attempts included, through ``on_failure``); the download call's recorded body *is*
the CSV (or zip), so auditors read the file there. One ``uber.report.observed`` event per
finished report: the U12 report object as sent, plus the file's SHA-256 and row count; its
``fetch_id`` is the download call (the last U12 call for a FAILED report). A PAYMENTS_ORDER
file's rows become ``uber.payment_order_row.observed`` events too, in the same transaction
(``report_rows``): they fill the transactions older than U7's 24 hours (docs/MONEY.md), and
the span the report covers is claimed for the account's payments and transactions in that
transaction too (``report_coverage``), which closes a gap an outage left.

The cursor (``poll_cursors``, resource ``reports``) makes a run safe to repeat or interrupt:

* ``pending`` = ``{"day", "report_id"}`` is saved with the generate call, in its
  transaction. A run finding it polls that report again instead of generating another: Uber
  allows only 6 in progress per org, and a crash must not spend them.
* ``done_days`` gains the day with the event, in its transaction: a day's report is fetched
  once. A FAILED report clears ``pending`` without marking the day done, so a later run asks
  again. Were a day's report fetched twice all the same, nothing would count twice: its rows
  are identified by their Transaction UUID and appended only when new or changed.

One report of ours is in progress at a time, per org: the next day's is generated only
once the previous one is stored, so a catch-up never takes more than one of the 6 reports
Uber lets an org have in progress (other tools of the fleet may hold the rest); each report
asks one signed link, far under the 600 per 10 minutes.

A report still in progress after ``reports_poll_max`` stays pending for the next run, which
resumes it before the days after it (the scheduler retries failed runs within minutes). A
link that expires before the download (403 "Access Denied") is asked again,
``reports_link_attempts`` times at most.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import msgspec

from contracts import uber as c
from contracts.uber_report_rows import PAYMENTS_ORDER
from eventlog.coverage import oldest_money_gaps
from eventlog.fetches import ProviderCall, record_call
from eventlog.store import Observation, canonical_hash
from ingest.coverage import Covered, Where, record_coverage
from ingest.cursors import save_cursor
from ingest.errors import ProviderAuthError
from ingest.http import Fetched
from ingest.pages import Decoded, PollResult, RecordKind, store_page
from ingest.uber.client import PROVIDER
from ingest.uber.context import PollContext
from ingest.uber.report_coverage import report_claims
from ingest.uber.report_days import done_days, owed_days, window_start, with_done
from ingest.uber.report_rows import csv_tables, decode_rows
from ingest.uber.reports_client import Meta
from ingest.uber.windows import paris_day, paris_today

log = logging.getLogger(__name__)

RESOURCE = "reports"
REPORT = RecordKind(
    "report", c.REPORT_OBSERVED, c.REPORT_OBSERVED_VERSION, c.UberReportRecord, lambda r: ""
)
ZIP_MAGIC = b"PK\x03\x04"
_META = msgspec.json.Decoder(c.UberReportMeta)


def count_rows(content: bytes) -> int:
    """Data rows of a CSV, or of every CSV of a zip (one header line each)."""
    return sum(max(len(table) - 1, 0) for table in csv_tables(content))


def report_observation(meta_raw: bytes, content: bytes | None) -> Observation:
    """The ``uber.report.observed`` observation of a finished report."""
    record = msgspec.json.encode(
        c.UberReportRecord(
            report=msgspec.Raw(meta_raw),
            csv_sha256=hashlib.sha256(content).hexdigest() if content is not None else None,
            row_count=count_rows(content) if content is not None else None,
        )
    )
    report_id = _META.decode(meta_raw).id
    return Observation(
        report_id, REPORT.event_type, REPORT.schema_version, record, canonical_hash(record)
    )


class ReportsPoller:
    """One report per Uber org and Paris day, behind the ``reports`` cursor."""

    def __init__(self, ctx: PollContext) -> None:
        self._ctx = ctx
        self._reports = ctx.client.reports

    async def poll(self) -> PollResult:
        """The reports each Uber org of the tenant owes, up to yesterday's (``report_days``)."""
        return await self._ctx.for_each_account("uber reports", self._poll_account)

    async def _poll_account(self, account: str) -> PollResult:
        """Each owed day in turn, oldest first; a report still in progress stops the run
        (it stays pending: one of ours in progress at a time, of the six Uber allows)."""
        cursor = await self._ctx.cursor(RESOURCE, account) or {}
        result = PollResult()
        for day in await self._owed(account, cursor):
            after = await self._poll_day(account, day, cursor, result)
            if after is None:
                break
            cursor = after
        return result

    async def _owed(self, account: str, cursor: dict[str, Any]) -> list[date]:
        """The days whose report this run fetches, oldest first."""
        first, yesterday = self._window()
        start, end = paris_day(first).window.start, paris_day(yesterday).window.end
        gap = (await oldest_money_gaps(self._ctx.pool, self._ctx.org_id, start, end)).get(account)
        oldest_gap = None if gap is None else paris_today(gap)
        days = self._ctx.settings.reports_catch_up_days
        return owed_days(yesterday, done_days(cursor), oldest_gap, days)

    def _window(self) -> tuple[date, date]:
        """The oldest day a run may still fetch, and yesterday (Paris days)."""
        yesterday = paris_today(self._ctx.now()) - timedelta(days=1)
        return window_start(yesterday, self._ctx.settings.reports_catch_up_days), yesterday

    async def _poll_day(
        self, account: str, day: date, cursor: dict[str, Any], result: PollResult
    ) -> dict[str, Any] | None:
        """One day's report; the cursor after it (None: still in progress, left pending)."""
        pending = cursor.get("pending") or {}
        if pending.get("day") == day.isoformat():
            report_id = str(pending["report_id"])
        else:
            if pending:
                log.warning("uber reports: %s report %s abandoned", account, pending)
            report_id, cursor = await self._generate(account, day, cursor, result)
        finished = await self._await(account, report_id, result)
        if finished is None:
            return None
        return await self._finish(account, day, cursor, finished, result)

    async def _generate(
        self, account: str, day: date, cursor: dict[str, Any], result: PollResult
    ) -> tuple[str, dict[str, Any]]:
        """Start the day's report; its id and the cursor saved with the call."""
        report_type = self._ctx.settings.reports_type
        window = paris_day(day).window
        fetched = await self._reports.generate(account, report_type, window, self._ctx.on_failure)
        report_id = fetched.body[1].id
        cursor = {**cursor, "pending": {"day": day.isoformat(), "report_id": report_id}}
        await self._record(fetched.call, result, account, cursor)
        return report_id, cursor

    async def _await(
        self, account: str, report_id: str, result: PollResult
    ) -> Fetched[Meta] | None:
        """Poll U12 with backoff until the report is finished (None: still in progress)."""
        settings = self._ctx.settings
        delay, waited = settings.reports_poll_first, timedelta(0)
        while True:
            fetched = await self._reports.get(account, report_id, self._ctx.on_failure)
            if fetched.body[1].finished:
                return fetched
            await self._record(fetched.call, result)
            if waited >= settings.reports_poll_max:
                log.warning("uber reports: %s still in progress; next run", report_id)
                return None
            await asyncio.sleep(delay.total_seconds())
            waited += delay
            delay = min(delay * 2, settings.reports_poll_cap)

    async def _finish(
        self,
        account: str,
        day: date,
        cursor: dict[str, Any],
        finished: Fetched[Meta],
        result: PollResult,
    ) -> dict[str, Any]:
        """Store a finished report (and its rows); the cursor saved with it."""
        answer, meta = finished.body
        if meta.status != c.REPORT_COMPLETED:
            log.warning("uber reports: %s ended %s (%s)", meta.id, meta.status, meta.failedReason)
            obs = report_observation(bytes(answer.report), None)
            rest = {k: v for k, v in cursor.items() if k != "pending"}
            await self._store(account, finished.call, obs, rest, result)
            return rest
        await self._record(finished.call, result)
        download = await self._download(account, meta.id, result)
        obs = report_observation(bytes(answer.report), download.body)
        done = with_done(cursor, day, oldest=self._window()[0])
        rows = Decoded()
        if meta.reportType == PAYMENTS_ORDER:
            rows = decode_rows(meta.id, download.body)
        claims = report_claims(paris_day(day).window, meta, rows)
        await self._store(account, download.call, obs, done, result, rows, claims)
        return done

    async def _download(self, account: str, report_id: str, result: PollResult) -> Fetched[bytes]:
        """A fresh link, then the file; a link that expired first is asked again."""
        attempts = self._ctx.settings.reports_link_attempts
        for attempt in range(1, attempts + 1):
            link_call, url = await self._reports.link(account, report_id, self._ctx.on_failure)
            await self._record(link_call, result)
            try:
                return await self._reports.download(url, self._ctx.on_failure)
            except ProviderAuthError:
                if attempt == attempts:
                    raise
                log.warning("uber reports: link of %s refused; asking a new one", report_id)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _record(
        self,
        call: ProviderCall,
        result: PollResult,
        account: str | None = None,
        cursor: dict[str, Any] | None = None,
    ) -> None:
        """One call in the history (with the cursor, when given, in the same transaction)."""
        async with self._ctx.pool.acquire() as conn, conn.transaction():
            if account is not None and cursor is not None:
                await save_cursor(conn, self._ctx.org_id, PROVIDER, RESOURCE, account, cursor)
            await record_call(conn, self._ctx.org_id, call)
        result.calls += 1

    async def _store(
        self,
        account: str,
        call: ProviderCall,
        obs: Observation,
        cursor: dict[str, Any],
        result: PollResult,
        rows: Decoded | None = None,
        claims: Sequence[tuple[str, Covered]] = (),
    ) -> None:
        """The call, the events (the report's, its rows'), the cursor and the span the rows
        fill (``report_coverage``), in one transaction."""
        rows = rows or Decoded()
        async with self._ctx.pool.acquire() as conn, conn.transaction():
            await save_cursor(conn, self._ctx.org_id, PROVIDER, RESOURCE, account, cursor)
            for resource, span in claims:
                where = Where(self._ctx.org_id, PROVIDER, account, resource)
                await record_coverage(conn, where, span)
            result.add(
                await store_page(
                    conn,
                    org_id=self._ctx.org_id,
                    account_id=account,
                    kind=REPORT,
                    resource=RESOURCE,
                    call=call,
                    decoded=Decoded([obs, *rows.observations], rows.rejects),
                )
            )
