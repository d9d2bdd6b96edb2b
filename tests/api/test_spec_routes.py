"""Every route the original spec names answers here, by the spec's own path and method."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import pytest

from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, ApiClient, User, login

# The spec's README, section "Endpoints principaux" and its sync examples (docs/MIGRATING.md).
SPEC_ROUTES = [
    ("post", "/auth/login"),
    ("get", "/auth/me"),
    ("get", "/fleet/orgs"),
    ("get", "/fleet/drivers"),
    ("get", "/fleet/drivers/{driver_id}"),
    ("get", "/fleet/vehicles"),
    ("get", "/fleet/vehicles/{vehicle_id}"),
    ("get", "/fleet/drivers/{driver_id}/metrics"),
    ("get", "/fleet/drivers/{driver_id}/payments"),
    ("get", "/bolt/drivers"),
    ("get", "/bolt/drivers/{driver_id}"),
    ("get", "/bolt/vehicles"),
    ("get", "/bolt/drivers/{driver_id}/trips"),
    ("get", "/bolt/drivers/{driver_id}/earnings"),
]
SPEC_SYNCS = [
    ("fleet", name) for name in ("orgs", "drivers", "vehicles", "metrics", "payments")
] + [("bolt", name) for name in ("drivers", "vehicles", "trips", "earnings")]


def test_the_openapi_document_has_every_route_the_spec_names() -> None:
    spec = create_app(ApiSettings(database=None, jwt=JWT, nats_url=None)).openapi()  # type: ignore[arg-type]
    missing = [f"{m.upper()} {p}" for m, p in SPEC_ROUTES if m not in spec["paths"].get(p, {})]
    assert not missing


@pytest.mark.parametrize(("prefix", "name"), SPEC_SYNCS)
async def test_every_sync_the_spec_names_is_accepted(
    api: ApiClient, make_user: Callable[..., Awaitable[User]], org_id: UUID, prefix: str, name: str
) -> None:
    headers = await login(api, await make_user(org_id, "admin"))
    answer = await api.post(f"/{prefix}/sync/{name}", headers=headers)
    assert answer.status_code == 202, answer.text
