"""Operations for admins: how far behind the log each projection is."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from projector.lag import ProjectionLag, all_projection_lag
from query_api.deps import ADMIN_ROLE, TenantConn
from query_api.listing import ExportCsv, csv_of
from query_api.schemas import MsgspecResponse, ProjectionList, ProjectionStatus, ok, problems

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(ADMIN_ROLE)])


def _status(lag: ProjectionLag) -> ProjectionStatus:
    return ProjectionStatus(
        name=lag.projection,
        position=lag.checkpoint,
        head=lag.head,
        lag_events=lag.events_behind,
        lag_seconds=lag.seconds_behind,
        parked=lag.parked,
    )


@router.get(
    "/projections",
    response_class=MsgspecResponse,
    responses={**ok(ProjectionList, csv=True), **problems(401, 403, 422)},
)
async def projections(conn: TenantConn, csv: ExportCsv) -> Response:
    """Each projection's checkpoint, its lag behind the head of the log, and parked events.

    ``lag_events`` = head − position; ``lag_seconds`` = age of the oldest event not yet
    applied (0 when caught up); ``parked`` = open parked events. These figures cover the
    whole log (every org): projections are shared, and no event content is shown.
    """
    lags = await all_projection_lag(conn)
    items = [_status(lag) for lag in lags]
    if csv:
        return csv_of(items, ProjectionStatus, "projections.csv")
    return MsgspecResponse(ProjectionList(items=items))
