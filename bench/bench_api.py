"""Query API speed (issue 5): a fleet's drivers list, a driver's metrics, a driver's trips.

Loads one tenant with 10,000 drivers (each on Uber and Bolt, with a vehicle), 30 days of
Uber daily metrics per driver and 5 million Bolt orders (COPY as the owner, secondary
indexes built after the load), then measures each route at 64 concurrent connections for
~20 s (requests per second and p50/p99 latency), then at a steady 200 requests per second
in an open loop for ~12 s (p50/p99 latency from each request's due time), through the real
API (uvicorn, 1 worker, a real JWT, the API role under row-level security) and, as the
baseline, through a bare raw ASGI app on asyncpg (``_api_bare.py``) running the same SQL in
the same kind of per-request transaction on the same uvicorn. The load comes from another
process (``_api_load.py``).

``BENCH_SCALE`` scales drivers and orders; ``BENCH_API_SECONDS`` and
``BENCH_API_STEADY_SECONDS`` the measuring times. ``BENCH_API_WORKERS=2`` runs both servers
with two uvicorn worker processes each (as ``FLEET_API_WORKERS=2`` runs ``fleet api``),
nothing pinned, and writes ``bench/out/api_workers2.json`` instead of ``api.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from _harness import embedded, new_org, percentile, report, scaled

from core.config import DatabaseSettings, JwtSettings
from core.heap import freeze_startup_heap
from fleet.accounts import create_user
from query_api.app import POOL_SIZE
from query_api.listing import encode_cursor
from query_api.security import Principal, issue_access_token

DRIVERS = scaled(10_000)
ORDERS = scaled(5_000_000)
DAYS = 30
FIRST_DAY = date(2026, 3, 1)
CONCURRENCY = 64
# POOL_SIZE: the API's pool; the bare app gets the same
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "20"))
ROUNDS = 4  # API and bare alternate in ROUNDS slices of SECONDS / ROUNDS each
STEADY_RPS = 200.0  # the open-loop rate at which the p99 goal is < 50 ms
STEADY_SECONDS = float(os.environ.get("BENCH_API_STEADY_SECONDS", "12"))
WARMUP_S = 1.0
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "1"))
HERE = Path(__file__).resolve().parent
JWT = JwtSettings(secret="bench-secret-" + "x" * 40, access_ttl_s=3600)

FIRST_NAMES = (  # noqa: SIM905 (lists of words)
    "Amine Karim Mehdi Youssef Nicolas Julien Thomas Sofiane Ibrahima Moussa Lucas "
    "Hugo Rayan Bilal Samir Omar Adama Mamadou Antoine Pierre Kevin Alexandre Maxime "
    "Nabil Walid Ali Hamza Yanis Ilyes Fabrice"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
    "Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard "
    "Andre Mercier Dupont Lambert Bonnet Francois Martinez Diallo Traore Benali "
    "Haddad Mansouri Kone Cisse Diop Ndiaye Belkacem Bouzid"
).split()
STREETS = (  # noqa: SIM905
    "rue de Rivoli|avenue des Champs-Élysées|boulevard Haussmann|rue de la Roquette|"
    "avenue de Clichy|rue Oberkampf|gare de Lyon|aéroport CDG T2|aéroport d'Orly|"
    "La Défense"
).split("|")


@dataclass(frozen=True)
class Fleet:
    org: uuid.UUID
    token: str
    drivers: list[tuple[str, str, str, str, str]]  # driver_id, first, last, phone, plate


# ---------------------------------------------------------------- data (COPY, as the owner)


def _drivers(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    out = []
    for i in range(DRIVERS):
        driver_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        phone = f"+33 6 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d} {i % 97:02d}"
        plate = (
            f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}-{i % 1000:03d}-{chr(65 + i // 676 % 26)}Z"
        )
        out.append((driver_id, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), phone, plate))
    return out


async def _load_drivers(conn: asyncpg.Connection, fleet: Fleet, now: datetime) -> None:
    rows = []
    vehicles = []
    for n, (driver_id, first, last, phone, plate) in enumerate(fleet.drivers, start=1):
        email = f"{first}.{last}.{n}@example.test".lower()
        for provider in ("uber", "bolt"):
            rows.append(
                (fleet.org, provider, driver_id, "acct-1", first, last, email, phone, "active",
                 [f"veh-{n}"], now, now, n)
            )  # fmt: skip
        vehicles.append(
            (
                fleet.org,
                f"veh-{n}",
                "acct-1",
                plate,
                "Toyota",
                "Corolla",
                2022,
                None,
                "noir",
                now,
                n,
            )
        )
    await conn.copy_records_to_table("drivers", records=rows, columns=_DRIVER_COLUMNS)
    await conn.copy_records_to_table("uber_vehicles", records=vehicles)


_DRIVER_COLUMNS = (
    "org_id", "provider", "driver_id", "account_id", "first_name", "last_name", "email", "phone",
    "status", "vehicle_ids", "first_seen_at", "updated_at", "last_position",
)  # fmt: skip
_METRIC_COLUMNS = (
    "org_id", "provider", "driver_id", "day", "account_id", "trips", "hours_online",
    "hours_on_trip", "earnings_minor", "currency", "updated_at", "last_position",
)  # fmt: skip
_ORDER_COLUMNS = (
    "org_id", "order_reference", "company_id", "driver_uuid", "driver_name", "status",
    "payment_method", "created_at", "finished_at", "currency", "ride_price", "commission",
    "net_earnings", "tip", "toll_fee", "ride_distance", "pickup_address", "destination_address",
    "earnings_day", "updated_at", "last_position",
)  # fmt: skip


def _metrics(fleet: Fleet, now: datetime) -> Iterator[tuple[Any, ...]]:
    n = 0
    for d in range(DAYS):
        day = FIRST_DAY + timedelta(days=d)
        for driver_id, *_ in fleet.drivers:
            n += 1
            online = Decimal(4 + n % 70 / 10).quantize(Decimal("0.01"))
            yield (fleet.org, "uber", driver_id, day, "acct-1", 8 + n % 15, online,
                   (online * Decimal("0.6")).quantize(Decimal("0.01")), 9000 + n * 37 % 12000,
                   "EUR", now, n)  # fmt: skip


def _orders(fleet: Fleet, now: datetime) -> Iterator[tuple[Any, ...]]:
    """Orders in time order across the fleet, as they arrive: a driver's are spread out."""
    per_day = ORDERS // DAYS
    slots = -(-per_day // DRIVERS)
    names = [f"{first} {last}" for _, first, last, _, _ in fleet.drivers]
    n = 0
    for d in range(DAYS):
        day = FIRST_DAY + timedelta(days=d)
        start = datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)
        emitted = 0
        for slot in range(slots):
            base = start + timedelta(minutes=50 * slot)
            for i, (driver_id, *_) in enumerate(fleet.drivers):
                if emitted == per_day:
                    break
                emitted += 1
                n += 1
                created = base + timedelta(seconds=i % 1200)
                price = 800 + n * 7919 % 5200
                yield (fleet.org, f"B{n:09d}", 1001, driver_id, names[i], "finished",
                       "cash" if n % 3 == 0 else "in_app", created,
                       created + timedelta(minutes=25), "EUR", price, price // 4,
                       price - price // 4, 100 if n % 7 == 0 else 0, 0, 3000 + n % 20000,
                       STREETS[n % 10], STREETS[(n + 3) % 10], day, now, n)  # fmt: skip


async def _copy_orders(conn: asyncpg.Connection, fleet: Fleet, now: datetime) -> None:
    """COPY with only the primary key in place; the other indexes are built afterwards."""
    indexes = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'bolt_orders' "
        "AND indexname <> 'bolt_orders_pkey'"
    )
    for index in indexes:
        await conn.execute(f'DROP INDEX "{index["indexname"]}"')
    await conn.copy_records_to_table(
        "bolt_orders", records=_orders(fleet, now), columns=_ORDER_COLUMNS
    )
    await conn.execute("SET maintenance_work_mem = '1GB'")
    for index in indexes:
        await conn.execute(index["indexdef"])


async def load(db: DatabaseSettings) -> tuple[Fleet, dict[str, float]]:
    conn = await asyncpg.connect(db.owner_url)
    timings: dict[str, float] = {}
    try:
        org = await new_org(conn)
        user_id = await create_user(
            conn, email="bench@example.test", password="bench password 1234", org="bench",
            role="manager",
        )  # fmt: skip
        token = issue_access_token(JWT, Principal(user_id, org, "manager", "bench@example.test"))
        fleet = Fleet(org, token, _drivers(random.Random(5)))
        now = datetime.now(UTC)
        started = time.perf_counter()
        await _load_drivers(conn, fleet, now)
        await conn.copy_records_to_table(
            "driver_daily_metrics", records=_metrics(fleet, now), columns=_METRIC_COLUMNS
        )
        timings["drivers_and_metrics_s"] = time.perf_counter() - started
        started = time.perf_counter()
        await _copy_orders(conn, fleet, now)
        timings["orders_s"] = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute(
            "VACUUM ANALYZE drivers, uber_vehicles, driver_daily_metrics, bolt_orders"
        )
        timings["vacuum_analyze_s"] = time.perf_counter() - started
    finally:
        await conn.close()
    return fleet, timings


# ---------------------------------------------------------------- the requests


def _window() -> str:
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    return f"from={FIRST_DAY.isoformat()}&to={last.isoformat()}"


def workloads(fleet: Fleet, count: int = 4000) -> dict[str, list[str]]:
    """Paths per route: list pages (first, random cursor, searches), random drivers."""
    rng = random.Random(7)
    lists = []
    for _ in range(count):
        driver_id, first, last, phone, plate = rng.choice(fleet.drivers)
        kind = rng.random()
        if kind < 0.4:
            lists.append("/fleet/drivers?limit=50")
        elif kind < 0.8:
            lists.append(
                f"/fleet/drivers?limit=50&cursor={encode_cursor((last, first, driver_id))}"
            )
        elif kind < 0.9:
            lists.append(f"/fleet/drivers?limit=50&q={last}")
        elif kind < 0.95:
            lists.append(f"/fleet/drivers?limit=50&q={plate[:6]}")
        else:
            lists.append(f"/fleet/drivers?limit=50&q={phone[-8:].replace(' ', '%20')}")
    window = _window()
    picks = [rng.choice(fleet.drivers)[0] for _ in range(count)]
    return {
        "drivers_list": lists,
        "driver_metrics": [f"/fleet/drivers/{d}/metrics?{window}" for d in picks],
        "driver_trips": [f"/bolt/drivers/{d}/trips?{window}" for d in picks],
    }


# ---------------------------------------------------------------- servers and load


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cpus() -> tuple[int | None, int | None, str]:
    """(server CPU, load CPU, how the cores are shared)."""
    cores = sorted(os.sched_getaffinity(0))
    if WORKERS > 1:
        return None, None, f"{len(cores)} cores, {WORKERS} workers per server, nothing pinned"
    if len(cores) >= 2 and os.environ.get("BENCH_PIN", "1") == "1":
        how = (
            f"{len(cores)} cores: server pinned to CPU {cores[0]}, load generator to CPU "
            f"{cores[1]}, PostgreSQL unpinned (its backends run on any core, beside both)"
        )
        return cores[0], cores[1], how
    return None, None, f"{len(cores)} cores, nothing pinned (BENCH_PIN=0 or a single core)"


def start_server(kind: str, db: DatabaseSettings, org: uuid.UUID, cpu: int | None) -> Any:
    port = _free_port()
    env = {
        **os.environ,
        "BENCH_OWNER_URL": db.owner_url,
        "BENCH_WRITER_URL": db.writer_url,
        "BENCH_API_URL": db.api_url,
        "BENCH_API_ROLE": db.api_role or "",
        "BENCH_WRITER_ROLE": db.writer_role or "",
        "BENCH_ORG_ID": str(org),
        "BENCH_POOL_SIZE": str(POOL_SIZE),
        "BENCH_CPU": "" if cpu is None else str(cpu),
    }
    cmd = [sys.executable, str(HERE / "bench_api.py"), "serve", kind, str(port)]
    process = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process, port
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the {kind} server did not start")


def serve(kind: str, port: int) -> None:
    """The server process: the real API as ``fleet api`` builds it, or the bare app; with
    ``WORKERS`` > 1, that many uvicorn workers, each building its app (``worker_app``)."""
    import uvicorn

    if cpu := os.environ.get("BENCH_CPU"):
        os.sched_setaffinity(0, {int(cpu)})
    if WORKERS > 1:
        os.environ["BENCH_SERVE_KIND"] = kind
        sys.path.insert(0, str(HERE))
        uvicorn.run(
            "bench_api:worker_app", factory=True, workers=WORKERS, host="127.0.0.1",
            port=port, log_level="warning", access_log=False,
        )  # fmt: skip
        return
    uvicorn.run(_app(kind), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def worker_app() -> Any:
    """One worker's app (``WORKERS`` > 1), of the kind ``serve`` was asked for."""
    return _app(os.environ["BENCH_SERVE_KIND"])


def _app(kind: str) -> Any:
    if kind == "api":
        from query_api.app import ApiSettings, create_app
        from query_api.draft_warmup import DEFAULT_WEEKS

        database = DatabaseSettings(
            owner_url=os.environ["BENCH_OWNER_URL"],
            writer_url=os.environ["BENCH_WRITER_URL"],
            api_url=os.environ["BENCH_API_URL"],
            writer_role=os.environ["BENCH_WRITER_ROLE"] or None,
            api_role=os.environ["BENCH_API_ROLE"] or None,
        )
        # The product's warm-up of the open weeks' drafts (FLEET_SETTLEMENT_WARM_WEEKS).
        app: Any = create_app(
            ApiSettings(database=database, jwt=JWT, nats_url=None, warm_weeks=DEFAULT_WEEKS)
        )
    else:
        from _api_bare import app_from_env

        app = app_from_env()
    freeze_startup_heap()  # as ``fleet api`` does; the bare app too, for a like-for-like tail
    return app


def measure(
    port: int,
    token: str,
    paths: list[str],
    cpu: int | None,
    seconds: float,
    warmup: float,
    rate: float | None = None,
) -> dict[str, Any]:
    spec = {
        "port": port, "token": token, "paths": paths, "seconds": seconds, "warmup": warmup,
        "concurrency": CONCURRENCY, "cpu": cpu, "raw": True, "rate": rate,
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(HERE / "_api_load.py")],
        input=json.dumps(spec).encode(),
        capture_output=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _merged(slices: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(x for one in slices for x in one["latencies_ms"])
    elapsed = sum(one["elapsed_s"] for one in slices)
    return {
        "requests": len(latencies),
        "errors": sum(one["errors"] for one in slices),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50),
        "p90_ms": percentile(latencies, 0.90),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": latencies[-1],
        "slices_rps": [round(one["rps"], 1) for one in slices],
    }


def compare(
    ports: dict[str, int], token: str, paths: list[str], cpu: int | None,
    rate: float | None = None,
) -> dict[str, Any]:  # fmt: skip
    """API and bare in alternating slices, so that a change in the machine's load (other
    processes) weighs on both alike; each slice after its own short warm-up. Closed loop at
    ``CONCURRENCY`` connections, or open loop at ``rate`` requests per second."""
    slices: dict[str, list[dict[str, Any]]] = {kind: [] for kind in ports}
    load_before = os.getloadavg()[0]
    seconds = SECONDS if rate is None else STEADY_SECONDS
    for _ in range(ROUNDS):
        for kind, port in ports.items():
            slices[kind].append(measure(port, token, paths, cpu, seconds / ROUNDS, WARMUP_S, rate))
    result = {kind: _merged(parts) for kind, parts in slices.items()}
    result["loadavg_1m"] = [load_before, os.getloadavg()[0]]
    return result


def same_answers(api_port: int, bare_port: int, token: str, paths: list[str]) -> bool:
    """The bare app answers the same JSON as the API (a sample of each route)."""
    headers = {"Authorization": f"Bearer {token}"}
    for path in paths:
        a = httpx.get(f"http://127.0.0.1:{api_port}{path}", headers=headers, timeout=10)
        b = httpx.get(f"http://127.0.0.1:{bare_port}{path}", timeout=10)
        if a.status_code != 200 or a.json() != b.json():
            print(f"  ! answers differ on {path}: {a.status_code} {a.text[:200]}")
            return False
    return True


# ---------------------------------------------------------------- the run


def _line(name: str, pair: dict[str, Any]) -> list[str]:
    api, bare = pair["api"], pair["bare"]
    steady, steady_bare = pair["steady"]["api"], pair["steady"]["bare"]
    ratio = api["rps"] / bare["rps"]
    met = ratio >= 0.6 and api["p99_ms"] <= bare["p99_ms"] and steady["p99_ms"] < 50
    return [
        f"{name}: API {api['rps']:,.0f} req/s, p50 {api['p50_ms']:.1f} ms, "
        f"p99 {api['p99_ms']:.1f} ms ({api['errors']} errors)",
        f"  baseline, bare asyncpg ASGI: {bare['rps']:,.0f} req/s, p50 {bare['p50_ms']:.1f} ms, "
        f"p99 {bare['p99_ms']:.1f} ms ({bare['errors']} errors)",
        f"  steady {STEADY_RPS:.0f} req/s (open loop): API p50 {steady['p50_ms']:.1f} ms, "
        f"p99 {steady['p99_ms']:.1f} ms; bare p50 {steady_bare['p50_ms']:.1f} ms, "
        f"p99 {steady_bare['p99_ms']:.1f} ms",
        f"  API at {ratio:.2f}× the bare throughput (goals: ≥ 0.6×, p99 at {CONCURRENCY} "
        f"connections ≤ the bare app's, p99 < 50 ms at {STEADY_RPS:.0f} req/s: "
        f"{'met' if met else 'SHORT'})",
    ]


async def _loaded(db: DatabaseSettings) -> tuple[Fleet, dict[str, float]]:
    started = time.perf_counter()
    fleet, timings = await load(db)
    timings["total_s"] = time.perf_counter() - started
    return fleet, timings


def run_all(db: DatabaseSettings) -> None:
    fleet, timings = asyncio.run(_loaded(db))
    print(
        f"loaded {DRIVERS:,} drivers, {DRIVERS * DAYS:,} daily metrics, {ORDERS:,} Bolt orders "
        f"in {timings['total_s']:.0f} s (orders {timings['orders_s']:.0f} s incl. indexes)"
    )
    server_cpu, load_cpu, cores = _cpus()
    work = workloads(fleet)
    api, api_port = start_server("api", db, fleet.org, server_cpu)
    bare, bare_port = start_server("bare", db, fleet.org, server_cpu)
    results: dict[str, Any] = {}
    try:
        sample = [paths[i] for paths in work.values() for i in range(0, 4000, 400)]
        same = same_answers(api_port, bare_port, fleet.token, sample)
        ports = {"api": api_port, "bare": bare_port}
        for name, paths in work.items():
            results[name] = compare(ports, fleet.token, paths, load_cpu)
            results[name]["steady"] = compare(ports, fleet.token, paths, load_cpu, STEADY_RPS)
    finally:
        for process in (api, bare):
            process.terminate()
            process.wait(timeout=30)
    lines = [
        f"  {cores}; 1-minute load average {os.getloadavg()[0]:.1f} at the end "
        "(other processes on the machine weigh on both servers alike: slices alternate)",
        f"  same JSON from the API and the bare app: {same}",
    ]
    for name, pair in results.items():
        lines += _line(name.replace("_", " "), pair)
        pair["ratio"] = pair["api"]["rps"] / pair["bare"]["rps"]
    figures = {
        "drivers": DRIVERS, "orders": ORDERS, "metrics_rows": DRIVERS * DAYS,
        "concurrency": CONCURRENCY, "seconds": SECONDS, "pool_size": POOL_SIZE, "cores": cores,
        "workers": WORKERS,
        "steady_rps": STEADY_RPS, "steady_seconds": STEADY_SECONDS,
        "load": timings, "same_json": same, "routes": results,
    }  # fmt: skip
    report("api" if WORKERS == 1 else f"api_workers{WORKERS}", lines, figures)


async def _main() -> None:
    async with embedded() as (_, db):
        await asyncio.to_thread(run_all, db)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        asyncio.run(_main())
