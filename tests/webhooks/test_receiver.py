"""POST /webhooks/uber: signed deliveries are kept with a poll's audit trail; others refused."""

from __future__ import annotations

import json
import logging
import uuid
from uuid import UUID

import asyncpg
import pytest

from tests.apihelp import ApiClient
from tests.webhooks.hooks import SECRET, SIGNATURE, signed, status_change, uber_account

URL = "/webhooks/uber"


async def _calls(owner_pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await owner_pool.fetch(
        "SELECT f.fetch_id, f.method, f.endpoint, f.status, r.body FROM provider_fetches f "
        "LEFT JOIN provider_responses r ON r.content_hash = f.response_hash "
        "WHERE f.org_id = $1 ORDER BY f.fetch_id",
        org_id,
    )


async def _events(owner_pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await owner_pool.fetch(
        "SELECT event_type, entity_id, account_id, fetch_id, record FROM event_log "
        "WHERE org_id = $1 ORDER BY position",
        org_id,
    )


async def test_a_signed_status_change_is_recorded_as_a_call_and_appended_as_an_event(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    body = status_change(account, "driver-1")

    response = await hooks_api.post(URL, content=body, headers=signed(body))

    assert response.status_code == 200, response.text
    assert response.json() == {"outcome": "accepted"}
    [call] = await _calls(owner_pool, org_id)
    assert (call["method"], call["endpoint"], call["status"]) == ("WEBHOOK", URL, 200)
    assert call["body"] == body
    [event] = await _events(owner_pool, org_id)
    assert event["event_type"] == "uber.driver_status.pushed"
    assert (event["entity_id"], event["account_id"]) == ("driver-1", account)
    assert event["fetch_id"] == call["fetch_id"]
    assert json.loads(event["record"]) == json.loads(body)


async def test_an_unsigned_delivery_is_refused_and_nothing_is_stored(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    body = status_change(account, "driver-1")

    response = await hooks_api.post(URL, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert await _calls(owner_pool, org_id) == []


async def test_a_delivery_signed_with_another_key_is_refused_and_nothing_is_stored(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    body = status_change(account, "driver-1")
    forged = signed(body, key="not-" + SECRET)

    response = await hooks_api.post(URL, content=body, headers=forged)

    assert response.status_code == 401
    assert SECRET not in response.text and forged[SIGNATURE] not in response.text
    assert await _calls(owner_pool, org_id) == [] == await _events(owner_pool, org_id)


async def test_a_signature_of_other_bytes_is_refused(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    body = status_change(account, "driver-1")
    tampered = body.replace(b"DRIVER_STATUS_ONLINE", b"DRIVER_STATUS_OFFLINE")

    response = await hooks_api.post(URL, content=tampered, headers=signed(body))

    assert response.status_code == 401


async def test_a_body_over_64_kib_is_refused_even_when_signed(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    body = status_change(account, "driver-1")[:-1] + b', "pad": "' + b"x" * 70_000 + b'"}'

    response = await hooks_api.post(URL, content=body, headers=signed(body))

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert await _calls(owner_pool, org_id) == []


async def test_a_chunked_body_over_64_kib_is_refused_while_reading(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b"x" * 1024

    response = await hooks_api.post(URL, content=chunks(), headers={SIGNATURE: "00"})

    assert response.status_code == 413


async def test_a_signed_body_of_the_wrong_shape_is_answered_400_and_kept_in_quarantine(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    body = json.dumps({"event_type": "REALTIME_STATUS_CHANGE", "meta": {"org_id": account}})
    raw = body.encode()

    response = await hooks_api.post(URL, content=raw, headers=signed(raw))

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    [call] = await _calls(owner_pool, org_id)
    assert (call["status"], call["body"]) == (400, raw)
    [kept] = await owner_pool.fetch(
        "SELECT resource, fetch_id, reason, raw FROM quarantine WHERE org_id = $1", org_id
    )
    assert (kept["fetch_id"], kept["raw"]) == (call["fetch_id"], raw)
    assert "event_id" in kept["reason"]
    assert await _events(owner_pool, org_id) == []


async def test_a_retried_delivery_is_recorded_again_and_appended_once(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    online = status_change(account, "driver-1", event_id=str(uuid.uuid4()))
    offline = status_change(account, "driver-1", "DRIVER_STATUS_OFFLINE")

    outcomes = []
    for body in (online, offline, online):  # Uber retries the first after the second
        response = await hooks_api.post(URL, content=body, headers=signed(body))
        outcomes.append((response.status_code, response.json()["outcome"]))

    assert outcomes == [(200, "accepted"), (200, "accepted"), (200, "duplicate")]
    assert len(await _calls(owner_pool, org_id)) == 3
    assert [e["record"] for e in await _events(owner_pool, org_id)] == [online, offline]


async def test_a_delivery_for_an_uber_org_no_tenant_owns_is_kept_aside_and_answered_200(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool
) -> None:
    stranger = f"uber-org-{uuid.uuid4().hex}=="
    body = status_change(stranger, "driver-1")

    response = await hooks_api.post(URL, content=body, headers=signed(body))

    assert response.status_code == 200
    assert response.json() == {"outcome": "unattributed"}
    [kept] = await owner_pool.fetch(
        "SELECT u.status, u.reason, r.body FROM webhook_unattributed u "
        "JOIN provider_responses r ON r.content_hash = u.response_hash WHERE u.account_id = $1",
        stranger,
    )
    assert (kept["status"], kept["body"]) == (200, body)
    assert (
        await owner_pool.fetchval("SELECT count(*) FROM event_log WHERE account_id = $1", stranger)
        == 0
    )


async def test_without_a_configured_key_every_delivery_is_refused(
    api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    body = status_change(account, "driver-1")

    response = await api.post(URL, content=body, headers=signed(body))

    assert response.status_code == 401
    assert await _calls(owner_pool, org_id) == []


async def test_a_signed_event_of_another_type_is_recorded_and_appends_nothing(
    hooks_api: ApiClient, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    account = await uber_account(owner_pool, org_id)
    change = json.loads(status_change(account, "driver-1"))
    body = json.dumps({**change, "event_type": "DRIVER_COMPLIANCE_STATUS_CHANGE"}).encode()

    response = await hooks_api.post(URL, content=body, headers=signed(body))

    assert response.json() == {"outcome": "ignored"}
    assert [c["status"] for c in await _calls(owner_pool, org_id)] == [200]
    assert await _events(owner_pool, org_id) == []


async def test_the_key_and_signatures_appear_in_no_answer_log_line_or_record(
    hooks_api: ApiClient,
    owner_pool: asyncpg.Pool,
    org_id: UUID,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    account = await uber_account(owner_pool, org_id)
    good = status_change(account, "driver-1")
    bad = json.dumps({"meta": {"org_id": account}}).encode()
    deliveries = [
        (good, signed(good)),
        (good, signed(good, key="wrong-" + SECRET)),
        (bad, signed(bad)),
        (good, {SIGNATURE: "not-hex"}),
    ]

    answers = [await hooks_api.post(URL, content=b, headers=h) for b, h in deliveries]

    signatures = [h[SIGNATURE] for _, h in deliveries]
    stored = await owner_pool.fetchval(
        "SELECT concat_ws(' ', (SELECT string_agg(f::text, ' ') FROM provider_fetches f "
        "WHERE org_id = $1), (SELECT string_agg(q.reason, ' ') FROM quarantine q "
        "WHERE org_id = $1))",
        org_id,
    )
    for text in [caplog.text, stored, *(a.text for a in answers)]:
        assert SECRET not in text
        assert not any(s in text for s in signatures)
