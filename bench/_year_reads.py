"""The dashboard's heavy reads on the year, through the real API, and their query plans.

The API runs as ``fleet api`` builds it (``bench_api.py``'s server: one uvicorn worker, a
real JWT, the API role under row-level security). The closed-loop load generator
(``_api_load.py``) runs each workload at 8 users, then at 1 user (the baseline: the same
requests without queueing). Workloads: the fleet overview for a month (random months), a
person's year (random people), a week's settlements list (random weeks, approved and paid
ones and the open draft week after the year), the audit list of an entity (random Uber
drivers: their status changes make the busiest entities of the log).

Plans: EXPLAIN (ANALYZE, BUFFERS) of each statement of those routes as the API role with
``app.org_id`` set, with typical arguments: the plan for those arguments, and the generic
plan (``plan_cache_mode = force_generic_plan``), which PostgreSQL may switch to after five
executions of a prepared statement (asyncpg prepares every statement).
"""

from __future__ import annotations

import asyncio
import calendar
import json
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from _harness import OUT
from _year_people import Managers
from _year_world import FIRST_DAY, SEED
from bench_api import JWT, start_server

from contracts.weeks import IsoWeek
from core.config import DatabaseSettings
from fleet.accounts import create_user
from query_api import settlements as s
from query_api.days import DayRange
from query_api.routes import audit_events, overview
from query_api.security import Principal, issue_access_token

HERE = Path(__file__).resolve().parent
USERS = 8
SECONDS = float(os.environ.get("BENCH_YEAR_SECONDS", "10"))
# Which workloads to measure (comma-separated names, see ``workloads``); all by default.
ONLY = [n for n in os.environ.get("BENCH_YEAR_READS", "").split(",") if n]


async def _token(db: DatabaseSettings) -> str:
    conn = await asyncpg.connect(db.owner_url)
    try:
        org = await conn.fetchval("SELECT org_id FROM orgs WHERE slug = 'bench'")
        user = await conn.fetchval(  # there already when the database is kept (bench_year.py)
            "SELECT user_id FROM users WHERE email = 'audit@bench.test'"
        ) or await create_user(conn, email="audit@bench.test", password="bench password 1234",
                               org="bench", role="admin")  # fmt: skip
        await conn.execute("ANALYZE")  # the replayed tables are new: give the planner stats
    finally:
        await conn.close()
    return issue_access_token(JWT, Principal(user, org, "admin", "audit@bench.test"))


def _months(days: int) -> list[tuple[date, date]]:
    """The months the data reaches, first to last day."""
    last = FIRST_DAY + timedelta(days=days - 1)
    out, month = [], FIRST_DAY.replace(day=1)
    while month <= last:
        out.append((month, month.replace(day=calendar.monthrange(month.year, month.month)[1])))
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def _weeks(days: int) -> list[str]:
    """The ISO weeks the data reaches, and the week after it (a draft with no data yet)."""
    found = {IsoWeek(*(FIRST_DAY + timedelta(days=n)).isocalendar()[:2]) for n in range(days + 7)}
    return sorted(str(w) for w in found)


def workloads(managers: Managers, drivers: list[str], days: int) -> dict[str, list[str]]:
    """The paths of each workload (400 each, drawn from the seed)."""
    rng = random.Random(SEED)
    people, months, weeks = sorted(managers.people), _months(days), _weeks(days)
    return {
        "overview_month": [f"/fleet/overview?from={a}&to={b}"
                           for a, b in (rng.choice(months) for _ in range(400))],
        "person_year": [f"/people/{rng.choice(people)}/activity?from=2025-01-01&to=2025-12-31"
                        for _ in range(400)],
        "settlements_week": [f"/settlements?week={rng.choice(weeks)}" for _ in range(400)],
        "audit_entity": [f"/audit/events?entity_id={rng.choice(drivers)}" for _ in range(400)],
    }  # fmt: skip


def _load(port: int, token: str, paths: list[str], users: int) -> dict[str, Any]:
    spec = {"port": port, "token": token, "paths": paths, "seconds": SECONDS, "warmup": 1.0,
            "concurrency": users, "cpu": None, "raw": False}  # fmt: skip
    command = [sys.executable, str(HERE / "_api_load.py")]
    done = subprocess.run(command, input=json.dumps(spec).encode(), capture_output=True)
    if done.returncode != 0:  # the load generator failed: say why, and go on with the others
        return {"error": done.stderr.decode(errors="replace")[-600:]}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def measure_reads(
    db: DatabaseSettings, org: UUID, managers: Managers, days: int
) -> dict[str, Any]:
    """Each workload at 8 users and at 1, and the plans of their statements."""
    token = await _token(db)
    drivers = [str(d) for d in await _uber_drivers(db)]
    work = workloads(managers, drivers, days)
    plans = await explain(db, org, managers, drivers, days)
    OUT.mkdir(exist_ok=True)
    (OUT / "year_plans.txt").write_text(plans)
    process, port = start_server("api", db, org, None)
    try:
        out = {}
        for name, paths in work.items():
            if ONLY and name not in ONLY:
                continue
            many = await asyncio.to_thread(_load, port, token, paths, USERS)
            one = await asyncio.to_thread(_load, port, token, paths, 1)
            out[name] = {"users": USERS, "many": many, "one": one}
    finally:
        process.terminate()
        process.wait(timeout=30)
    return out


async def _uber_drivers(db: DatabaseSettings) -> list[str]:
    conn = await asyncpg.connect(db.owner_url)
    try:
        rows = await conn.fetch("SELECT driver_id FROM drivers WHERE provider = 'uber'")
    finally:
        await conn.close()
    return [r[0] for r in rows]


def _statements(
    managers: Managers, drivers: list[str], days: int
) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(route, SQL, arguments) of the heavy reads, with arguments in the data's middle."""
    bolt = [i.removeprefix("bolt:") for i in managers.bolt_identities]
    month = _months(days)[len(_months(days)) // 2]
    year = (FIRST_DAY, date(2025, 12, 31))
    person = sorted(managers.people)[0]
    middle = FIRST_DAY + timedelta(days=days // 2)
    monday = middle - timedelta(days=middle.weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    week = str(IsoWeek(*monday.isocalendar()[:2]))
    audit = audit_events._EVENTS.sql("asc")
    return [
        ("overview", overview._UBER, month), ("overview", overview._BOLT, month),
        ("overview", overview._DRIVERS, ()),
        ("overview", overview._ACTIVE, overview.active_args(DayRange(*month))),
        ("person year", overview._UBER_OF, (*year, drivers[:1])),
        ("person year", overview._BOLT_OF, (*year, bolt[:1])),
        ("settlements", s._PEOPLE, (None,)), ("settlements", s._STORED, ([person], [week])),
        ("settlements", s._UBER, (drivers, start, start + timedelta(days=7))),
        ("settlements", s._BOLT, (bolt, start, start + timedelta(days=7))),
        ("settlements", s._HOURS, (drivers, monday, monday + timedelta(days=7))),
        ("audit", audit, (None, None, drivers[0], None, None, 0, 51)),
    ]  # fmt: skip


async def explain(
    db: DatabaseSettings, org: UUID, managers: Managers, drivers: list[str], days: int
) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement as the API runs it (see top)."""
    conn = await asyncpg.connect(db.api_url)
    texts = []
    try:
        for route, sql, args in _statements(managers, drivers, days):
            full = (org, *args) if "$1" in sql and "org_id = $1" in sql else args
            for mode in ("auto", "force_generic_plan"):
                async with conn.transaction():
                    await conn.execute(f"SELECT set_config('app.org_id', '{org}', true)")
                    await conn.execute(f"SET LOCAL plan_cache_mode = {mode}")
                    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *full)
                plan = "\n".join(r[0] for r in rows)
                texts.append(f"-- {route} ({mode})\n{sql.strip()}\n{plan}")
    finally:
        await conn.close()
    return "\n\n".join(texts) + "\n"
