"""Sync on demand through the API: a queued run, a command on JetStream, status per resource."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from contracts.commands import SYNC_DECODER
from contracts.resources import RESOURCES
from contracts.subjects import sync_subject
from eventlog.bus import connect, ensure_commands_stream
from tests.apihelp import ApiClient, login
from tests.conftest import NatsServer


async def test_an_admin_sync_queues_a_run_and_sends_the_command(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID, nats_server: NatsServer
) -> None:
    nc = await connect(nats_server.url, "test-sync-api", retry_for_s=10)
    try:
        js = nc.jetstream()
        await ensure_commands_stream(js)
        headers = await login(api, await make_user(org_id, "admin"))
        response = await api.post("/bolt/sync/orders", headers=headers)
        # Read it without a consumer (a work queue allows only ingest's), then take it out.
        msg = await js.get_last_msg("FLEET_COMMANDS", sync_subject(org_id, "bolt", "orders"))
        await js.delete_msg("FLEET_COMMANDS", msg.seq)
    finally:
        await nc.close()

    assert response.status_code == 202
    run_id = response.json()["run_id"]
    command = SYNC_DECODER.decode(msg.data)
    assert (str(command.run_id), command.provider, command.resource) == (run_id, "bolt", "orders")
    run = (await api.get(f"/sync/runs/{run_id}", headers=headers)).json()
    assert (run["status"], run["trigger"]) == ("queued", "manual")
    status = (await api.get("/sync/status", headers=headers)).json()["items"]
    [orders] = [s for s in status if (s["provider"], s["resource"]) == ("bolt", "orders")]
    assert orders["last_run"]["run_id"] == run_id
    assert len(status) == sum(map(len, RESOURCES.values()))  # every resource, run or not


async def test_unknown_resources_and_other_tenants_runs_are_404(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    other = await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, 'Other') RETURNING org_id",
        f"s-{org_id.hex[:12]}",
    )
    theirs = await owner_pool.fetchval(
        "INSERT INTO sync_runs (org_id, provider, resource, trigger, status) "
        "VALUES ($1, 'uber', 'drivers', 'manual', 'queued') RETURNING run_id",
        other,
    )
    headers = await login(api, await make_user(org_id, "admin"))
    assert (await api.post("/fleet/sync/orders", headers=headers)).status_code == 404
    assert (await api.get(f"/sync/runs/{theirs}", headers=headers)).status_code == 404
    mine = (await api.get("/sync/status", headers=headers)).json()["items"]
    assert all(s["last_run"] is None for s in mine)


async def test_a_run_says_whether_it_fetched_all_it_asked_for_and_why_not(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    run_id = await owner_pool.fetchval(
        "INSERT INTO sync_runs (org_id, provider, resource, trigger, status, complete, "
        "incomplete_reason) VALUES ($1, 'bolt', 'orders', 'schedule', 'succeeded', false, "
        "'company 1: getFleetOrders: received 10 of 12 rows') RETURNING run_id",
        org_id,
    )
    headers = await login(api, await make_user(org_id, "admin"))

    run = (await api.get(f"/sync/runs/{run_id}", headers=headers)).json()

    assert (run["status"], run["complete"]) == ("succeeded", False)
    assert run["incomplete_reason"] == "company 1: getFleetOrders: received 10 of 12 rows"


async def test_the_spec_names_of_the_sync_routes_run_the_resources_they_alias(
    api: ApiClient, make_user, org_id: UUID, nats_server: NatsServer
) -> None:
    spec_names = {
        "/fleet/sync/orgs": ("uber", "organizations"),
        "/fleet/sync/metrics": ("uber", "daily_metrics"),
        "/bolt/sync/trips": ("bolt", "orders"),
    }
    headers = await login(api, await make_user(org_id, "admin"))
    nc = await connect(nats_server.url, "test-sync-aliases", retry_for_s=10)
    sent = {}
    try:
        js = nc.jetstream()
        await ensure_commands_stream(js)
        for path, (provider, resource) in spec_names.items():
            assert (await api.post(path, headers=headers)).status_code == 202, path
            subject = sync_subject(org_id, provider, resource)
            msg = await js.get_last_msg("FLEET_COMMANDS", subject)
            await js.purge_stream("FLEET_COMMANDS", subject=subject)
            command = SYNC_DECODER.decode(msg.data)
            sent[path] = (command.provider, command.resource)
    finally:
        await nc.close()

    assert sent == spec_names
