"""The busy read routes (query_api/direct.py) answer exactly what FastAPI's own handler does.

Setting any dependency override makes a direct route hand every request to FastAPI's
handler, so each request is sent twice, once each way, and the answers compared: statuses,
content types and bodies, the errors included.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx

from query_api.direct import DirectRoute
from query_api.routes import drivers
from tests.api.seed import seed_named_drivers
from tests.apihelp import login

_REQUESTS: tuple[tuple[str, dict[str, str | int]], ...] = (
    ("/fleet/drivers", {}),
    ("/fleet/drivers", {"limit": 2, "q": "nom", "status": "active"}),
    ("/fleet/drivers", {"limit": 0}),
    ("/fleet/drivers", {"limit": "x", "cursor": "y" * 3000}),
    ("/fleet/drivers", {"offset": 50}),
    ("/fleet/drivers", {"cursor": "not-a-cursor"}),
    ("/fleet/drivers", {"format": "csv"}),
    ("/bolt/drivers", {"q": "\x00"}),
    ("/fleet/drivers/nobody", {}),
    ("/fleet/drivers/nobody/metrics", {}),
    ("/fleet/drivers/nobody/metrics", {"from": "2026-03-01", "to": "2026-02-01"}),
    ("/fleet/drivers/nobody/metrics", {"from": "March"}),
    ("/bolt/drivers/nobody/trips", {"limit": 501}),
    ("/bolt/drivers/nobody/trips", {}),
)


def _unused() -> None:
    """A dependency no route has: overriding it only switches the handlers."""


async def _answers(api: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[int, str, bytes]]:
    answers = []
    for path, params in _REQUESTS:
        response = await api.get(path, params=params, headers=headers)
        answers.append((response.status_code, response.headers["content-type"], response.content))
    return answers


async def test_direct_routes_answer_as_fastapi_does(
    api: httpx.AsyncClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await seed_named_drivers(owner_pool, org_id, [("Prénom", f"Nom{i}") for i in range(3)])
    app = api.app  # type: ignore[attr-defined]
    assert drivers.router.route_class is DirectRoute  # drivers, Uber and Bolt data alike
    signed_in = await login(api, await make_user(org_id))
    seen: set[int] = set()
    for headers in (signed_in, {}, {"Authorization": "Bearer x"}):
        direct = await _answers(api, headers)
        app.dependency_overrides[_unused] = _unused
        try:
            fastapi = await _answers(api, headers)
        finally:
            app.dependency_overrides.clear()
        assert direct == fastapi
        seen |= {status for status, _, _ in direct}
    assert seen == {200, 400, 401, 404, 422}
