"""Uber payments behind the cursor: what the provider reports against what the log holds."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import asyncpg
import msgspec

from contracts.uber import UberEarnerPayment, UberPaymentRecord
from core.config import UBER_DEFAULT_SCOPES, UberSettings
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.windows import Window, epoch_ms, from_ms

HOUR = timedelta(hours=1)


def _total(payment: UberEarnerPayment) -> int:
    return sum(c.amount.e5() for c in payment.paymentBreakdowns or [] if c.amount is not None)


async def provider_payments(
    settings: UberSettings, account: str, start: datetime, end: datetime
) -> dict[str, int]:
    """What Uber reports per (driver, hourly bucket) in [start, end): entity id → amount E5."""
    http = uber_http(dataclasses.replace(settings, scopes=UBER_DEFAULT_SCOPES))
    client = UberClient(ProviderHttp("uber", http), settings.api_base)
    found: dict[str, int] = {}
    try:
        bucket = start
        while bucket < end:
            key = bucket.strftime("%Y-%m-%dT%H:%M:%SZ")
            async for page in client.payment_pages(account, Window(bucket, bucket + HOUR)):
                for entry in page.body.earnerPaymentBreakdowns or []:
                    payment = msgspec.json.decode(entry, type=UberEarnerPayment)
                    found[f"{payment.earnerInfo.uuid}:{key}"] = _total(payment)
            bucket += HOUR
    finally:
        await http.aclose()
    return found


async def logged_payments(conn: asyncpg.Connection, org_id: object) -> dict[str, int]:
    """The latest logged record of every payment entity: entity id → amount E5."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (entity_id) entity_id, record FROM event_log "
        "WHERE org_id = $1 AND event_type = 'uber.payment.observed' "
        "ORDER BY entity_id, position DESC",
        org_id,
    )
    found = {}
    for row in rows:
        record = msgspec.json.decode(row["record"], type=UberPaymentRecord)
        found[row["entity_id"]] = _total(
            msgspec.json.decode(record.payment, type=UberEarnerPayment)
        )
    return found


async def payments_cursor(conn: asyncpg.Connection, org_id: object) -> tuple[str, datetime]:
    """(Uber org, start of the first unsettled bucket) of the tenant's payments cursor."""
    row = await conn.fetchrow(
        "SELECT account_id, cursor::text AS cursor FROM poll_cursors "
        "WHERE org_id = $1 AND provider = 'uber' AND resource = 'payments'",
        org_id,
    )
    assert row is not None, "no payments cursor saved"
    return row["account_id"], from_ms(msgspec.json.decode(row["cursor"])["next_start_ms"])


def missing_or_different(provider: dict[str, int], logged: dict[str, int]) -> list[str]:
    """Provider entries the log lacks, or holds with another amount."""
    return sorted(k for k, v in provider.items() if v and logged.get(k) != v)


def bucket_floor(at: datetime) -> datetime:
    return from_ms(epoch_ms(at) // 3_600_000 * 3_600_000)
