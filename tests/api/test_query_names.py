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


async def test_query_days_are_taken_only_as_yyyy_mm_dd(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id))
    refused = ["0", "1735689600", "20250131", "2025-01-31T00:00:00", "31/01/2025"]

    answers = {
        to: (await api.get("/fleet/overview", params={"to": to}, headers=headers))
        for to in [*refused, "2025-01-31"]
    }

    assert {to: r.status_code for to, r in answers.items()} == {
        **dict.fromkeys(refused, 422),
        "2025-01-31": 200,
    }
    assert answers["0"].headers["content-type"].startswith(PROBLEM)
    assert "YYYY-MM-DD" in answers["0"].text


async def test_query_times_are_taken_only_as_rfc3339_instants_with_an_offset(
    api: httpx.AsyncClient, make_user, org_id: UUID
) -> None:
    headers = await login(api, await make_user(org_id, "auditor"))
    accepted = ["2025-03-30T00:00:00+01:00", "2025-03-30T00:00:00.5Z"]
    refused = ["0", "2025-03-30", "2025-03-30T00:00:00", "2025-03-30 00:00:00Z"]

    answers = {
        moment: (await api.get("/audit/events", params={"from": moment}, headers=headers))
        for moment in [*accepted, *refused]
    }

    expected = {**dict.fromkeys(accepted, 200), **dict.fromkeys(refused, 422)}
    assert {moment: r.status_code for moment, r in answers.items()} == expected
