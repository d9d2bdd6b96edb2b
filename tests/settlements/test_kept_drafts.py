"""Kept drafts (docs/SETTLEMENTS.md, "Kept drafts"): a draft is kept once computed and used
again only while nothing it was computed from changed. Each change of what a draft reads
(money, hours, an identity linked, a line, a scheme, an earlier week approved, a replay's
swap, the settings) gives the next answer computed afresh, equal to a draft computed with
nothing kept; a week approved keeps no draft; an org never sees another's kept drafts."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import asyncpg

from contracts import people
from contracts.settlement import Rules
from contracts.weeks import IsoWeek
from projector.projections.drivers import DriversProjection
from projector.projections.people import PeopleProjection
from projector.replay import TablePlan, replay
from projector.runner import ProjectionRunner
from projector.shadow import copy_security, create_like
from query_api.draft_warmup import open_weeks, warm
from query_api.kept_drafts import Keeper, summarise
from query_api.settlements import load_week
from tests.api.seed import other_org
from tests.api.test_settlements_api import (
    W10,
    _bolt_order,
    _laurent,
    _state_logs,
    _uber_trip,
    paris,
)
from tests.apihelp import ApiClient, login
from tests.helpers import append_drivers, driver_observation
from tests.people.support import catch_up, decide, observe, uber_driver

WEEK = IsoWeek.parse(W10)


async def _item(api: ApiClient, headers: dict[str, str], week: str = W10) -> dict[str, Any]:
    page = (await api.get("/settlements", params={"week": week}, headers=headers)).json()
    [item] = [i for i in page["items"] if i["display_name"] == "Laurent Dupont"]
    return dict(item)


async def _fresh(owner: asyncpg.Pool, api: ApiClient, org: UUID, person: UUID) -> Any:
    """The person's W10 draft computed now with nothing kept: (balance, platforms, other)."""
    rules: Rules = api.app.state.settlement_rules
    async with owner.acquire() as conn:
        found = await load_week(conn, org, rules, WEEK, [person])
    return summarise(found.drafts[person])


async def _kept_stamp(owner: asyncpg.Pool, org: UUID, person: UUID, week: str = W10) -> Any:
    return await owner.fetchval(
        "SELECT stamp FROM settlement_drafts WHERE org_id = $1 AND week = $2 AND person_id = $3",
        org, week, person,
    )  # fmt: skip


async def test_each_change_of_what_a_draft_reads_gives_the_next_list_a_fresh_answer(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _laurent(owner_pool, writer_pool, org_id)
    uber, bolt, pos_u, pos_b = (str(ids["uber"]), str(ids["bolt"]), int(str(ids["pos_u"])),
                                int(str(ids["pos_b"])))  # fmt: skip
    manager = await login(api, await make_user(org_id, "manager"))
    first = await _item(api, manager)
    person = UUID(first["person_id"])
    path = f"/settlements/{first['settlement_id']}"
    stamp = await _kept_stamp(owner_pool, org_id, person)
    assert stamp is not None  # kept by the first read
    assert await _item(api, manager) == first  # answered from it
    assert await _kept_stamp(owner_pool, org_id, person) == stamp
    seen = [first]

    async def changed() -> dict[str, Any]:
        """The list's answer now: not the one before, and the one computed from scratch."""
        item = await _item(api, manager)
        assert item != seen[-1]
        fresh = await _fresh(owner_pool, api, org_id, person)
        assert (item["balance"], item["platform_net"], item["other_lines"]) == tuple(fresh)
        seen.append(item)
        return item

    await _uber_trip(owner_pool, org_id, uber, paris(2026, 3, 5, 10), 60_00, pos_u)
    await changed()
    await _bolt_order(owner_pool, org_id, bolt, paris(2026, 3, 5, 11), 30_00, 6_00, "card", pos_b)
    await changed()

    async def minutes() -> list[int]:
        blocks = (await api.get(path, headers=manager)).json()["statement"]["blocks"]
        return [b["minutes_online"] for b in blocks]

    before = await minutes()
    await owner_pool.execute(
        "INSERT INTO driver_daily_metrics (org_id, provider, driver_id, day, account_id, "
        "hours_online, hours_on_trip, updated_at, last_position) "
        "VALUES ($1, 'uber', $2, '2026-03-04', 'acct', 2, 1, now(), $3)",
        org_id, uber, pos_u,
    )  # fmt: skip
    assert (after := await minutes())[0] == before[0] + 120
    await _state_logs(owner_pool, org_id, bolt, pos_b,
                      (paris(2026, 3, 6, 10), "waiting_orders"), (paris(2026, 3, 6, 11), "inactive"))  # fmt: skip  # noqa: E501
    assert (await minutes())[1] == after[1] + 60

    # A new account linked to the person: its money of the week counts now.
    other = uuid.uuid4().hex[:12]
    await observe(writer_pool, org_id, uber_driver(other, "Jean", "Gros"))
    await catch_up(owner_pool, PeopleProjection())
    await _uber_trip(owner_pool, org_id, other, paris(2026, 3, 5, 15), 80_00, pos_u)
    seen.append(await _item(api, manager))
    await decide(writer_pool, org_id, people.IdentityLinked(
        person_id=person, identity_id=f"uber:{other}", user_id=uuid.uuid4(),
        user_email="m@x.fr"))  # fmt: skip
    await catch_up(owner_pool, PeopleProjection())
    await changed()

    fuel = {"kind": "one_off", "category": "fuel", "label": "Carburant", "amount": -45_00}
    added = await api.post(f"{path}/lines", headers=manager, json=fuel)
    assert added.status_code == 201, added.text
    await changed()
    [line] = [x for x in added.json()["statement"]["lines"] if x["label"] == "Carburant"]
    assert (await api.delete(f"{path}/lines/{line['line_id']}", headers=manager)).is_success
    await changed()
    rental = {"kind": "rental", "rent": 250_00, "effective_week": W10}
    assert (await api.put(f"/people/{person}/pay-scheme", headers=manager, json=rental)).is_success
    await changed()

    # The week before approved with a negative balance: W10 opens with it.
    w09 = path.replace(W10, "2026-W09")
    debt = {"kind": "one_off", "category": "advance", "label": "Avance", "amount": -900_00}
    assert (await api.post(f"{w09}/lines", headers=manager, json=debt)).status_code == 201
    assert await _item(api, manager) == seen[-1]  # a line of W09 alone does not move W10
    etag = (await api.get(w09, headers=manager)).headers["etag"]
    approved = await api.post(f"{w09}/approve", json={"override_reason": "manuel"},
                              headers={**manager, "If-Match": etag})  # fmt: skip
    assert approved.status_code == 200, approved.text
    opened = await changed()
    assert opened["other_lines"] < seen[-2]["other_lines"]


async def test_an_approved_week_keeps_no_draft_and_a_cancelled_one_shows_its_draft(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _laurent(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    item = await _item(api, manager)
    person, path = UUID(item["person_id"]), f"/settlements/{item['settlement_id']}"
    shown = await api.get(path, headers=manager)
    approved = await api.post(f"{path}/approve", json={"override_reason": "manuel"},
                              headers={**manager, "If-Match": shown.headers["etag"]})  # fmt: skip
    assert approved.status_code == 200, approved.text
    await owner_pool.execute(
        "DELETE FROM settlement_drafts WHERE org_id = $1 AND person_id = $2", org_id, person
    )
    listed = await _item(api, manager)
    assert listed["status"] == "approved"
    assert [listed[k] for k in ("balance", "platform_net", "other_lines")] == [
        item[k] for k in ("balance", "platform_net", "other_lines")
    ]  # summed from the stored statement as from the draft
    assert await _kept_stamp(owner_pool, org_id, person) is None  # nothing computed for them
    cancelled = await api.post(f"{path}/cancel", json={"reason": "erreur"}, headers=manager)
    assert cancelled.json()["statement"] == shown.json()["statement"]  # its draft again
    assert (await _item(api, manager))["balance"] == item["balance"]
    assert await _kept_stamp(owner_pool, org_id, person) is not None


async def test_other_settings_never_use_the_drafts_kept_under_the_first(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _laurent(owner_pool, writer_pool, org_id)
    keeper = Keeper(writer_pool)
    async with owner_pool.acquire() as conn:
        first = await load_week(conn, org_id, Rules(), WEEK, keeper=keeper)
        [person] = first.drafts
        assert (await load_week(conn, org_id, Rules(), WEEK, keeper=keeper)).drafts == {}
        lower = await load_week(conn, org_id, Rules(vat_rate=1000), WEEK, keeper=keeper)
    assert lower.drafts[person].vat_rate == 1000  # computed again, not the kept one
    assert lower.drafts[person].balance != first.drafts[person].balance


async def test_a_replay_swap_drops_the_kept_drafts(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _laurent(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    item = await _item(api, manager)
    person = UUID(item["person_id"])
    stamp = await _kept_stamp(owner_pool, org_id, person)
    table = f"drv_{uuid.uuid4().hex[:8]}"
    async with owner_pool.acquire() as conn, conn.transaction():
        await create_like(conn, "drivers", table)
        await copy_security(conn, "drivers", table)
    await append_drivers(writer_pool, org_id, [driver_observation("k1")])
    live = DriversProjection(f"live-{table}", table=table)
    await ProjectionRunner(owner_pool, None, live).catch_up()

    assert (await replay(owner_pool, TablePlan(table, (live,)))).swapped

    assert await _kept_stamp(owner_pool, org_id, person) is None
    assert await _item(api, manager) == item  # computed again, the same
    assert await _kept_stamp(owner_pool, org_id, person) not in (None, stamp)


async def test_a_source_table_swapped_in_by_a_replay_is_watched_again(
    owner_pool: asyncpg.Pool,
) -> None:
    async with owner_pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute("ALTER TABLE bolt_state_logs RENAME TO bolt_state_logs__gone")
            await conn.execute("CREATE TABLE bolt_state_logs (LIKE bolt_state_logs__gone)")
            await conn.execute("SELECT settlement_drafts_swapped(ARRAY['bolt_state_logs'])")
            triggers = await conn.fetch(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'bolt_state_logs'::regclass "
                "AND NOT tgisinternal ORDER BY 1"
            )
        finally:
            await tx.rollback()
    assert [t["tgname"] for t in triggers] == [
        "bolt_state_logs_drafts_del", "bolt_state_logs_drafts_ins", "bolt_state_logs_drafts_upd"
    ]  # fmt: skip


async def test_an_org_never_sees_another_orgs_kept_drafts(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool,
    db_api_pool: asyncpg.Pool, org_id: UUID,
) -> None:  # fmt: skip
    await _laurent(owner_pool, writer_pool, org_id)
    other = await other_org(owner_pool, org_id)
    await _laurent(owner_pool, writer_pool, other)
    for org in (org_id, other):
        await _item(api, await login(api, await make_user(org, "viewer")))

    async def seen(org: UUID | None, table: str) -> set[UUID]:
        async with db_api_pool.acquire() as conn, conn.transaction():
            if org is not None:
                await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org))
            rows = await conn.fetch(f"SELECT DISTINCT org_id FROM {table}")  # noqa: S608
        return {r["org_id"] for r in rows}

    for table in ("settlement_drafts", "settlement_draft_versions"):
        assert await seen(org_id, table) == {org_id}
        assert await seen(other, table) == {other}
        assert await seen(None, table) == set()


def test_the_open_weeks_are_those_after_the_last_decided_up_to_this_week() -> None:
    w = IsoWeek.parse
    assert open_weeks(w("2026-W10"), w("2026-W20"), 2) == [w("2026-W11"), w("2026-W12")]
    assert open_weeks(w("2026-W10"), w("2026-W11"), 2) == [w("2026-W11")]
    assert open_weeks(w("2026-W10"), w("2026-W10"), 2) == []
    assert open_weeks(None, w("2026-W01"), 2) == [w("2025-W52"), w("2026-W01")]


async def test_the_warm_up_keeps_the_weeks_after_the_last_approved_one(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _laurent(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    path = f"/settlements/{(await _item(api, manager))['settlement_id']}"
    etag = (await api.get(path, headers=manager)).headers["etag"]
    approved = await api.post(f"{path}/approve", json={"override_reason": "manuel"},
                              headers={**manager, "If-Match": etag})  # fmt: skip
    assert approved.status_code == 200, approved.text
    keeper, rules = Keeper(writer_pool), api.app.state.settlement_rules

    assert await warm(writer_pool, keeper, rules, 2, [org_id]) == 2

    async with owner_pool.acquire() as conn:
        for week in ("2026-W11", "2026-W12"):
            found = await load_week(conn, org_id, rules, IsoWeek.parse(week), keeper=keeper)
            assert found.drafts == {} and len(found.kept) == 1  # kept by the warm-up
