"""Bolt coverage: a window is claimed only when every row Bolt announced was stored.

The simulator answers over real HTTP; a ``MockTransport`` in front of it can delete one page
(answer it empty, as if the rows vanished between two pages) to prove the check notices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from ingest.bolt.client import BoltClient
from ingest.bolt.pollers import BoltPollers, BoltPollSettings
from ingest.cursors import load_cursor
from ingest.http import ProviderHttp, RetryPolicy
from ingest.pages import PollResult
from ingest.runs import Resource, RunRecorder
from tests.ingest.test_bolt_support import COMPANY, DAY, NOW, RecordingSleep
from tests.simserver import SimServer

pytest_plugins = ("tests.ingest.test_bolt_support",)

Tamper = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
STATE_LOGS = "getFleetStateLogs"


def deleting_page(offset: int) -> Tamper:
    """Answer the state-log page at ``offset`` with no rows (its total unchanged)."""

    def tamper(body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        if body.get("offset") == offset and "state_logs" in (answer.get("data") or {}):
            answer["data"]["state_logs"] = []
        return answer

    return tamper


def untouched(body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    return answer


def pollers_through(
    real: httpx.AsyncClient, sim: SimServer, pool: asyncpg.Pool, org_id: UUID, tamper: Tamper
) -> BoltPollers:
    """Pollers whose every Bolt call goes to the simulator, and its answer through ``tamper``."""

    async def forward(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        answer = await real.request(request.method, str(request.url), json=body or None)
        if answer.status_code != 200:
            return httpx.Response(answer.status_code, content=answer.content)
        return httpx.Response(200, json=tamper(body, answer.json()))

    http = httpx.AsyncClient(transport=httpx.MockTransport(forward))
    retry = RetryPolicy(attempts=2, base_s=0.01)
    provider = ProviderHttp("bolt", http, retry=retry, sleep=RecordingSleep())
    client = BoltClient(provider, sim.bolt_settings().api_base, page_size=200)
    settings = BoltPollSettings(backfill_s=7 * DAY)
    return BoltPollers(pool, client, org_id, settings, lambda: NOW)


async def spans(pool: asyncpg.Pool, org_id: UUID, resource: str) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT account_id, lower(covered) AS start, upper(covered) AS end, run_id "
        "FROM coverage WHERE org_id = $1 AND resource = $2 ORDER BY lower(covered)",
        org_id,
        resource,
    )


async def test_a_whole_state_logs_window_is_claimed_as_covered(
    bolt_https: httpx.AsyncClient, bolt_sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    pollers = pollers_through(bolt_https, bolt_sim, writer_pool, org_id, untouched)

    result = await pollers.state_logs()

    [span] = await spans(writer_pool, org_id, "state_logs")
    assert result.calls >= 2 and result.incomplete == []
    assert (span["account_id"], span["start"], span["end"]) == (
        str(COMPANY),
        NOW - timedelta(days=7),
        NOW,
    )


async def test_a_deleted_page_leaves_the_window_uncovered_and_the_run_incomplete(
    bolt_https: httpx.AsyncClient, bolt_sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    pollers = pollers_through(bolt_https, bolt_sim, writer_pool, org_id, deleting_page(200))
    target = Resource(org_id, "bolt", "state_logs", pollers.state_logs)

    await RunRecorder(writer_pool).scheduled(target)

    run = await writer_pool.fetchrow(
        "SELECT status, complete, incomplete_reason FROM sync_runs WHERE org_id = $1", org_id
    )
    cursor = await load_cursor(writer_pool, org_id, "bolt", "state_logs", str(COMPANY))
    assert await spans(writer_pool, org_id, "state_logs") == []
    assert (run["status"], run["complete"]) == ("succeeded", False)
    assert f"company {COMPANY}: getFleetStateLogs: received 200 of" in run["incomplete_reason"]
    # held at the window's start: the next run reads the window again
    assert cursor is not None and cursor["retries"] == 1


async def test_a_complete_run_names_itself_on_the_coverage_it_claimed(
    bolt_https: httpx.AsyncClient, bolt_sim: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    pollers = pollers_through(bolt_https, bolt_sim, writer_pool, org_id, untouched)

    async def drivers_then_orders() -> PollResult:
        result = await pollers.drivers()  # discovers the companies first: a listing too
        result.add(await pollers.orders())
        return result

    await RunRecorder(writer_pool).scheduled(
        Resource(org_id, "bolt", "orders", drivers_then_orders)
    )

    run = await writer_pool.fetchrow(
        "SELECT run_id, complete, incomplete_reason FROM sync_runs WHERE org_id = $1", org_id
    )
    [listing] = await spans(writer_pool, org_id, "drivers")
    [companies] = await spans(writer_pool, org_id, "companies")
    orders = await spans(writer_pool, org_id, "orders")
    assert (run["complete"], run["incomplete_reason"]) == (True, None)
    assert listing["start"] == listing["end"]  # a listing claims the instant it was whole
    assert [(s["start"], s["end"]) for s in orders] == [(NOW - timedelta(days=7), NOW)]
    assert companies["start"] == companies["end"] and companies["account_id"] == ""
    assert {s["run_id"] for s in [listing, companies, *orders]} == {run["run_id"]}
