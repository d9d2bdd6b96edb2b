"""GET /admin/projections: each projection's checkpoint and lag, for admins."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from projector.projections import all_projections
from tests.api.seed import seed_page
from tests.apihelp import ApiClient, login


async def test_projections_show_position_and_lag_behind_the_head(
    api: ApiClient, make_user, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    _, positions, _ = await seed_page(writer_pool, org_id, ["d-lag"])
    headers = await login(api, await make_user(org_id, "admin"))

    items = (await api.get("/admin/projections", headers=headers)).json()["items"]

    assert [i["name"] for i in items] == [p.name for p in all_projections()]
    for item in items:
        assert item["head"] >= positions[-1]
        assert item["lag_events"] == max(item["head"] - item["position"], 0)
        assert item["lag_seconds"] >= 0 and item["parked"] >= 0
