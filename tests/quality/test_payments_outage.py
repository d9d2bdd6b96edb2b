"""A 30-hour ingest outage, on the simulator's clock, under both payments behaviours.

Ingest polls every 6 hours from the Monday evening of ISO week 2030-W11 (Uber's week:
Monday 11 March 03:00 UTC to Monday 18 March 03:00 UTC), then stops for 30 hours. Uber
serves payments and transactions of the last 24 hours only, so on restart the six hours
after the stop (to the 10-minute margin kept clear of the edge) can no longer be asked: the
week's status shows the gap, and the gauge that the FleetPaymentsGap alert reads is past
its threshold. The PAYMENTS_ORDER reports then fill it, and the week, once settled, is
complete, its money equal to what the simulator generated, to the cent, nothing counted
twice. Two outages: one from Wednesday 14:00 UTC, whose lost hours lie in one Paris day
(yesterday, on restart), and one from Wednesday 21:00 Paris time, whose lost hours span
Wednesday and Thursday: the restart fetches the reports of both days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from core.config import DatabaseSettings
from query_api.reconcile import FROM_REPORT as FILLED
from query_api.reconcile import UNCOVERED
from simulator import FixedClock, SimulatorSettings
from tests.apihelp import ApiClient, login
from tests.quality.simweek import MONEY, SimWeek, per_driver, sim_api, sim_http
from tests.simserver import SimServer, serve_simulator

WEEK = "2030-W11"
WEEK_START, WEEK_END = datetime(2030, 3, 11, 3, tzinfo=UTC), datetime(2030, 3, 18, 3, tzinfo=UTC)
START = datetime(2030, 3, 11, 20, tzinfo=UTC)  # the first run reaches back past the start
STEP = timedelta(hours=6)
OUTAGE = timedelta(hours=30)
SETTLING = timedelta(hours=72)
ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
ALERT_EXPR = "max without (instance) (fleet_payments_gap_age_seconds) > 12 * 3600"

# $4: the sources counted ('api' is U7's; 'report' a PAYMENTS_ORDER row U7 never showed)
TRANSACTIONS = """
SELECT driver_id, sum(amount_minor) AS total FROM uber_transactions
WHERE org_id = $1 AND processed_at >= $2 AND processed_at < $3 AND source = ANY($4::text[])
GROUP BY driver_id
"""
PAYMENTS = """
SELECT driver_id, sum(amount_minor) AS total FROM driver_payments
WHERE org_id = $1 AND provider = 'uber' AND window_start >= $2 AND window_start < $3
GROUP BY driver_id
"""


@dataclass(frozen=True)
class Outage:
    """When ingest stops, what the API can no longer serve on restart, and the Paris days
    whose reports the restart fetches (oldest first)."""

    down: datetime
    lost: dict[str, str]
    reports: list[date]


AFTERNOON = Outage(
    datetime(2030, 3, 13, 14, tzinfo=UTC),
    {"start": "2030-03-13T14:00:00Z", "end": "2030-03-13T20:10:00Z"},
    [date(2030, 3, 13)],
)
EVENING = Outage(  # 21:00 to 03:10 Paris time: Wednesday's evening and Thursday's night
    datetime(2030, 3, 13, 20, tzinfo=UTC),
    {"start": "2030-03-13T20:00:00Z", "end": "2030-03-14T02:10:00Z"},
    [date(2030, 3, 13), date(2030, 3, 14)],
)


@pytest.fixture(params=["asked", "pay_period"])
def behaviour(request: pytest.FixtureRequest) -> str:
    """What the payments endpoint does with the asked window (docs/MONEY.md)."""
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def sim(clock: FixedClock, behaviour: str) -> Iterator[SimServer]:
    settings = SimulatorSettings(
        seed=7, uber_drivers=25, uber_payments_window=behaviour, uber_report_delay_s=0
    )
    with serve_simulator(settings, clock) as server:
        yield server


@pytest.fixture
async def week(
    writer_pool: asyncpg.Pool, sim: SimServer, org_id: UUID, clock: FixedClock
) -> AsyncIterator[SimWeek]:
    async with sim_http(sim) as http:
        yield SimWeek(writer_pool, http, sim, org_id, clock)


@pytest.fixture
async def api(
    db: DatabaseSettings, nats_server: Any, clock: FixedClock
) -> AsyncIterator[ApiClient]:
    async for client in sim_api(db, nats_server.url, clock):
        yield client


async def uber_week(api: ApiClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.get("/quality/weeks", params={"week": WEEK}, headers=headers)
    assert response.status_code == 200, response.text
    [uber] = [p for p in response.json()["platforms"] if p["provider"] == "uber"]
    return dict(uber)


def gaps(uber: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    return {r["resource"]: r["gaps"] for r in uber["resources"]}


@pytest.mark.parametrize("outage", [AFTERNOON, EVENING], ids=["afternoon", "evening"])
async def test_a_30_hour_outage_is_flagged_alerted_filled_from_the_report_and_the_week_ends_whole(
    week: SimWeek, api: ApiClient, make_user: Any, org_id: UUID, behaviour: str, outage: Outage
) -> None:
    headers = await login(api, await make_user(org_id, "viewer"))
    await week.run(*MONEY)
    await week.poll_until(outage.down, STEP)
    week.clock.advance(OUTAGE)  # ingest is down for 30 hours
    await week.run("payments", "transactions", "daily_metrics")

    lost = await uber_week(api, headers)
    # a pay-period answer sums the whole week so far: U6 has no hole, U7 does
    assert gaps(lost) == {
        "payments": [outage.lost] if behaviour == "asked" else [],
        "transactions": [outage.lost],
        "daily_metrics": [],
    }
    assert "transactions, compte" in " ".join(lost["reasons"])
    # Now - 24 h, the oldest instant Uber still serves, is uncovered: the alert's condition
    assert ALERT_EXPR in ALERTS.read_text()
    assert await week.gap_gauge() == 24 * 3600 > 12 * 3600

    stored = len(await week.report_days())
    week.reset_calls()
    await week.run("reports")  # the PAYMENTS_ORDER reports of the days missed (Paris days)

    assert (await week.report_days())[stored:] == outage.reports
    assert week.reports_generated() == len(outage.reports)  # each asked once
    assert await week.gap_gauge() == 0
    assert gaps(await uber_week(api, headers)) == {r: [] for r in gaps(lost)}

    # Polling on until the week settles: Monday's report also closes the week's last hour,
    # which in pay-period mode no snapshot covers (docs/QUALITY.md).
    await week.poll_until(WEEK_END + SETTLING, STEP)
    await week.project()

    settled = await uber_week(api, headers)
    truth = week.truth(WEEK_START, WEEK_END)
    bounds = (org_id, WEEK_START, WEEK_END)
    transactions = await per_driver(week.pool, TRANSACTIONS, *bounds, ["api", "report"])
    from_report = await per_driver(week.pool, TRANSACTIONS, *bounds, ["report"])
    payments = await per_driver(week.pool, PAYMENTS, *bounds)
    assert (settled["status"], settled["reasons"]) == ("complet", [])
    assert len(truth) > 10 and transactions == truth
    assert from_report  # what the API could no longer serve came from the report
    if behaviour == "pay_period":
        assert payments == truth  # the week's last snapshot, once per driver
    else:  # the hours lost to U6's sums are exactly the money only the report had
        assert payments + from_report == truth
    assert await reasons(api, headers, WEEK) == (
        {} if behaviour == "pay_period" else {("paiements/transactions", FILLED): len(from_report)}
    )


async def test_a_reports_run_with_nothing_missed_fetches_only_yesterdays_report(
    week: SimWeek,
) -> None:
    await week.run(*MONEY)
    await week.poll_until(START + timedelta(days=2), STEP)  # a run every 6 hours, no outage
    fetched = await week.report_days()
    week.reset_calls()

    await week.poll_until(START + timedelta(days=3), STEP)  # the next day's runs

    yesterday = date(2030, 3, 13)  # for the runs of Thursday 14 March
    assert await week.report_days() == [*fetched, yesterday]
    assert week.reports_generated() == 1
    assert fetched == [yesterday - timedelta(days=n) for n in (3, 2, 1)]  # one a day before


async def test_the_reconciliation_of_simulated_weeks_explains_every_difference(
    week: SimWeek, api: ApiClient, make_user: Any, org_id: UUID, behaviour: str
) -> None:
    """The week before ingest started is only partly covered (its last day, from the report
    and the first runs): each of its differences has its reason, none is unexplained; the
    week polled whole from start to end has none at all, under both behaviours."""
    headers = await login(api, await make_user(org_id, "viewer"))
    await week.run(*MONEY)
    await week.poll_until(WEEK_END + SETTLING, STEP)
    await week.project()

    before = await reasons(api, headers, "2030-W10")

    # the metrics cover the whole week, the transactions its last day: that day's report
    # also brought money U6's first run could not reach (asked mode), exactly
    assert ("transactions/métriques", UNCOVERED) in before
    assert set(before) <= {
        ("transactions/métriques", UNCOVERED),
        ("paiements/transactions", UNCOVERED),
        ("paiements/transactions", FILLED),
    }
    assert await reasons(api, headers, WEEK) == {}


async def reasons(api: ApiClient, headers: dict[str, str], week: str) -> dict[tuple[str, str], int]:
    """How many differences the week's reconciliation lists, per check and reason."""
    response = await api.get("/quality/reconciliation", params={"week": week}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(Counter((d["check"], d["reason"]) for d in response.json()["differences"]))
