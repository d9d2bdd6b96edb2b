"""A week's settlements equal the simulator's ground truth to the cent, through every real part.

The simulator runs on a fixed clock; ingest polls it every 12 hours (Uber transactions in
their 15-minute windows, Bolt orders and state logs), the real projections catch up from
the log, and the API computes the drafts. Ingest stops on Sunday at 13:00 (Paris) and the manager
approves the week on Monday at 09:00 with an override (its data is not all in); ingest
resumes at 10:00 and runs until Wednesday evening. So:

* the approved week equals the truth as of Sunday 13:00, and never changes afterwards;
* what came after (trips of Sunday evening, a tip processed late in the week for an earlier
  trip, a Bolt price review of one of the week's orders after the approval) lands in the next
  week's draft as « Régularisation semaine 2025-W10 » lines, exactly the difference the
  truth gives;
* the next week's draft equals the truth of that week (as of Wednesday), cash, promotions,
  tolls, late tips and Bolt's hours included.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest

from contracts.settlement import PROVIDERS, Figure, Inputs, Statement, compute, regularisation
from contracts.weeks import IsoWeek
from core.config import UBER_DEFAULT_SCOPES
from ingest.bolt.client import BoltClient
from ingest.bolt.pollers import BoltPollers, BoltPollSettings
from ingest.bolt.setup import bolt_http
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.context import UberPollSettings
from ingest.uber.pollers import UberPollers
from projector.projections.bolt_orders import BoltOrdersProjection
from projector.projections.bolt_state_logs import BoltStateLogsProjection
from projector.projections.people import PeopleProjection
from projector.projections.uber_transactions import UberTransactionsProjection
from projector.runner import ProjectionRunner
from simulator import FixedClock, SimulatorSettings
from tests.apihelp import ApiClient, login
from tests.simserver import SimServer, serve_simulator

W10, W11 = "2025-W10", "2025-W11"  # Monday 3 March 2025 (winter: Paris is UTC+1)
START = datetime(2025, 3, 2, 12, 0, 7, tzinfo=UTC)
STOP = datetime(2025, 3, 9, 12, 0, 7, tzinfo=UTC)  # Sunday 13:00 in Paris: ingest stops
APPROVAL = datetime(2025, 3, 10, 8, 0, 7, tzinfo=UTC)  # Monday 09:00
RESUME = APPROVAL + timedelta(hours=1)
END = datetime(2025, 3, 12, 21, 0, 7, tzinfo=UTC)  # Wednesday 22:00
STEP = timedelta(hours=12)
DETAIL = {"late_tips", "price_reviews", "minutes_online", "minutes_on_trip", "trips"}
# Seed 4 gives, after the stop, a tip processed late for an earlier trip of the week and,
# after the approval, a Bolt price review of one of the week's orders (asserted below).
SETTINGS = SimulatorSettings(seed=4, uber_drivers=5, bolt_drivers=5, uber_txn_max_window_s=6 * 3600)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def sim(clock: FixedClock) -> Iterator[SimServer]:
    with serve_simulator(SETTINGS, clock) as server:
        yield server


@dataclasses.dataclass
class Ingest:
    """Every poller the week's money needs, on the simulator's clock."""

    uber: UberPollers
    bolt: BoltPollers

    async def run(self) -> None:
        await self.uber.transactions()
        await self.bolt.orders()
        await self.bolt.state_logs()


@pytest.fixture
async def ingest(
    sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> AsyncIterator[Ingest]:
    uber_client = uber_http(dataclasses.replace(sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES))
    bolt_client = bolt_http(sim.bolt_settings())
    uber = UberPollers(
        writer_pool, UberClient(ProviderHttp("uber", uber_client), sim.url), org_id,
        now=clock.now, settings=UberPollSettings(),
    )  # fmt: skip
    bolt = BoltPollers(
        writer_pool, BoltClient(ProviderHttp("bolt", bolt_client), sim.bolt_settings().api_base),
        org_id, BoltPollSettings(backfill_s=2 * 86400), clock.now,
    )  # fmt: skip
    yield Ingest(uber, bolt)
    await uber_client.aclose()
    await bolt_client.aclose()


async def poll_until(ingest: Ingest, clock: FixedClock, until: datetime) -> None:
    """Ingest every 12 hours from the clock's time to ``until`` (both included)."""
    while True:
        await ingest.run()
        if clock.now() + STEP > until:
            return
        clock.advance(STEP)


async def project(owner: asyncpg.Pool) -> None:
    """The read models the drafts are computed from, caught up with the log."""
    for projection in (UberTransactionsProjection(), BoltOrdersProjection(),
                       BoltStateLogsProjection(), PeopleProjection()):  # fmt: skip
        await ProjectionRunner(owner, None, projection).catch_up()


def truth(sim: SimServer, week: str) -> dict[str, Any]:
    found: dict[str, Any] = sim.control(f"/_sim/truth/settlements?week={week}")
    return found


def expected_block(truth: dict[str, Any], provider: str, drivers: list[str]) -> dict[str, int]:
    """A person's block on ``provider``: their accounts' truths, summed."""
    total: dict[str, int] = defaultdict(int)
    for driver in drivers:
        for name, cents in truth[provider][driver].items():
            total[name] += cents
    return total


def figures_of(truth: dict[str, Any], drivers: dict[str, list[str]]) -> tuple[Figure, ...]:
    """A person's truth as the figures a statement is computed from."""
    return tuple(
        Figure(provider, name, cents)  # type: ignore[arg-type]
        for provider in PROVIDERS
        for name, cents in expected_block(truth, provider, drivers[provider]).items()
        if name not in DETAIL - {"trips"} and cents
    )


async def identities(owner: asyncpg.Pool, org: UUID) -> dict[str, dict[str, list[str]]]:
    """Each person's driver ids per platform."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: {p: [] for p in PROVIDERS})
    rows = await owner.fetch(
        "SELECT person_id, provider, driver_id FROM people_identities "
        "WHERE org_id = $1 AND person_id IS NOT NULL",
        org,
    )
    for r in rows:
        found[str(r["person_id"])][r["provider"]].append(r["driver_id"])
    return found


async def everyone_a_person(
    api: ApiClient, headers: dict[str, str], owner: asyncpg.Pool, org: UUID
) -> None:
    """What a manager does before the first payroll: a person for each account no one owns."""
    for identity in await owner.fetch(
        "SELECT identity_id FROM people_identities WHERE org_id = $1 AND person_id IS NULL", org
    ):
        created = await api.post("/people", json={"identity_ids": [identity["identity_id"]]},
                                 headers=headers)  # fmt: skip
        assert created.status_code == 201, created.text


async def statements(api: ApiClient, headers: dict[str, str], week: str) -> list[dict[str, Any]]:
    """Every person's settlement of ``week``, whole."""
    page = (await api.get("/settlements", params={"week": week}, headers=headers)).json()
    return [
        (await api.get(f"/settlements/{item['settlement_id']}", headers=headers)).json()
        for item in page["items"]
    ]


def assert_blocks_equal_truth(
    found: list[dict[str, Any]], truth: dict[str, Any], people: dict[str, dict[str, list[str]]]
) -> None:
    for settlement in found:
        mine = people[settlement["person_id"]]
        for block in settlement["statement"]["blocks"]:
            want = expected_block(truth, block["provider"], mine[block["provider"]])
            got = {**block["figures"], "trips": block["trips"]}
            if block["provider"] == "bolt":
                got |= {k: block[k] for k in ("minutes_online", "minutes_on_trip")}
            keys = set(want) - {"late_tips", "price_reviews"}
            assert {k: got.get(k, 0) for k in keys} == {k: want[k] for k in keys}, (
                settlement["settlement_id"], block["provider"])  # fmt: skip


@pytest.mark.slow
async def test_a_weeks_settlements_equal_the_simulators_ground_truth_late_data_included(
    sim: SimServer, ingest: Ingest, clock: FixedClock, api: ApiClient, make_user,
    owner_pool: asyncpg.Pool, org_id: UUID,
) -> None:  # fmt: skip
    await ingest.uber.drivers()
    await ingest.bolt.drivers()
    await poll_until(ingest, clock, STOP)
    at_stop = truth(sim, W10)
    await project(owner_pool)
    clock.set(APPROVAL)
    at_approval = truth(sim, W10)
    manager = await login(api, await make_user(org_id, "manager"))
    await everyone_a_person(api, manager, owner_pool, org_id)
    people = await identities(owner_pool, org_id)

    drafts = await statements(api, manager, W10)
    for provider in PROVIDERS:  # every driver of the truth is someone's, once
        owned = [d for mine in people.values() for d in mine[provider]]
        assert sorted(owned) == sorted(at_stop[provider])
    assert len(drafts) == len(people)
    assert_blocks_equal_truth(drafts, at_stop, people)
    approved = {}
    for draft in drafts:
        path = f"/settlements/{draft['settlement_id']}"
        etag = (await api.get(path, headers=manager)).headers["etag"]
        answer = await api.post(f"{path}/approve", json={"override_reason": "paie du lundi"},
                                headers={**manager, "If-Match": etag})  # fmt: skip
        assert answer.status_code == 200, answer.text
        approved[draft["person_id"]] = answer.json()

    clock.set(RESUME)
    await poll_until(ingest, clock, END)
    await project(owner_pool)
    final, following = truth(sim, W10), truth(sim, W11)

    # The premises: the week had every kind of money, some of it after the stop.
    late_tips = [sum(d["late_tips"] for d in t["uber"].values()) for t in (at_stop, final)]
    reviews = [sum(d["price_reviews"] for d in t["bolt"].values()) for t in (at_approval, final)]
    assert late_tips[1] > late_tips[0] and reviews[1] > reviews[0]
    kinds = ("promotions", "tolls", "cash_collected", "adjustments")
    assert all(any(d[k] for d in final["uber"].values()) for k in kinds)
    bolt_kinds = ("cash", "in_app", "toll_fee", "minutes_online", "minutes_on_trip")
    assert all(any(d[k] for d in final["bolt"].values()) for k in bolt_kinds)

    # The approved week never moved; the next week is its truth plus the difference.
    assert [s["statement"] for s in await statements(api, manager, W10)] == [
        approved[s["person_id"]]["statement"] for s in drafts
    ]
    nxt = await statements(api, manager, W11)
    assert_blocks_equal_truth(nxt, following, people)
    regularised = 0
    for settlement in nxt:
        person = settlement["person_id"]
        then = msgspec.convert(approved[person]["statement"], Statement)
        now = compute(Inputs(UUID(person), IsoWeek.parse(W10), then.scheme, then.vat_rate,
                             figures_of(final, people[person])))  # fmt: skip
        want = {x.line_id: x.amount for x in regularisation(then, now, seq=0)}
        lines = settlement["statement"]["lines"]
        got = {x["line_id"]: x["amount"] for x in lines if x["kind"] == "regularisation"}
        assert got == want, person
        assert all(x["label"].startswith("Régularisation semaine 2025-W10 : ") for x in
                   lines if x["kind"] == "regularisation")  # fmt: skip
        regularised += len(got)
    assert regularised > 0
