"""The settlements projection: its tables keep each fleet's rows to themselves, and an approved
statement never changes under any sequence of later decisions but a cancellation."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

import asyncpg
import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import settlement_decisions as d
from contracts.settlement import Inputs, Scheme, compute
from contracts.weeks import IsoWeek
from projector.projections.settlements import TABLES, SettlementsProjection
from projector.runner import ProjectionRunner
from tests.api.seed import other_org
from tests.helpers import secured_copies
from tests.people.support import MANAGER, decide

WEEK = "2026-W10"
WHO = {"user_id": MANAGER, "user_email": "m@x.fr"}


def _approved(person: UUID, amount: int) -> d.Approved:
    statement = compute(Inputs(person, IsoWeek.parse(WEEK), Scheme(kind="salaried"), 2000))
    statement = msgspec.structs.replace(statement, balance=amount)
    return d.Approved(
        settlement_id=f"{WEEK}_{person}",
        person_id=person,
        week=WEEK,
        statement=statement,
        digest=statement.digest(),
        position=1,
        **WHO,
    )


async def _own_tables(owner: asyncpg.Pool) -> SettlementsProjection:
    suffix, targets = await secured_copies(owner, TABLES)
    return SettlementsProjection(f"settlements-{suffix}", tables=targets)


async def test_the_api_role_sees_only_its_own_fleets_settlement_rows(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    elsewhere = await other_org(owner_pool, org_id)
    for org in (org_id, elsewhere):
        person = uuid.uuid4()
        await decide(
            writer_pool,
            org,
            d.SchemeSet(
                person_id=person, effective_week=WEEK, scheme=Scheme(kind="rental", rent=1), **WHO
            ),
        )
        await decide(
            writer_pool,
            org,
            d.LineAdded(
                line_id=uuid.uuid4(),
                person_id=person,
                kind="one_off",
                category="fuel",
                label="Carburant",
                amount=-1,
                week=WEEK,
                **WHO,
            ),
        )
        await decide(writer_pool, org, _approved(person, -5))
    await ProjectionRunner(owner_pool, None, SettlementsProjection()).catch_up()
    async with db_api_pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        for table in TABLES:
            orgs = await conn.fetch(f"SELECT DISTINCT org_id FROM {table}")  # noqa: S608
            assert [r["org_id"] for r in orgs] == [org_id], table
    async with db_api_pool.acquire() as conn, conn.transaction():
        for table in TABLES:  # no org set: nothing at all
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608


LATER = st.lists(st.sampled_from(["approve_again", "scheme", "line", "remove", "pay"]), max_size=6)


@settings(
    max_examples=15,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(later=LATER, amount=st.integers(-10_000, 10_000))
async def test_an_approved_statement_never_changes_under_later_decisions(
    owner_pool: asyncpg.Pool,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    later: list[str],
    amount: int,
) -> None:
    """Whatever is decided after an approval (another approval, schemes, lines, a payment),
    the stored statement and digest stay those approved."""
    await _scenario(owner_pool, writer_pool, org_id, later, amount)


async def _scenario(
    owner: asyncpg.Pool, writer: asyncpg.Pool, org: UUID, later: list[str], amount: int
) -> None:
    projection = await _own_tables(owner)
    person = uuid.uuid4()
    first = _approved(person, amount)
    await decide(writer, org, first)
    line = uuid.uuid4()
    for step in later:
        if step == "approve_again":
            await decide(writer, org, _approved(person, amount + 1))
        elif step == "scheme":
            await decide(
                writer,
                org,
                d.SchemeSet(
                    person_id=person, effective_week=WEEK, scheme=Scheme(kind="salaried"), **WHO
                ),
            )
        elif step == "line":
            await decide(
                writer,
                org,
                d.LineAdded(
                    line_id=line,
                    person_id=person,
                    kind="one_off",
                    category="fuel",
                    label="x",
                    amount=-3,
                    week=WEEK,
                    **WHO,
                ),
            )
        elif step == "remove":
            await decide(writer, org, d.LineRemoved(line_id=line, person_id=person, **WHO))
        else:
            await decide(
                writer,
                org,
                d.Paid(
                    settlement_id=first.settlement_id,
                    paid_on=date(2026, 3, 10),
                    transfer_reference="VIR",
                    **WHO,
                ),
            )
    await ProjectionRunner(owner, None, projection).catch_up()
    row = await owner.fetchrow(
        f"SELECT digest, balance FROM {projection.tables[0]} WHERE org_id = $1 "  # noqa: S608
        "AND person_id = $2",
        org,
        person,
    )
    await owner.execute(f"DROP TABLE {', '.join(projection.tables)}")
    assert (row["digest"], row["balance"]) == (first.digest, amount)
