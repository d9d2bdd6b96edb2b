"""A request's tenant connection is given back after its response, whatever the outcome.

More requests than the pool holds, each ending another way (an answer, a 404 raised after
the query, a streamed CSV export, a 400 before any connection), then one more: had any
request kept its connection or its place in the gate, the last ones would wait forever.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
import httpx

from query_api.app import POOL_SIZE
from tests.api.seed import seed_named_drivers
from tests.apihelp import login

_IN_TRANSACTION = """
SELECT count(*) FROM pg_stat_activity
WHERE application_name = 'fleet' AND state LIKE 'idle in transaction%'
"""


async def test_every_outcome_gives_the_connection_back(
    api: httpx.AsyncClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_named_drivers(owner_pool, org_id, [(f"P{i}", f"N{i}") for i in range(120)])
    headers = await login(api, await make_user(org_id))
    requests = [
        ("/fleet/drivers", {"limit": 5}, 200),
        ("/fleet/drivers/nobody", {}, 404),
        ("/fleet/drivers/nobody/metrics", {"from": "2026-01-01", "to": "2026-01-31"}, 404),
        ("/fleet/drivers", {"format": "csv", "limit": 500}, 200),
        ("/fleet/drivers", {"cursor": "not-a-cursor"}, 400),
    ]
    async with asyncio.timeout(60):
        for round_ in range(POOL_SIZE + 2):
            path, params, status = requests[round_ % len(requests)]
            response = await api.get(path, params=params, headers=headers)
            assert response.status_code == status, (path, response.text)
            if params.get("format") == "csv":
                assert response.text.count("\n") == 121  # the header and every driver
        answers = await asyncio.gather(
            *(api.get("/fleet/drivers", headers=headers) for _ in range(2 * POOL_SIZE))
        )
    assert {a.status_code for a in answers} == {200}
    assert await owner_pool.fetchval(_IN_TRANSACTION) == 0
