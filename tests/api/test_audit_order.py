"""GET /audit/* with ``order``: newest first on request, the same rows either way."""

from __future__ import annotations

import csv
import io
from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.api.seed import seed_page, seed_quarantine
from tests.apihelp import login

# Each list and the id that orders it.
LISTS = [
    ("/audit/events", "position"),
    ("/audit/fetches", "fetch_id"),
    ("/audit/quarantine", "quarantine_id"),
]


@pytest.fixture
async def auditor(
    api: httpx.AsyncClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> dict[str, str]:
    """An auditor's headers, in an org with seven events over seven calls, seven quarantined."""
    for i in range(7):
        await seed_page(writer_pool, org_id, [f"o{i}"])
        await seed_quarantine(writer_pool, org_id, b"{", f"reason {i}")
    return await login(api, await make_user(org_id, "auditor"))


async def _walk(
    api: httpx.AsyncClient, headers: dict[str, str], path: str, key: str, order: str
) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3, "order": order} | ({"cursor": cursor} if cursor else {})
        response = await api.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        seen += [item[key] for item in response.json()["items"]]
        if (cursor := response.json()["next_cursor"]) is None:
            return seen


async def _first_cursor(
    api: httpx.AsyncClient, headers: dict[str, str], path: str, order: str
) -> str:
    params = {"limit": 2, "order": order}
    return str((await api.get(path, params=params, headers=headers)).json()["next_cursor"])


@pytest.mark.parametrize(("path", "key"), LISTS)
async def test_newest_first_pages_give_the_same_rows_reversed(
    api: httpx.AsyncClient, auditor: dict[str, str], path: str, key: str
) -> None:
    headers = auditor

    oldest_first = await _walk(api, headers, path, key, "asc")
    newest_first = await _walk(api, headers, path, key, "desc")
    default = (await api.get(path, params={"limit": 3}, headers=headers)).json()["items"]

    assert len(oldest_first) == 7 and oldest_first == sorted(oldest_first)
    assert newest_first == oldest_first[::-1]
    assert [item[key] for item in default] == oldest_first[:3]


@pytest.mark.parametrize(("path", "key"), LISTS)
async def test_a_cursor_is_refused_in_the_other_order(
    api: httpx.AsyncClient, auditor: dict[str, str], path: str, key: str
) -> None:
    headers = auditor

    for made_in, used_in in (("asc", "desc"), ("desc", "asc")):
        cursor = await _first_cursor(api, headers, path, made_in)
        params = {"order": used_in, "cursor": cursor}
        response = await api.get(path, params=params, headers=headers)
        assert response.status_code == 400, (made_in, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert f"order={made_in}" in response.json()["detail"]


async def test_an_unknown_order_is_422_naming_the_field(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id, "auditor"))
    for path, _ in LISTS:
        response = await api.get(path, params={"order": "newest"}, headers=headers)
        assert response.status_code == 422, path
        assert "query.order" in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(("path", "key"), LISTS)
async def test_csv_export_follows_the_order(
    api: httpx.AsyncClient, auditor: dict[str, str], path: str, key: str
) -> None:
    headers = auditor

    def ids(response: httpx.Response) -> list[int]:
        return [int(row[key]) for row in csv.DictReader(io.StringIO(response.text))]

    oldest = await api.get(path, params={"format": "csv"}, headers=headers)
    newest = await api.get(path, params={"format": "csv", "order": "desc"}, headers=headers)

    assert len(ids(oldest)) == 7
    assert ids(newest) == ids(oldest)[::-1]
