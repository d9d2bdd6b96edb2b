"""The decision path when an observation slips in between its check and its append."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg
import pytest

from contracts import people
from projector.projections.people import PeopleProjection
from query_api.people_writes import Caller, PeopleWrites, Plan
from query_api.problems import ApiProblem
from query_api.security import Principal
from tests.people.support import MANAGER, bolt_driver, catch_up, observe, uber_driver


async def _owner(pool: asyncpg.Pool, org: UUID, identity: str) -> UUID | None:
    person: UUID | None = await pool.fetchval(
        "SELECT person_id FROM people_identities WHERE org_id = $1 AND identity_id = $2",
        org, identity,
    )  # fmt: skip
    return person


async def test_a_link_beaten_by_an_automatic_link_is_a_409_and_leaves_no_decision(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    u, b, x, y = (uuid.uuid4().hex[:10] for _ in range(4))
    await observe(
        writer_pool,
        org_id,
        uber_driver(u, "Marc", "Petit", phone="633333333"),
        bolt_driver(b, "Marc", "Petit", phone="0633333333"),
        uber_driver(x, "Jean", "Gros"),
        bolt_driver(y, "Jeanne", "Roy", phone="0644444444"),
        uber_driver(uuid.uuid4().hex[:10], "Jeanne", "Roy", phone="644444444"),
    )
    await catch_up(owner_pool, PeopleProjection())
    marc, jeanne = (
        await _owner(owner_pool, org_id, f"uber:{u}"),
        await _owner(owner_pool, org_id, f"bolt:{y}"),
    )
    assert marc and jeanne and await _owner(owner_pool, org_id, f"uber:{x}") is None
    who = Principal(user_id=MANAGER, org_id=org_id, role="manager", email="m@x.fr")

    async def plan(conn: asyncpg.Connection) -> Plan:
        # Checked: uber:x is nobody's. Meanwhile ingest learns its phone: Marc's.
        await observe(writer_pool, org_id, uber_driver(x, "Jean", "Gros", phone="06 33 33 33 33"))
        decision = people.IdentityLinked(
            person_id=jeanne, identity_id=f"uber:{x}", user_id=MANAGER, user_email="m@x.fr"
        )
        return Plan(decision, {f"uber:{x}": jeanne})

    async def answer(_: asyncpg.Connection) -> None:
        return None

    with pytest.raises(ApiProblem) as refused:
        await PeopleWrites(writer_pool).decide(Caller(who, "r", None, b""), plan, answer, 200)

    assert refused.value.problem.status == 409
    assert refused.value.problem.errors == [
        {"identity_id": f"uber:{x}", "person_id": str(marc), "display_name": "Marc Petit"}
    ]
    decisions = await owner_pool.fetchval(
        "SELECT count(*) FROM event_log WHERE org_id = $1 AND provider = 'fleet'", org_id
    )
    assert decisions == 0
    await catch_up(owner_pool, PeopleProjection())
    assert await _owner(owner_pool, org_id, f"uber:{x}") == marc
