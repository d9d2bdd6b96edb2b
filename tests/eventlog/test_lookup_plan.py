"""The change detection's lookup probes the latest event of a key, never an entity's history.

``event_log_append_begin`` reads, for each entity of a page, the hash of the latest event of
(org, provider, event type, entity). Two indexes hold those rows: ``event_log_latest`` (the
key, then position: one probe) and ``event_log_entity`` (org, provider, entity, position),
which answers the same question only by walking back through the entity's events of every
other type. Which one the planner takes, with the lookup written as a plain
``ORDER BY position DESC LIMIT 1``, depends on statistics and on whether PL/pgSQL runs a
custom or a generic plan; these tests build a log where the walk looked cheaper and read
the plan the function itself runs, with ``auto_explain`` (nested statements, to the client).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest

from contracts.uber import DRIVER_OBSERVED, DRIVER_STATUS_OBSERVED
from core.config import DatabaseSettings
from core.state import OWNER_ROLE
from fleet.database import migrate

pytestmark = pytest.mark.slow

DRIVERS = 200
STATUSES_PER_DRIVER = 400  # a driver's record, then its status changes: the skew
OTHER_TENANTS = 3
OTHER_EVENTS = 100_000  # per tenant


def _record_hash(driver: int) -> bytes:
    return hashlib.sha256(f"driver-{driver}".encode()).digest()


# The tenant under test ($1, its slug): each driver's record ($2) first, then its many status
# changes ($3), $5 per driver ($4 drivers).
_FILL_SKEWED_SQL = """
WITH org AS (INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id)
INSERT INTO event_log (event_id, event_type, schema_version, provider, org_id, account_id,
                       entity_id, observed_at, record, record_hash)
SELECT gen_random_uuid(), t.event_type, 1, 'uber', org.org_id, 'acct', t.entity_id, now(),
       '\\x7b7d', t.record_hash
FROM org, (
    SELECT $2::text, 'd' || d, sha256(convert_to('driver-' || d, 'UTF8')), d
    FROM generate_series(1, $4::integer) d
    UNION ALL
    SELECT $3::text, 'd' || (s % $4 + 1), sha256(convert_to('status-' || s, 'UTF8')), $4 + s
    FROM generate_series(1, $4 * $5::integer) s
) AS t(event_type, entity_id, record_hash, ord)
ORDER BY t.ord
"""

# Another tenant ($1): $4 events of as many entities, one in 50 a driver record ($2), the
# others status changes ($3).
_FILL_OTHER_SQL = """
WITH org AS (INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id)
INSERT INTO event_log (event_id, event_type, schema_version, provider, org_id, account_id,
                       entity_id, observed_at, record, record_hash)
SELECT gen_random_uuid(), CASE WHEN s % 50 = 0 THEN $2::text ELSE $3::text END, 1, 'uber',
       org.org_id, 'acct', 'o' || s, now(), '\\x7b7d', sha256(convert_to('other-' || s, 'UTF8'))
FROM org, generate_series(1, $4::integer) s
ORDER BY s
"""


@pytest.fixture(scope="module")
async def superuser(superuser_url: str, db: DatabaseSettings) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection (``LOAD 'auto_explain'`` needs one) to a migrated database of
    this module's own: its 380,000 events would otherwise be in the session's log, which
    other tests' projectors replay from the start."""
    name = f"lookup_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(superuser_url)
    await admin.execute(f"CREATE DATABASE {name} OWNER {OWNER_ROLE}")
    try:
        migrate(f"{db.owner_url.rpartition('/')[0]}/{name}")  # the session's owner role
        conn = await asyncpg.connect(f"{superuser_url.rpartition('/')[0]}/{name}")
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture(scope="module")
async def skewed_org(superuser: asyncpg.Connection) -> UUID:
    """A tenant whose drivers each have one driver event before hundreds of status events,
    beside other tenants' events, with fresh statistics."""
    types = (DRIVER_OBSERVED, DRIVER_STATUS_OBSERVED)
    for _ in range(OTHER_TENANTS):
        await superuser.execute(_FILL_OTHER_SQL, f"t-{uuid.uuid4().hex[:12]}", *types, OTHER_EVENTS)
    slug = f"t-{uuid.uuid4().hex[:12]}"
    await superuser.execute(_FILL_SKEWED_SQL, slug, *types, DRIVERS, STATUSES_PER_DRIVER)
    await superuser.execute("ANALYZE event_log")
    org_id: UUID = await superuser.fetchval("SELECT org_id FROM orgs WHERE slug = $1", slug)
    return org_id


async def _lookup_plans(conn: asyncpg.Connection, org_id: UUID, mode: str) -> list[str]:
    """The plans of the lookup statement in seven calls of the function, as it ran them.

    Every driver is unchanged, so the calls detect nothing, append nothing and notify nobody;
    each runs in a transaction of its own, as an append does.
    """
    notices: list[str] = []

    def listen(_conn: object, message: asyncpg.PostgresLogMessage) -> None:
        notices.append(str(message.message))

    conn.add_log_listener(listen)
    ids = json.dumps([f"d{d}" for d in range(1, DRIVERS + 1)])
    hashes = b"".join(_record_hash(d) for d in range(1, DRIVERS + 1))
    try:
        await conn.execute(
            "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;"
            " SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice;"
            f" SET plan_cache_mode = {mode}"
        )
        for _ in range(7):  # past the five custom plans after which a generic one may win
            async with conn.transaction():
                changed = await conn.fetchval(
                    "SELECT changed FROM event_log_append_begin($1, 'uber', $2, $3, $4,"
                    " 'test_lookup_plan', 0, 0)",
                    org_id, DRIVER_OBSERVED, ids, hashes,
                )  # fmt: skip
                assert changed == []
    finally:
        await conn.execute("RESET ALL")
        conn.remove_log_listener(listen)
    return [n for n in notices if "json_array_elements_text" in n]


@pytest.mark.parametrize("mode", ["force_custom_plan", "force_generic_plan", "auto"])
async def test_the_lookup_probes_event_log_latest_and_never_walks_an_entity_history(
    superuser: asyncpg.Connection, skewed_org: UUID, mode: str
) -> None:
    # Before migration 0027, custom plans (and so the first five calls in "auto") walked
    # event_log_entity here, reading ~400 index entries per driver instead of one.
    plans = await _lookup_plans(superuser, skewed_org, mode)

    assert len(plans) == 7
    for plan in plans:
        assert "Index Only Scan Backward using event_log_latest" in plan
        assert "event_log_entity" not in plan


async def test_with_the_probe_new_and_changed_records_are_still_found_on_skewed_data(
    superuser: asyncpg.Connection, skewed_org: UUID
) -> None:
    # Entities without an event of the type, next to drivers that have one in the index's
    # order ("d0" before "d1", "d1999" between "d199" and "d2"): the probe's two bounds must
    # find nothing for them, not a neighbour.
    ids = [f"d{d}" for d in range(1, DRIVERS + 1)] + ["d0", "d1999"]
    hashes = [_record_hash(d) for d in range(1, DRIVERS + 1)] + [_record_hash(0)] * 2
    hashes[4] = _record_hash(0)  # d5 changed

    async with superuser.transaction():
        changed = await superuser.fetchval(
            "SELECT changed FROM event_log_append_begin($1, 'uber', $2, $3, $4,"
            " 'test_lookup_plan', 0, 0)",
            skewed_org, DRIVER_OBSERVED, json.dumps(ids), b"".join(hashes),
        )  # fmt: skip

    assert changed == [5, DRIVERS + 1, DRIVERS + 2]
