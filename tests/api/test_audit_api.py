"""GET /audit/*: the raw history of the caller's org, byte for byte, and nothing of others."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import httpx

from tests.api.seed import BODY_TYPE, HOUR, odd_record, other_org, seed_page, seed_quarantine
from tests.apihelp import login


async def test_event_detail_returns_the_record_bytes_exactly_and_the_call_behind_them(
    api: httpx.AsyncClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    fetch_id, [position], body = await seed_page(writer_pool, org_id, ["d-exact"])
    headers = await login(api, await make_user(org_id, "auditor"))

    event = (await api.get(f"/audit/events/{position}", headers=headers)).json()
    stored = await api.get(f"/audit/fetches/{fetch_id}/body", headers=headers)

    record = odd_record("d-exact")
    assert event["record"].encode() == record
    assert event["record_sha256"] == hashlib.sha256(record).hexdigest()
    assert event["entity_id"] == "d-exact" and event["fetch_id"] == fetch_id
    fetch = event["fetch"]
    assert fetch["endpoint"] == "/v1/vehicle-suppliers/drivers"
    assert fetch["params"] == {"org_id": "acct", "page_size": 50}
    assert (fetch["status"], fetch["duration_ms"]) == (200, 42)
    assert fetch["response_sha256"] == hashlib.sha256(body).hexdigest()
    assert stored.content == body
    assert stored.headers["content-type"] == BODY_TYPE


async def test_events_filter_and_walk_every_page_once_in_log_order(
    api: httpx.AsyncClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    _, positions, _ = await seed_page(writer_pool, org_id, [f"d{i}" for i in range(7)])
    headers = await login(api, await make_user(org_id, "admin"))
    seen, cursor = [], None
    while True:
        params = {"limit": 3, "provider": "uber"} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/audit/events", params=params, headers=headers)).json()
        seen += [e["position"] for e in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    one = await api.get("/audit/events", params={"entity_id": "d3"}, headers=headers)
    assert seen == positions
    assert [e["entity_id"] for e in one.json()["items"]] == ["d3"]


async def test_time_window_filters_recorded_at_and_from_after_to_is_400(
    api: httpx.AsyncClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_page(writer_pool, org_id, ["d-time"])
    headers = await login(api, await make_user(org_id, "auditor"))
    now = datetime.now(UTC)
    around = {"from": (now - HOUR).isoformat(), "to": (now + HOUR).isoformat()}
    later = {"from": (now + HOUR).isoformat()}
    backwards = {"from": (now + HOUR).isoformat(), "to": (now - HOUR).isoformat()}

    inside = await api.get("/audit/events", params=around, headers=headers)
    after = await api.get("/audit/events", params=later, headers=headers)
    bad = await api.get("/audit/events", params=backwards, headers=headers)
    assert len(inside.json()["items"]) == 1
    assert after.json()["items"] == []
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"


async def test_bad_parameters_are_problems_naming_the_field(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id, "auditor"))
    cases = [
        ("/audit/events", {"cursor": "not-a-cursor"}, 400, None),
        ("/audit/events", {"limit": 501}, 422, "query.limit"),
        ("/audit/events", {"from": "yesterday"}, 422, "query.from"),
        ("/audit/events", {"from": "2024-01-01T00:00:00"}, 422, "query.from"),  # no offset
        ("/audit/fetches", {"status": 42}, 422, "query.status"),
        ("/audit/quarantine", {"format": "xml"}, 422, "query.format"),
        ("/audit/events/0", {}, 422, "path.position"),
        ("/audit/events/999999999999", {}, 404, None),
        ("/audit/fetches/999999999999/body", {}, 404, None),
    ]
    for path, params, status, field in cases:
        response = await api.get(path, params=params, headers=headers)
        assert response.status_code == status, (path, params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        if field:
            assert field in [e["field"] for e in response.json()["errors"]]


async def test_another_orgs_history_is_invisible(
    api: httpx.AsyncClient,
    make_user,
    writer_pool: asyncpg.Pool,
    owner_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:
    theirs = await other_org(owner_pool, org_id)
    fetch_id, [position], _ = await seed_page(writer_pool, theirs, ["d-theirs"])
    await seed_quarantine(writer_pool, theirs, b"{bad", "their reason")
    headers = await login(api, await make_user(org_id, "admin"))

    for path in (f"/audit/events/{position}", f"/audit/fetches/{fetch_id}/body"):
        assert (await api.get(path, headers=headers)).status_code == 404, path
    for path in ("/audit/events", "/audit/fetches", "/audit/quarantine"):
        assert (await api.get(path, headers=headers)).json()["items"] == [], path


async def test_fetches_filter_by_status_and_quarantine_lists_reasons_and_bytes(
    api: httpx.AsyncClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_page(writer_pool, org_id, ["d-ok"])
    await seed_page(writer_pool, org_id, [], status=503)
    await seed_quarantine(writer_pool, org_id, b'{"driverId": 7}', "driverId: expected str")
    headers = await login(api, await make_user(org_id, "auditor"))

    failed = (await api.get("/audit/fetches", params={"status": 503}, headers=headers)).json()
    every = (await api.get("/audit/fetches", headers=headers)).json()
    quarantined = (await api.get("/audit/quarantine", headers=headers)).json()["items"]
    assert [f["status"] for f in failed["items"]] == [503]
    assert [f["status"] for f in every["items"]] == [200, 503]
    assert [(q["reason"], q["raw"]) for q in quarantined] == [
        ("driverId: expected str", '{"driverId": 7}')
    ]


async def test_csv_export_streams_every_matching_row_ignoring_the_page_size(
    api: httpx.AsyncClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    _, positions, _ = await seed_page(writer_pool, org_id, [f"c{i}" for i in range(7)])
    headers = await login(api, await make_user(org_id, "auditor"))

    by_param = await api.get("/audit/events", params={"format": "csv", "limit": 2}, headers=headers)
    by_accept = await api.get("/audit/events", headers=headers | {"Accept": "text/csv"})

    assert by_param.headers["content-type"].startswith("text/csv")
    assert "attachment" in by_param.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(by_param.text)))
    assert [int(r["position"]) for r in rows] == positions
    assert rows[0]["entity_id"] == "c0" and rows[0]["provider"] == "uber"
    assert by_accept.text == by_param.text


async def test_every_list_exports_csv(
    api: httpx.AsyncClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_page(writer_pool, org_id, ["d-csv"])
    await seed_quarantine(writer_pool, org_id, b"{", "truncated")
    headers = await login(api, await make_user(org_id, "admin"))
    for path, column in (
        ("/fleet/drivers", "driver_id"),
        ("/audit/events", "position"),
        ("/audit/fetches", "endpoint"),
        ("/audit/quarantine", "reason"),
        ("/admin/projections", "lag_events"),
    ):
        response = await api.get(path, params={"format": "csv"}, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/csv"), path
        assert column in next(csv.reader(io.StringIO(response.text))), path
