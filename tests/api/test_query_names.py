"""Query parameters: the spec's names work as written, and no other name passes unseen."""

from __future__ import annotations

from uuid import UUID

import httpx

from tests.apihelp import login

PROBLEM = "application/problem+json"


async def test_an_unknown_query_parameter_is_a_400_problem_that_names_it(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id))

    response = await api.get("/fleet/drivers?offset=50&page=2", headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"] == "unknown query parameters: offset, page"


async def test_parameters_declared_by_a_routes_dependencies_are_known(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id))
    # from/to come from the day-range dependency, format from the CSV one.
    params = {"from": "2025-01-01", "to": "2025-01-31", "format": "json"}

    response = await api.get("/fleet/overview", params=params, headers=headers)

    assert response.status_code == 200, response.text
