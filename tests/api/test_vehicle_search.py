"""The vehicle lists' search (``q``), which the dashboard's Véhicules page sends: a plate,
make or model fragment, in pages and in the CSV export alike."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from tests.apihelp import ApiClient, login

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


async def _seed(owner: asyncpg.Pool, org_id: UUID) -> None:
    for vehicle_id, plate, make, model in (
        ("uv1", "AB-123-CD", "Toyota", "Corolla"),
        ("uv2", "AB-777-XY", "Toyota", "Prius"),
        ("uv3", "ZZ-100-ZZ", "Skoda", "Octavia 50%"),
    ):
        await owner.execute(
            "INSERT INTO uber_vehicles (org_id, vehicle_id, account_id, plate, make, model, "
            "year, updated_at, last_position) VALUES ($1, $2, 'acct', $3, $4, $5, 2022, $6, 1)",
            *(org_id, vehicle_id, plate, make, model, NOW),
        )
    await owner.execute(
        "INSERT INTO bolt_vehicles (org_id, vehicle_uuid, company_id, plate, model, state, "
        "first_seen_at, updated_at, last_position) VALUES ($1, 'bv1', 70001, 'EF-456-GH', "
        "'Model 3', 'active', $2, $2, 1)",
        org_id,
        NOW,
    )


async def _plates(api: ApiClient, path: str, headers: dict[str, str], **params: str) -> list[str]:
    items = (await api.get(path, params=params, headers=headers)).json()["items"]
    return [v["plate"] for v in items]


async def test_q_finds_vehicles_by_plate_make_or_model_on_both_providers(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _seed(owner_pool, org_id)
    headers = await login(api, await make_user(org_id))

    assert await _plates(api, "/fleet/vehicles", headers, q="ab-1") == ["AB-123-CD"]
    assert await _plates(api, "/fleet/vehicles", headers, q="toyo") == ["AB-123-CD", "AB-777-XY"]
    assert await _plates(api, "/fleet/vehicles", headers, q="prius") == ["AB-777-XY"]
    assert await _plates(api, "/fleet/vehicles", headers, q="50%") == ["ZZ-100-ZZ"]
    assert await _plates(api, "/fleet/vehicles", headers, q="0%") == ["ZZ-100-ZZ"]
    assert await _plates(api, "/bolt/vehicles", headers, q="model 3") == ["EF-456-GH"]
    assert await _plates(api, "/bolt/vehicles", headers, q="toyota") == []


async def test_a_search_pages_and_exports_only_what_it_finds(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _seed(owner_pool, org_id)
    headers = await login(api, await make_user(org_id))

    first = (
        await api.get("/fleet/vehicles", params={"q": "toyota", "limit": 1}, headers=headers)
    ).json()
    second = await _plates(
        api, "/fleet/vehicles", headers, q="toyota", limit="1", cursor=first["next_cursor"]
    )
    exported = await api.get(
        "/fleet/vehicles", params={"q": "toyota", "format": "csv"}, headers=headers
    )

    assert [v["plate"] for v in first["items"]] == ["AB-123-CD"]
    assert second == ["AB-777-XY"]
    assert [r["plate"] for r in csv.DictReader(io.StringIO(exported.text))] == [
        "AB-123-CD",
        "AB-777-XY",
    ]
