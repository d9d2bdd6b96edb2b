"""An imported history shows in the auditors' pages like any provider's."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg

from ingest.legacy.importer import import_legacy
from tests.apihelp import ApiClient, User, login


async def test_the_auditor_sees_the_legacy_events_calls_and_refusals_with_their_bytes(
    alembic_source: str, api: ApiClient, make_user: Callable[..., Awaitable[User]],
    writer_pool: asyncpg.Pool, org_id: UUID,
) -> None:  # fmt: skip
    await import_legacy(alembic_source, writer_pool, org_id)
    headers = await login(api, await make_user(org_id, "auditor"))

    events = (await api.get("/audit/events?provider=legacy&limit=100", headers=headers)).json()
    calls = (await api.get("/audit/fetches?provider=legacy&limit=100", headers=headers)).json()
    refused = (await api.get("/audit/quarantine?provider=legacy", headers=headers)).json()

    assert len(events["items"]) == 13  # the 14 rows less the connection-test one
    payment = next(e for e in events["items"] if e["entity_id"] == "p-1")
    detail = (await api.get(f"/audit/events/{payment['position']}", headers=headers)).json()
    assert detail["event_type"] == "legacy.driver_payments.observed"
    assert detail["record_sha256"] == hashlib.sha256(detail["record"].encode()).hexdigest()
    assert detail["fetch"]["endpoint"] == "driver_payments"
    body = await api.get(f"/audit/fetches/{detail['fetch_id']}/body", headers=headers)
    assert detail["record"].encode() in body.content
    assert {c["endpoint"] for c in calls["items"]} >= {"uber_drivers", "bolt_drivers"}
    assert [q["resource"] for q in refused["items"]] == ["bolt_drivers"]
