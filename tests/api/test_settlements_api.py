"""Settlements through the API: a draft per person and week from both platforms' money,
approval with If-Match (428, 409 when stale) and the override of an incomplete week, late
data as the next week's regularisation, pay and cancel, lines, sources, RLS, and a replay
that rebuilds the approved statements identically."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.weeks import PARIS
from projector.projections.people import PeopleProjection
from projector.projections.settlements import TABLES, SettlementsProjection
from projector.runner import ProjectionRunner
from tests.api.seed import other_org
from tests.apihelp import ApiClient, login
from tests.helpers import secured_copies
from tests.people.support import bolt_driver, catch_up, observe, uber_driver

W10 = "2026-W10"  # Monday 2 March 2026 (winter, UTC+1)


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)


async def _position(owner: asyncpg.Pool, org: UUID, driver: str) -> int:
    return int(await owner.fetchval(
        "SELECT max(position) FROM event_log WHERE org_id = $1 AND entity_id = $2", org, driver
    ))  # fmt: skip


async def _bolt_order(owner: asyncpg.Pool, org: UUID, driver: str, at: datetime, ride: int,
                      commission: int, method: str, position: int) -> None:  # fmt: skip
    await owner.execute(
        "INSERT INTO bolt_orders (org_id, order_reference, company_id, driver_uuid, "
        "payment_method, finished_at, currency, ride_price, commission, net_earnings, "
        "updated_at, last_position) VALUES ($1, $2, 70001, $3, $4, $5, 'EUR', $6, $7, $8, "
        "now(), $9)",
        org, uuid.uuid4().hex, driver, method, at, ride, commission, ride - commission, position,
    )  # fmt: skip


async def _uber_trip(owner: asyncpg.Pool, org: UUID, driver: str, at: datetime, fare: int,
                     position: int, trip: str | None = None) -> None:  # fmt: skip
    tree = (
        f'[{{"category": "fare", "amount_minor": {fare}, "children": []}},'
        f' {{"category": "service_fee", "amount_minor": {-fare // 4}, "children": []}}]'
    )
    await _uber_transaction(owner, org, driver, at, tree, fare - fare // 4, position, trip)


async def _uber_transaction(
    owner: asyncpg.Pool, org: UUID, driver: str, at: datetime, tree: str, amount: int,
    position: int, trip: str | None,
) -> None:  # fmt: skip
    await owner.execute(
        "INSERT INTO uber_transactions (org_id, transaction_id, account_id, driver_id, "
        "trip_id, processed_at, amount_minor, currency, breakdown, updated_at, last_position) "
        "VALUES ($1, $2, 'acct', $3, $4, $5, $6, 'EUR', $7::jsonb, now(), $8)",
        org, uuid.uuid4().hex, driver, trip, at, amount, tree, position,
    )  # fmt: skip


async def _laurent(owner: asyncpg.Pool, writer: asyncpg.Pool, org: UUID) -> dict[str, object]:
    """Laurent on Uber and Bolt (one phone: one person), with money around Monday 04:00."""
    uber_id, bolt_id = uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]
    await observe(
        writer, org,
        uber_driver(uber_id, "Laurent", "Dupont", phone="612345678"),
        bolt_driver(bolt_id, "Laurent", "Dupont", phone="+33 6 12 34 56 78"),
    )  # fmt: skip
    await catch_up(owner, PeopleProjection())
    await ProjectionRunner(owner, None, SettlementsProjection()).catch_up()
    pos_u, pos_b = await _position(owner, org, uber_id), await _position(owner, org, bolt_id)
    # Uber: 03:59 on Monday 2 March is the week before; 04:01 is W10.
    await _uber_trip(owner, org, uber_id, paris(2026, 3, 2, 3, 59), 40_00, pos_u)
    trip = str(uuid.uuid4())
    await _uber_trip(owner, org, uber_id, paris(2026, 3, 2, 4, 1), 100_00, pos_u, trip)
    await _bolt_order(owner, org, bolt_id, paris(2026, 3, 4, 12), 50_00, 10_00, "cash", pos_b)
    await owner.execute(
        "INSERT INTO driver_daily_metrics (org_id, provider, driver_id, day, account_id, "
        "hours_online, hours_on_trip, updated_at, last_position) "
        "VALUES ($1, 'uber', $2, '2026-03-03', 'acct', 7.5, 5.25, now(), $3)",
        org, uber_id, pos_u,
    )  # fmt: skip
    return {"uber": uber_id, "bolt": bolt_id, "pos_b": pos_b, "pos_u": pos_u, "trip": trip}


async def test_a_week_from_draft_to_paid_frozen_against_late_data(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _laurent(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    page = (await api.get("/settlements", params={"week": W10}, headers=manager)).json()
    [item] = [i for i in page["items"] if i["display_name"] == "Laurent Dupont"]
    assert item["status"] == "draft"
    assert sorted(item["incomplete"]) == ["bolt", "uber"]  # nothing was polled: no coverage
    path = f"/settlements/{item['settlement_id']}"
    shown = await api.get(path, headers=manager)
    draft = shown.json()
    lines = {x["line_id"]: x for x in draft["statement"]["lines"]}
    assert lines["uber:revenue"]["amount"] == 75_00  # only the 04:01 trip, net of the fee
    assert lines["bolt:revenue"]["amount"] == 40_00
    assert lines["bolt:cash"]["amount"] == -50_00
    assert draft["statement"]["balance"] == sum(x["amount"] for x in lines.values())
    assert "fares" in draft["glossary"]["uber"]
    assert [b["trips"] for b in draft["statement"]["blocks"]] == [1, 1]  # the 04:01 trip
    assert draft["statement"]["blocks"][0]["minutes_online"] == 450
    assert draft["statement"]["blocks"][0]["minutes_on_trip"] == 315
    etag = shown.headers["etag"]

    assert (await api.post(f"{path}/approve", json={}, headers=manager)).status_code == 428
    stale = await api.post(f"{path}/approve", json={"override_reason": "x"},
                           headers={**manager, "If-Match": '"0"'})  # fmt: skip
    assert stale.status_code == 409, stale.text
    refused = await api.post(f"{path}/approve", json={}, headers={**manager, "If-Match": etag})
    assert refused.status_code == 422  # incomplete: an override needs a reason
    approved = await api.post(f"{path}/approve", json={"override_reason": "relevé manuel"},
                              headers={**manager, "If-Match": etag})  # fmt: skip
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["digest"] == draft["digest"]
    balance = approved.json()["statement"]["balance"]

    async def listed(**filters: str) -> list[str]:
        answer = await api.get("/settlements", params={"week": W10, **filters}, headers=manager)
        return [i["settlement_id"] for i in answer.json()["items"]]

    assert item["settlement_id"] in await listed(status="approved", incomplete="true")
    assert item["settlement_id"] not in await listed(status="draft")
    assert (item["settlement_id"] in await listed(negative="true")) == (balance < 0)
    unknown = await api.get("/settlements", params={"weak": W10}, headers=manager)
    assert unknown.status_code == 400

    # Late data: another Bolt order of W10, and a tip Uber processes in W11 for the W10 trip
    # (it counts in its trip's week). The approved week does not move; W11 regularises both.
    await _bolt_order(owner_pool, org_id, str(ids["bolt"]), paris(2026, 3, 5, 9), 20_00, 4_00,
                      "card", int(str(ids["pos_b"])))  # fmt: skip
    tip = '[{"category": "tip", "amount_minor": 300, "children": []}]'
    await _uber_transaction(owner_pool, org_id, str(ids["uber"]), paris(2026, 3, 10, 18), tip,
                            300, int(str(ids["pos_u"])), str(ids["trip"]))  # fmt: skip
    again = (await api.get(path, headers=manager)).json()
    assert again["statement"] == approved.json()["statement"]
    w12 = (await api.get(path.replace(W10, "2026-W12"), headers=manager)).json()
    assert all(x["kind"] != "regularisation" for x in w12["statement"]["lines"])  # W11 is open
    nxt = (await api.get(path.replace(W10, "2026-W11"), headers=manager)).json()
    regs = [x for x in nxt["statement"]["lines"] if x["kind"] == "regularisation"]
    amounts = {x["label"]: x["amount"] for x in regs}
    assert amounts["Régularisation semaine 2026-W10 : Revenu net Bolt"] == 16_00
    assert amounts["Régularisation semaine 2026-W10 : Part de la flotte Bolt"] == -4_80
    assert amounts["Régularisation semaine 2026-W10 : Pourboires Uber"] == 3_00
    lines_w11 = {x["line_id"] for x in nxt["statement"]["lines"] if x["kind"] == "platform"}
    assert "uber:tips" not in lines_w11  # processed in W11, yet the W10 trip's tip
    assert nxt["statement"]["blocks"][0]["trips"] == 0  # a late tip is not one more trip

    # The auditor follows a line to the events it came from.
    auditor = await login(api, await make_user(org_id, "auditor"))
    sources = await api.get(f"{path}/lines/bolt:revenue/sources", headers=auditor)
    assert sources.status_code == 200, sources.text
    assert [e["position"] for e in sources.json()["events"]] == [ids["pos_b"]]

    paid = await api.post(f"{path}/pay", json={"paid_on": "2026-03-10",
                          "transfer_reference": "VIR-42"}, headers=manager)  # fmt: skip
    assert paid.json()["status"] == "paid" and paid.json()["transfer_reference"] == "VIR-42"
    late_cancel = await api.post(f"{path}/cancel", json={"reason": "erreur"}, headers=manager)
    assert late_cancel.status_code == 409

    # RLS: another org sees nothing of it.
    stranger = await login(api, await make_user(await other_org(owner_pool, org_id), "viewer"))
    theirs = (await api.get("/settlements", params={"week": W10}, headers=stranger)).json()
    assert all(i["display_name"] != "Laurent Dupont" for i in theirs["items"])
    assert (await api.get(path, headers=stranger)).status_code == 404

    # A replay rebuilds the settlement tables identically.
    await _replay_equal(owner_pool, org_id)


async def test_lines_schemes_and_cancel(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await _laurent(owner_pool, writer_pool, org_id)
    manager = await login(api, await make_user(org_id, "manager"))
    viewer = await login(api, await make_user(org_id, "viewer"))
    page = (await api.get("/settlements", params={"week": W10}, headers=manager)).json()
    [item] = [i for i in page["items"] if i["display_name"] == "Laurent Dupont"]
    person, path = item["person_id"], f"/settlements/{item['settlement_id']}"

    rental = {"kind": "rental", "rent": 250_00, "effective_week": W10}
    scheme = await api.put(f"/people/{person}/pay-scheme", headers=manager, json=rental)
    assert scheme.status_code == 200, scheme.text
    lines = (await api.get(path, headers=viewer)).json()["statement"]["lines"]
    assert {x["line_id"]: x["amount"] for x in lines}["rent"] == -300_00  # 250 HT + 20 % VAT

    added = await api.post(f"{path}/lines", headers=manager, json={
        "kind": "one_off", "category": "fuel", "label": "Carburant", "amount": -45_00,
        "receipt": "TICKET-7"})  # fmt: skip
    assert added.status_code == 201, added.text
    [fuel] = [x for x in added.json()["statement"]["lines"] if x["label"] == "Carburant"]
    once = {**manager, "Idempotency-Key": f"k-{uuid.uuid4().hex}"}
    bonus = {"kind": "one_off", "category": "bonus", "label": "Prime", "amount": 30_00}
    first = await api.post(f"{path}/lines", headers=once, json=bonus)
    repeated = await api.post(f"{path}/lines", headers=once, json=bonus)
    assert repeated.headers["idempotency-replayed"] == "true"
    assert repeated.json() == first.json()
    lines = (await api.get(path, headers=viewer)).json()["statement"]["lines"]
    assert [x["label"] for x in lines].count("Prime") == 1
    assert fuel["receipt"] == "TICKET-7"
    removed = await api.delete(f"{path}/lines/{fuel['line_id']}", headers=manager)
    assert removed.status_code == 200, removed.text
    assert all(x["label"] != "Carburant" for x in removed.json()["statement"]["lines"])

    # A draft that changed since it was shown is not approved: 409.
    etag = (await api.get(path, headers=manager)).headers["etag"]
    deposit = {"kind": "recurring", "category": "deposit", "label": "Caution", "amount": -20_00}
    await api.post(f"{path}/lines", headers=manager, json=deposit)
    stale = await api.post(f"{path}/approve", json={"override_reason": "ok"},
                           headers={**manager, "If-Match": etag})  # fmt: skip
    assert stale.status_code == 409, stale.text

    cancelled = await api.post(f"{path}/cancel", json={"reason": "semaine non travaillée"},
                               headers=manager)  # fmt: skip
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "semaine non travaillée"
    paying = await api.post(f"{path}/pay", json={"paid_on": "2026-03-10",
                            "transfer_reference": "VIR"}, headers=manager)  # fmt: skip
    assert paying.status_code == 409
    await _replay_equal(owner_pool, org_id)


async def _state_logs(owner: asyncpg.Pool, org: UUID, driver: str, position: int,
                      *changes: tuple[datetime, str]) -> None:  # fmt: skip
    await owner.executemany(
        "INSERT INTO bolt_state_logs (org_id, driver_uuid, created_at, state, company_id, "
        "last_position) VALUES ($1, $2, $3, $4, 70001, $5)",
        [(org, driver, at, state, position) for at, state in changes],
    )


async def test_bolt_hours_come_from_the_state_logs_each_state_lasting_until_the_next(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    ids = await _laurent(owner_pool, writer_pool, org_id)
    waiting, busy, off = "waiting_orders", "has_order", "inactive"
    await _state_logs(owner_pool, org_id, str(ids["bolt"]), int(str(ids["pos_b"])),
        (paris(2026, 3, 1, 23), waiting), (paris(2026, 3, 2, 1), off),  # 60 min from Monday 0:00
        (paris(2026, 3, 3, 10), waiting), (paris(2026, 3, 3, 10, 20), busy),
        (paris(2026, 3, 3, 10, 50), waiting), (paris(2026, 3, 3, 12), off),  # 120, 30 on trip
        (paris(2026, 3, 3, 12), waiting),  # at the same instant: the shift still ends
        (paris(2026, 3, 4, 9), waiting), (paris(2026, 3, 4, 10), off),  # 60
        (paris(2026, 3, 8, 23, 30), waiting), (paris(2026, 3, 9, 0, 30), off),  # 30, 30 in W11
        (paris(2026, 3, 9, 8), waiting),  # not closed yet: nothing until its next log
    )  # fmt: skip
    manager = await login(api, await make_user(org_id, "manager"))
    page = (await api.get("/settlements", params={"week": W10}, headers=manager)).json()
    [item] = [i for i in page["items"] if i["display_name"] == "Laurent Dupont"]
    path = f"/settlements/{item['settlement_id']}"

    blocks = {b["provider"]: b for b in (await api.get(path, headers=manager)).json()
              ["statement"]["blocks"]}  # fmt: skip
    nxt = (await api.get(path.replace(W10, "2026-W11"), headers=manager)).json()

    assert (blocks["bolt"]["minutes_online"], blocks["bolt"]["minutes_on_trip"]) == (270, 30)
    assert [b["minutes_online"] for b in nxt["statement"]["blocks"]] == [0, 30]
    salaried = {"kind": "salaried", "effective_week": W10}
    await api.put(f"/people/{item['person_id']}/pay-scheme", json=salaried, headers=manager)
    payroll = await api.get("/settlements/export", params={"week": W10, "format": "payroll"},
                            headers=manager)  # fmt: skip
    [mine] = [r for r in payroll.text.lstrip("\ufeff").splitlines()[1:] if "Laurent" in r]
    header = payroll.text.lstrip("\ufeff").splitlines()[0].split(";")
    row = dict(zip(header, mine.split(";"), strict=True))
    assert (row["bolt_hours_online"], row["bolt_hours_on_trip"]) == ("4.50", "0.50")


async def _replay_equal(owner: asyncpg.Pool, org: UUID) -> None:
    """The settlement tables rebuilt from the log into tables of our own equal the live ones."""
    suffix, targets = await secured_copies(owner, TABLES)
    await ProjectionRunner(
        owner, None, SettlementsProjection(f"s-{suffix}", tables=targets)
    ).catch_up()
    for live, mine in targets.items():
        query = "SELECT * FROM {} WHERE org_id = $1 ORDER BY 1, 2, 3"
        assert await owner.fetch(query.format(live), org) == await owner.fetch(
            query.format(mine), org
        ), live
