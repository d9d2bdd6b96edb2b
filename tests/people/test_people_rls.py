"""Every people table keeps each fleet's rows to itself under the API role."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg

from contracts import people
from projector.people.sql import TABLES
from projector.projections.people import PeopleProjection
from tests.api.seed import other_org
from tests.people.support import MANAGER, bolt_driver, catch_up, decide, observe, uber_driver

ALL_TABLES = (*TABLES, "people_requests")


async def _a_bit_of_everything(owner: asyncpg.Pool, writer: asyncpg.Pool, org: UUID) -> None:
    """A person, a suggestion, a veto, history and a stored answer in ``org``."""
    u, b, c = (uuid.uuid4().hex[:10] for _ in range(3))
    await observe(writer, org, uber_driver(u, "Eva", "Leroy", phone="611223344"),
                  bolt_driver(b, "Eva", "Leroy", phone="0611223344"),
                  bolt_driver(c, "Eva", "Leroy"))  # fmt: skip
    await catch_up(owner, PeopleProjection())
    person = await owner.fetchval(
        "SELECT person_id FROM people_identities WHERE org_id = $1 AND identity_id = $2",
        org, f"uber:{u}",
    )  # fmt: skip
    await decide(writer, org, people.IdentityUnlinked(
        person_id=person, identity_id=f"bolt:{b}", user_id=MANAGER, user_email="m@x.fr"
    ))  # fmt: skip
    await catch_up(owner, PeopleProjection())
    await owner.execute(
        "INSERT INTO people_requests (org_id, idempotency_key, request_hash, status, body) "
        "VALUES ($1, $2, '\\x00', 201, '{}')",
        org, f"k-{uuid.uuid4().hex}",
    )  # fmt: skip


async def test_the_api_role_sees_only_its_own_fleets_rows_in_every_people_table(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    elsewhere = await other_org(owner_pool, org_id)
    for org in (org_id, elsewhere):
        await _a_bit_of_everything(owner_pool, writer_pool, org)

    async with db_api_pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        for table in ALL_TABLES:
            orgs = await conn.fetch(f"SELECT DISTINCT org_id FROM {table}")  # noqa: S608
            assert [r["org_id"] for r in orgs] == [org_id], table
    async with db_api_pool.acquire() as conn, conn.transaction():
        for table in ALL_TABLES:  # no org set: nothing at all
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
