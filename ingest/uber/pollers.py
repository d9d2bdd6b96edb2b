"""Uber pollers: one per resource, each appending what changed since its last observation.

Full listings (orgs, drivers, vehicles, driver status) read every page each run; windowed
resources (daily metrics, payments, transactions) live in ``poll_*.py`` and keep a cursor.
:class:`UberPollers` is what the scheduler sees: one coroutine method per resource.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from contracts import uber as c
from ingest.coverage import LISTING, Where, record_coverage
from ingest.http import Fetched
from ingest.pages import PollResult, RecordKind, decode_records, failure_recorder, store_page
from ingest.uber.client import PROVIDER, UberClient
from ingest.uber.context import PollContext, Target, UberPollSettings, store_pages
from ingest.uber.poll_metrics import DailyMetricsPoller
from ingest.uber.poll_payments import PaymentsPoller
from ingest.uber.poll_reports import ReportsPoller
from ingest.uber.poll_transactions import TransactionsPoller
from ingest.uber.windows import Now, utc_now

log = logging.getLogger(__name__)

ORGANIZATION = RecordKind(
    "organization",
    c.ORGANIZATION_OBSERVED,
    c.ORGANIZATION_OBSERVED_VERSION,
    c.UberOrganization,
    lambda org: org.id,
)
DRIVER = RecordKind(
    "driver",
    c.DRIVER_OBSERVED,
    c.DRIVER_OBSERVED_VERSION,
    c.UberDriver,
    lambda driver: driver.driverId,
)
VEHICLE = RecordKind(
    "vehicle",
    c.VEHICLE_OBSERVED,
    c.VEHICLE_OBSERVED_VERSION,
    c.UberVehicle,
    lambda vehicle: vehicle.vehicleId,
)
DRIVER_STATUS = RecordKind(
    "driver_status",
    c.DRIVER_STATUS_OBSERVED,
    c.DRIVER_STATUS_OBSERVED_VERSION,
    c.UberDriverStatus,
    lambda overview: overview.driverInfo.driverUuid,
)

_UPSERT_ACCOUNT = """
INSERT INTO provider_accounts (org_id, provider, account_id, name, parent_id)
VALUES ($1, 'uber', $2, $3, $4)
ON CONFLICT (org_id, provider, account_id) DO UPDATE
    SET name = excluded.name, parent_id = excluded.parent_id
"""


class UberPollers:
    """The Uber resources of one tenant.

    ``now`` is the clock seam of the windowed polls (tests pass the simulator's fixed clock);
    ``settings`` their windows.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        client: UberClient,
        org_id: UUID,
        *,
        now: Now = utc_now,
        settings: UberPollSettings | None = None,
    ) -> None:
        self._pool = pool
        self._client = client
        self._org_id = org_id
        self._on_failure = failure_recorder(pool, org_id)
        self._ctx = PollContext(
            pool, client, org_id, self._on_failure, self._accounts, now,
            settings or UberPollSettings(),
        )  # fmt: skip
        self._metrics = DailyMetricsPoller(self._ctx)
        self._payments = PaymentsPoller(self._ctx)
        self._transactions = TransactionsPoller(self._ctx)
        self._reports = ReportsPoller(self._ctx)

    async def organizations(self) -> PollResult:
        """Discover the Uber orgs our credentials reach; each becomes a provider account."""
        page = await self._client.organizations(on_failure=self._on_failure)
        decoded = decode_records(page.body.organizations or [], ORGANIZATION)
        async with self._pool.acquire() as conn, conn.transaction():
            for obs in decoded.observations:
                org = _decode_org(obs.record)
                await conn.execute(
                    _UPSERT_ACCOUNT, self._org_id, org.id, org.name, org.parent_org_id
                )
            where = Where(self._org_id, PROVIDER, "", "organizations")
            await record_coverage(conn, where, LISTING)
            result = await store_page(
                conn,
                org_id=self._org_id,
                account_id="",
                kind=ORGANIZATION,
                resource="organizations",
                call=page.call,
                decoded=decoded,
            )
        log.info("uber organizations: %s", result)
        return result

    async def drivers(self) -> PollResult:
        """Every driver of every Uber org of the tenant."""
        return await self._listing(
            "drivers",
            DRIVER,
            lambda account: self._client.driver_pages(account, on_failure=self._on_failure),
            lambda page: page.driverInformation or [],
        )

    async def vehicles(self) -> PollResult:
        """Every vehicle (v2 listing) of every Uber org of the tenant."""
        return await self._listing(
            "vehicles",
            VEHICLE,
            lambda account: self._client.vehicle_pages(account, on_failure=self._on_failure),
            lambda page: page.vehicleInformation or [],
        )

    async def driver_status(self) -> PollResult:
        """The realtime status of every driver; a status that did not change appends nothing."""
        return await self._listing(
            "driver_status",
            DRIVER_STATUS,
            lambda account: self._client.driver_status_pages(account, on_failure=self._on_failure),
            lambda page: page.driverStatusOverviews or [],
        )

    async def daily_metrics(self) -> PollResult:
        """Per-driver daily metrics of the last N Paris days (see ``poll_metrics``)."""
        return await self._metrics.poll()

    async def payments(self) -> PollResult:
        """Driver payments from the cursor up to now (see ``poll_payments``)."""
        return await self._payments.poll()

    async def transactions(self) -> PollResult:
        """Transactions from the cursor up to now (see ``poll_transactions``)."""
        return await self._transactions.poll()

    async def reports(self) -> PollResult:
        """Yesterday's PAYMENTS_ORDER report, generated and downloaded (see ``poll_reports``)."""
        return await self._reports.poll()

    async def _listing(
        self,
        resource: str,
        kind: RecordKind,
        pages: Callable[[str], AsyncIterator[Fetched[Any]]],
        records: Callable[[Any], Sequence[msgspec.Raw]],
    ) -> PollResult:
        """Every page of a full listing, for every Uber org of the tenant."""
        total = PollResult()
        for account in await self._accounts():
            total.add(
                await store_pages(
                    self._ctx,
                    Target(account, kind, resource),
                    pages(account),
                    lambda page: decode_records(records(page), kind),
                    covered=LISTING,
                )
            )
        log.info("uber %s: %s", resource, total)
        return total

    async def _accounts(self) -> list[str]:
        """The tenant's Uber orgs (only UBER_DEFAULT_ORG_ID's when it is set); on the first
        run they are discovered first."""
        accounts = await self._known_accounts()
        only = self._ctx.settings.only_org
        if not accounts or (only and only not in accounts):
            await self.organizations()
            accounts = await self._known_accounts()
        if only is None:
            return accounts
        if only not in accounts:
            raise UberOrgNotReached(only, accounts)
        return [only]

    async def _known_accounts(self) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT account_id FROM provider_accounts WHERE org_id = $1 AND provider = $2 "
            "ORDER BY account_id",
            self._org_id,
            PROVIDER,
        )
        return [row["account_id"] for row in rows]


class UberOrgNotReached(Exception):
    """UBER_DEFAULT_ORG_ID names an org the credentials do not reach: nothing is polled."""

    def __init__(self, org: str, reached: Sequence[str]) -> None:
        super().__init__(
            f"UBER_DEFAULT_ORG_ID {org} is not among the Uber orgs these credentials reach "
            f"({', '.join(reached) or 'none'})"
        )


_ORG_DECODER = msgspec.json.Decoder(c.UberOrganization)


def _decode_org(record: bytes) -> c.UberOrganization:
    return _ORG_DECODER.decode(record)
