"""Open weeks' drafts computed when the API starts, so the first reads find them kept
(docs/SETTLEMENTS.md, "Kept drafts").

The weeks managers work on are those after the last one they approved: for each org, the
``weeks`` first weeks after its latest approved or paid week (none: the current week and
the ones before it), never later than the current week. The API's start waits for them up
to ``WAIT_S``, then serves and lets them finish: reads of a week being computed wait for it
(:class:`query_api.kept_drafts.Keeper`), they do not compute it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.settlement import Rules
from contracts.weeks import IsoWeek, WeekStart, shift, week_of
from query_api.kept_drafts import Keeper
from query_api.settlements import load_week

WAIT_S = 30.0
DEFAULT_WEEKS = 2  # FLEET_SETTLEMENT_WARM_WEEKS
_LATEST = """
SELECT max(week) FROM settlements WHERE org_id = $1 AND status IN ('approved', 'paid')
"""
log = logging.getLogger(__name__)


def open_weeks(latest: IsoWeek | None, today: IsoWeek, weeks: int) -> list[IsoWeek]:
    """The weeks to warm: ``weeks`` after ``latest`` (the last decided), up to ``today``."""
    if latest is None:
        return [shift(today, -k) for k in range(weeks - 1, -1, -1)]
    found = [shift(latest, k) for k in range(1, weeks + 1)]
    return [w for w in found if w.monday() <= today.monday()]


async def warm(
    pool: asyncpg.Pool, keeper: Keeper, rules: Rules, weeks: int, orgs: list[UUID] | None = None
) -> int:
    """Keep the drafts of the open weeks of ``orgs`` (None: every org), through the writer's
    pool, which reads every org's rows; the number of weeks warmed."""
    today = week_of(datetime.now(UTC), WeekStart())
    done = 0
    async with pool.acquire() as conn:
        if orgs is None:
            orgs = [r["org_id"] for r in await conn.fetch("SELECT org_id FROM orgs")]
        for org in orgs:
            latest = await conn.fetchval(_LATEST, org)
            for week in open_weeks(IsoWeek.parse(latest) if latest else None, today, weeks):
                await load_week(conn, org, rules, week, keeper=keeper, statements=False)
                done += 1
    return done


@contextlib.asynccontextmanager
async def warming(
    pool: asyncpg.Pool, keeper: Keeper, rules: Rules, weeks: int
) -> AsyncIterator[None]:
    """Warm the open weeks (nothing when ``weeks`` is 0), waiting up to ``WAIT_S`` before
    the body runs; stopped, if still going, when it ends."""
    if weeks <= 0:
        yield
        return
    task = asyncio.create_task(_logged(warm(pool, keeper, rules, weeks)))
    await asyncio.wait({task}, timeout=WAIT_S)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _logged(work: Coroutine[Any, Any, int]) -> None:
    """Run the warm-up; a failure is logged, never fatal (reads compute what is missing)."""
    started = datetime.now(UTC)
    try:
        done = await work
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("settlement drafts: warming the open weeks failed")
        return
    seconds = (datetime.now(UTC) - started).total_seconds()
    log.info("settlement drafts: %d open weeks kept in %.1f s", done, seconds)
