"""Uber pollers: one per resource, each appending what changed since its last observation."""

from __future__ import annotations

import logging
from uuid import UUID

import asyncpg
import msgspec

from contracts import uber as c
from ingest.pages import PollResult, RecordKind, decode_records, failure_recorder, store_page
from ingest.uber.client import PROVIDER, UberClient

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

_UPSERT_ACCOUNT = """
INSERT INTO provider_accounts (org_id, provider, account_id, name, parent_id)
VALUES ($1, 'uber', $2, $3, $4)
ON CONFLICT (org_id, provider, account_id) DO UPDATE
    SET name = excluded.name, parent_id = excluded.parent_id
"""


class UberPollers:
    """The Uber resources of one tenant."""

    def __init__(self, pool: asyncpg.Pool, client: UberClient, org_id: UUID) -> None:
        self._pool = pool
        self._client = client
        self._org_id = org_id
        self._on_failure = failure_recorder(pool, org_id)

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
        total = PollResult()
        for account in await self._accounts():
            async for page in self._client.driver_pages(account, on_failure=self._on_failure):
                decoded = decode_records(page.body.driverInformation or [], DRIVER)
                async with self._pool.acquire() as conn, conn.transaction():
                    total.add(
                        await store_page(
                            conn,
                            org_id=self._org_id,
                            account_id=account,
                            kind=DRIVER,
                            resource="drivers",
                            call=page.call,
                            decoded=decoded,
                        )
                    )
        log.info("uber drivers: %s", total)
        return total

    async def _accounts(self) -> list[str]:
        """The tenant's Uber orgs; on the first run they are discovered first."""
        accounts = await self._known_accounts()
        if not accounts:
            await self.organizations()
            accounts = await self._known_accounts()
        return accounts

    async def _known_accounts(self) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT account_id FROM provider_accounts WHERE org_id = $1 AND provider = $2 "
            "ORDER BY account_id",
            self._org_id,
            PROVIDER,
        )
        return [row["account_id"] for row in rows]


_ORG_DECODER = msgspec.json.Decoder(c.UberOrganization)


def _decode_org(record: bytes) -> c.UberOrganization:
    return _ORG_DECODER.decode(record)
