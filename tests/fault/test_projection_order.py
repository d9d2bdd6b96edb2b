"""A driver's status must not depend on the order in which projections happen to run.

It did: two projections wrote ``drivers.status`` (``drivers`` from the Uber driver record,
``uber_driver_status`` copying the realtime status onto the row *if the row existed*), so
when a new driver's status was projected before the driver, the live table kept no status
where a rebuild gave one. Found by the crash test. Now every read table has one writer and
the API joins the realtime status (query_api/routes/drivers.py); this test checks that the
status the API shows is the same live and after a rebuild.
"""

from __future__ import annotations

import asyncpg
import pytest

from core.config import DatabaseSettings
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from projector.projections.drivers import DriversProjection
from projector.projections.uber_driver_status import UberDriverStatusProjection
from projector.runner import ProjectionRunner
from tests.fault.checks import rebuild_from_log
from tests.fault.stack import ORG_SLUG
from tests.simserver import SimServer

pytestmark = pytest.mark.fault


async def _statuses(pool: asyncpg.Pool) -> dict[str, str | None]:
    """Each Uber driver's status as the API shows it (the realtime one, else the record's)."""
    rows = await pool.fetch(
        "SELECT d.driver_id, coalesce(s.status, d.status) AS status FROM drivers d "
        "LEFT JOIN uber_driver_status s ON s.org_id = d.org_id AND s.driver_id = d.driver_id "
        "WHERE d.provider = 'uber'"
    )
    return {r["driver_id"]: r["status"] for r in rows}


async def test_drivers_status_is_the_same_live_and_after_a_rebuild(
    fault_db: DatabaseSettings, simulator: SimServer
) -> None:
    pool = await asyncpg.create_pool(fault_db.owner_url, min_size=1, max_size=4)
    assert pool is not None
    http = uber_http(simulator.uber_settings())
    try:
        org_id = await pool.fetchval("SELECT org_id FROM orgs WHERE slug = $1", ORG_SLUG)
        pollers = UberPollers(pool, UberClient(ProviderHttp("uber", http), simulator.url), org_id)
        drivers = ProjectionRunner(pool, None, DriversProjection())
        status = ProjectionRunner(pool, None, UberDriverStatusProjection())
        await pollers.driver_status()  # the status of drivers not projected yet
        await status.catch_up()
        await pollers.drivers()  # the drivers projection runs last, as it may live
        await drivers.catch_up()
        live = await _statuses(pool)
        await rebuild_from_log(fault_db.owner_url)  # drivers first, then uber_driver_status
        rebuilt = await _statuses(pool)
    finally:
        await http.aclose()
        await pool.close()

    differing = {d: (live[d], rebuilt[d]) for d in live if live[d] != rebuilt.get(d)}
    print("\n[fault] injected: uber_driver_status projected before drivers (as it may live)")
    print(f"  found: {len(differing)} drivers whose status differs live vs rebuilt, e.g. ")
    print(f"         {list(differing.items())[:2]}")
    assert differing == {}
    assert len(live) == len(rebuilt) > 0 and all(live.values())
