"""Sync on demand (admin): ask ingest to poll a resource now, and follow the runs.

The run is recorded 'queued' and committed first, then the command goes out on JetStream
(contracts.commands.SyncRequested); the ingest process that takes it moves the run along.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from contracts.commands import SYNC_ENCODER, SyncRequested
from contracts.resources import RESOURCES
from contracts.subjects import sync_subject
from query_api.deps import ADMIN_ROLE, Admin, TenantConn
from query_api.listing import ExportCsv, csv_of
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_data import ResourceSync, SyncAccepted, SyncRun, SyncStatusList

router = APIRouter(tags=["sync"], dependencies=[Depends(ADMIN_ROLE)])

ResourceName = Annotated[str, Path(max_length=64, pattern=r"^[a-z_]+$")]

_COLUMNS = (
    "run_id, provider, resource, trigger, status, requested_at, started_at, finished_at, "
    "calls, records, appended, quarantined, error"
)
_QUEUE = """
INSERT INTO sync_runs (org_id, provider, resource, trigger, requested_by, status)
VALUES ($1, $2, $3, 'manual', $4, 'queued') RETURNING run_id
"""
_UNSENT = """
UPDATE sync_runs SET status = 'failed', finished_at = now(), error = 'NATS unavailable'
WHERE run_id = $1
"""
_ONE = f"SELECT {_COLUMNS} FROM sync_runs WHERE run_id = $1"  # noqa: S608 (constants)
_LATEST = (
    f"SELECT DISTINCT ON (provider, resource) {_COLUMNS} FROM sync_runs "  # noqa: S608
    "ORDER BY provider, resource, requested_at DESC"
)


def _run(row: asyncpg.Record) -> SyncRun:
    return SyncRun(**{key: row[key] for key in SyncRun.__struct_fields__})


async def _in_tenant(pool: asyncpg.Pool, org_id: UUID, sql: str, *args: object) -> object:
    """One statement in its own committed transaction under the caller's org."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        return await conn.fetchval(sql, *args)


async def _request_sync(request: Request, who: Admin, provider: str, resource: str) -> Response:
    if resource not in RESOURCES[provider]:
        raise ApiProblem(
            404,
            "Not Found",
            f"{provider} has no resource {resource!r}; one of {', '.join(RESOURCES[provider])}",
        )
    pool = request.app.state.pool
    run_id = await _in_tenant(pool, who.org_id, _QUEUE, who.org_id, provider, resource, who.user_id)
    assert isinstance(run_id, UUID)
    command = SyncRequested(
        run_id=run_id,
        org_id=who.org_id,
        provider=provider,
        resource=resource,
        requested_by=who.user_id,
    )
    nc = request.app.state.nats
    try:
        if nc is None or not nc.is_connected:
            raise ConnectionError("not connected")
        await nc.jetstream().publish(
            sync_subject(who.org_id, provider, resource), SYNC_ENCODER.encode(command), timeout=5
        )
    except Exception as exc:
        await _in_tenant(pool, who.org_id, _UNSENT, run_id)
        raise ApiProblem(
            503, "Service Unavailable", "the sync could not be sent (NATS unavailable); try again"
        ) from exc
    return MsgspecResponse(SyncAccepted(run_id=run_id, status="queued"), status_code=202)


_ACCEPTED = {
    202: {
        "description": "Queued",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SyncAccepted"}}},
    },
    **problems(401, 403, 404, 422, 503),
}


@router.post(
    "/fleet/sync/{resource}", response_class=MsgspecResponse, status_code=202, responses=_ACCEPTED
)
async def uber_sync(resource: ResourceName, request: Request, who: Admin) -> Response:
    """Poll an Uber resource now (organizations, drivers, vehicles, driver_status,
    daily_metrics, payments, transactions); returns the run to follow."""
    return await _request_sync(request, who, "uber", resource)


@router.post(
    "/bolt/sync/{resource}", response_class=MsgspecResponse, status_code=202, responses=_ACCEPTED
)
async def bolt_sync(resource: ResourceName, request: Request, who: Admin) -> Response:
    """Poll a Bolt resource now (companies, drivers, vehicles, orders, state_logs)."""
    return await _request_sync(request, who, "bolt", resource)


@router.get(
    "/sync/runs/{run_id}",
    response_class=MsgspecResponse,
    responses={**ok(SyncRun), **problems(401, 403, 404, 422)},
)
async def sync_run(run_id: UUID, conn: TenantConn) -> MsgspecResponse:
    """One sync run: its status, counts and error."""
    row = await conn.fetchrow(_ONE, run_id)
    if row is None:
        raise ApiProblem(404, "Not Found", "no such sync run")
    return MsgspecResponse(_run(row))


@router.get(
    "/sync/status",
    response_class=MsgspecResponse,
    responses={**ok(SyncStatusList, csv=True), **problems(401, 403, 422)},
)
async def sync_status(conn: TenantConn, csv: ExportCsv) -> Response:
    """The last run of every resource of both providers (null when never run)."""
    latest = {(r["provider"], r["resource"]): _run(r) for r in await conn.fetch(_LATEST)}
    items = [
        ResourceSync(provider=p, resource=res, last_run=latest.get((p, res)))
        for p, names in RESOURCES.items()
        for res in names
    ]
    if csv:
        return csv_of(items, ResourceSync, "sync-status.csv")
    return MsgspecResponse(SyncStatusList(items=items))
