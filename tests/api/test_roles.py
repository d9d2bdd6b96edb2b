"""Every protected route checks the caller's role, as query_api/ROLES.md says."""

from __future__ import annotations

from uuid import UUID

from tests.apihelp import ApiClient, login

ALL = {"admin", "manager", "viewer", "auditor"}
AUDIT = {"auditor", "admin"}
DECIDE = {"admin", "manager"}
HISTORY = {"admin", "manager", "auditor"}
NOBODY = "/people/00000000-0000-0000-0000-000000000000"
SUGGESTION = "/people/suggestions/00000000-0000-0000-0000-000000000000"
SOURCES = {"admin", "manager", "auditor"}
WEEK = "/settlements/2026-W10_00000000-0000-0000-0000-000000000000"
LINE = "00000000-0000-0000-0000-000000000001"
# (method, path template) → roles allowed; the concrete path used to call it.
PROTECTED: dict[tuple[str, str], tuple[set[str], str]] = {
    ("get", "/auth/me"): (ALL, "/auth/me"),
    ("get", "/fleet/drivers"): (ALL, "/fleet/drivers"),
    ("get", "/fleet/drivers/{driver_id}"): (ALL, "/fleet/drivers/none"),
    ("get", "/audit/events"): (AUDIT, "/audit/events"),
    ("get", "/audit/events/{position}"): (AUDIT, "/audit/events/1"),
    ("get", "/audit/fetches"): (AUDIT, "/audit/fetches"),
    ("get", "/audit/fetches/{fetch_id}/body"): (AUDIT, "/audit/fetches/1/body"),
    ("get", "/audit/quarantine"): (AUDIT, "/audit/quarantine"),
    ("get", "/admin/projections"): ({"admin"}, "/admin/projections"),
    ("get", "/fleet/orgs"): (ALL, "/fleet/orgs"),
    ("get", "/fleet/vehicles"): (ALL, "/fleet/vehicles"),
    ("get", "/fleet/vehicles/{vehicle_id}"): (ALL, "/fleet/vehicles/none"),
    ("get", "/fleet/drivers/{driver_id}/metrics"): (ALL, "/fleet/drivers/none/metrics"),
    ("get", "/fleet/drivers/{driver_id}/payments"): (ALL, "/fleet/drivers/none/payments"),
    ("get", "/fleet/drivers/{driver_id}/transactions"): (ALL, "/fleet/drivers/none/transactions"),
    ("get", "/fleet/drivers/{driver_id}/status-history"): (
        ALL,
        "/fleet/drivers/none/status-history",
    ),
    ("get", "/fleet/reports"): (ALL, "/fleet/reports"),
    ("get", "/fleet/overview"): (ALL, "/fleet/overview"),
    ("get", "/quality/coverage"): (ALL, "/quality/coverage"),
    ("get", "/quality/weeks"): (ALL, "/quality/weeks"),
    ("get", "/quality/reconciliation"): (ALL, "/quality/reconciliation"),
    ("get", "/quality/minimum-fares"): (ALL, "/quality/minimum-fares"),
    ("get", "/bolt/drivers"): (ALL, "/bolt/drivers"),
    ("get", "/bolt/drivers/{driver_id}"): (ALL, "/bolt/drivers/none"),
    ("get", "/bolt/vehicles"): (ALL, "/bolt/vehicles"),
    ("get", "/bolt/vehicles/{vehicle_id}"): (ALL, "/bolt/vehicles/none"),
    ("get", "/bolt/drivers/{driver_id}/trips"): (ALL, "/bolt/drivers/none/trips"),
    ("get", "/bolt/drivers/{driver_id}/earnings"): (ALL, "/bolt/drivers/none/earnings"),
    ("get", "/bolt/drivers/{driver_id}/state-logs"): (ALL, "/bolt/drivers/none/state-logs"),
    ("get", "/bolt/companies"): (ALL, "/bolt/companies"),
    # an unknown resource: admins get 404, and nothing is queued
    ("post", "/fleet/sync/{resource}"): ({"admin"}, "/fleet/sync/nope"),
    ("post", "/bolt/sync/{resource}"): ({"admin"}, "/bolt/sync/nope"),
    ("get", "/sync/runs/{run_id}"): ({"admin"}, "/sync/runs/00000000-0000-0000-0000-000000000000"),
    ("get", "/sync/status"): ({"admin"}, "/sync/status"),
    ("get", "/people"): (ALL, "/people"),
    ("get", "/people/unmapped"): (ALL, "/people/unmapped"),
    ("get", "/people/suggestions"): (ALL, "/people/suggestions"),
    ("get", "/people/{person_id}"): (ALL, NOBODY),
    ("get", "/people/{person_id}/activity"): (ALL, f"{NOBODY}/activity"),
    ("get", "/people/{person_id}/history"): (HISTORY, f"{NOBODY}/history"),
    # decisions: an allowed role gets 404 (nobody) or 422 (no body), and nothing is appended
    ("post", "/people"): (DECIDE, "/people"),
    ("post", "/people/merge"): (DECIDE, "/people/merge"),
    ("post", "/people/suggestions/{suggestion_id}/accept"): (DECIDE, f"{SUGGESTION}/accept"),
    ("post", "/people/suggestions/{suggestion_id}/reject"): (DECIDE, f"{SUGGESTION}/reject"),
    ("patch", "/people/{person_id}"): (DECIDE, NOBODY),
    ("post", "/people/{person_id}/identities"): (DECIDE, f"{NOBODY}/identities"),
    ("delete", "/people/{person_id}/identities/{identity_id}"): (
        DECIDE,
        f"{NOBODY}/identities/uber:nobody",
    ),
    ("post", "/people/{person_id}/split"): (DECIDE, f"{NOBODY}/split"),
    ("get", "/settlements"): (ALL, "/settlements"),
    ("get", "/settlements/{settlement_id}"): (ALL, WEEK),
    ("get", "/settlements/{settlement_id}.pdf"): (ALL, f"{WEEK}.pdf"),
    ("get", "/settlements/export"): (ALL, "/settlements/export"),
    ("post", "/settlements/{settlement_id}/approve"): (DECIDE, f"{WEEK}/approve"),
    ("post", "/settlements/{settlement_id}/pay"): (DECIDE, f"{WEEK}/pay"),
    ("post", "/settlements/{settlement_id}/cancel"): (DECIDE, f"{WEEK}/cancel"),
    ("post", "/settlements/{settlement_id}/lines"): (DECIDE, f"{WEEK}/lines"),
    ("delete", "/settlements/{settlement_id}/lines/{line_id}"): (DECIDE, f"{WEEK}/lines/{LINE}"),
    ("get", "/settlements/{settlement_id}/lines/{line_id}/sources"): (
        SOURCES,
        f"{WEEK}/lines/{LINE}/sources",
    ),
    ("get", "/people/{person_id}/pay-scheme"): (ALL, f"{NOBODY}/pay-scheme"),
    ("put", "/people/{person_id}/pay-scheme"): (DECIDE, f"{NOBODY}/pay-scheme"),
}
PUBLIC = {
    ("post", "/auth/login"),
    ("post", "/auth/refresh"),
    ("post", "/auth/logout"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/webhooks/uber"),  # Uber has no token of ours: its signature authenticates it
}


async def test_every_operation_is_either_public_or_in_the_role_table(api: ApiClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    secured, public = set(), set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            (secured if operation.get("security") else public).add((method, path))
    assert secured == set(PROTECTED)
    assert public == PUBLIC
    [scheme] = spec["components"]["securitySchemes"].values()
    assert scheme["flows"]["password"]["tokenUrl"] == "/auth/login"


async def test_each_role_gets_403_exactly_where_the_table_says(
    api: ApiClient, make_user, org_id: UUID
) -> None:
    headers = {role: await login(api, await make_user(org_id, role)) for role in sorted(ALL)}
    for (method, _), (allowed, path) in PROTECTED.items():
        for role in sorted(ALL):
            response = await api.request(method, path, headers=headers[role])
            forbidden = response.status_code == 403
            assert forbidden == (role not in allowed), (role, path, response.status_code)
            if forbidden:
                assert response.headers["content-type"] == "application/problem+json"


async def test_every_protected_route_needs_a_token(api: ApiClient) -> None:
    for method, path in [(m, p) for (m, _), (_, p) in PROTECTED.items()]:
        response = await api.request(method, path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
