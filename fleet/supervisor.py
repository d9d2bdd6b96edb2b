"""``fleet up``: the whole system in one terminal, on the embedded default.

Starts PostgreSQL and nats-server when none is configured, applies migrations, makes sure
the first admin exists, then runs the simulator (without provider credentials), ingest,
relay, projector and API as child processes. A child that dies is restarted with backoff,
and so are the two servers (fleet/servers.py: one that cannot come back stops everything,
with a non-zero exit). Ctrl-C (or SIGTERM) stops the children, then the servers, cleanly.

One `fleet up` per state folder: it holds the folder's lock for its whole life, and every
child it starts gets a signal from the kernel if it dies, SIGKILL included
(fleet/lifetime.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from core.config import (
    ConfigError,
    bolt_credentials_set,
    database_configured,
    env_int,
    environ,
    load_database,
    nats_configured,
    secret,
    state_dir,
    uber_credentials_set,
)
from core.state import write_runtime
from fleet import monitoring
from fleet.accounts import ensure_admin, ensure_org
from fleet.lifetime import StateLock, dies_with_parent
from fleet.postgres import EmbeddedPostgres
from fleet.runtime import EmbeddedNats, free_port
from fleet.servers import ServerWatch
from fleet.setup import DEFAULT_ORG_NAME, prepare_database

STOP_GRACE_S = 10.0


def say(message: str) -> None:
    print(f"[fleet] {message}", flush=True)


@dataclass
class Child:
    """A child process kept running until the supervisor stops."""

    name: str
    argv: list[str]
    env: dict[str, str]
    restarts: int = 0
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)

    async def keep_running(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            started = time.monotonic()
            code = await self._run_once(stop)
            if stop.is_set():
                return
            if time.monotonic() - started > 60:
                backoff = 1.0
            self.restarts += 1
            say(f"{self.name} exited with code {code}; restarting in {backoff:.0f}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), backoff)
            backoff = min(backoff * 2, 30.0)

    async def _run_once(self, stop: asyncio.Event) -> int | None:
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops us in order
            preexec_fn=dies_with_parent(signal.SIGTERM),  # and a killed one stops us too
        )
        pump = asyncio.create_task(self._pump())
        waiter = asyncio.create_task(self.process.wait())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if stop.is_set():
            await self.terminate()
        await waiter
        await pump
        return self.process.returncode

    async def _pump(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            sys.stdout.write(f"[{self.name}] {line.decode(errors='replace')}")
            sys.stdout.flush()

    async def terminate(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_GRACE_S)
        except TimeoutError:
            say(f"{self.name} did not stop in {STOP_GRACE_S:.0f}s; killing it")
            self.process.kill()


WORKERS = ("ingest", "relay", "projector")


def fleet_child(name: str, args: list[str], env: dict[str, str]) -> Child:
    """A ``python -m fleet ARGS`` child."""
    return Child(name, [sys.executable, "-m", "fleet", *args], env)


def _children(env: dict[str, str], sim_port: int | None, metrics: dict[str, int]) -> list[Child]:
    children = []
    if sim_port is not None:
        children.append(fleet_child("simulator", ["simulator", "--port", str(sim_port)], env))
    for name in WORKERS:
        worker_env = {**env, "FLEET_METRICS_PORT": str(metrics[name])}
        children.append(fleet_child(name, [name], worker_env))
    children.append(fleet_child("api", ["api"], env))
    return children


def _monitoring(env: dict[str, str], api_port: int, metrics: dict[str, int]) -> list[Child]:
    """Prometheus and postgres_exporter, when installed (see fleet/monitoring.py)."""
    chosen = monitoring.plan(env)
    if chosen is None:
        say("no local Prometheus (FLEET_PROMETHEUS=off, or apt-get install prometheus)")
        return []
    scraped = monitoring.targets(api_port, metrics, chosen.exporter_port)
    folder = monitoring.write_config(chosen, scraped, state_dir(env))
    children = [Child("prometheus", monitoring.prometheus_argv(chosen, folder), env)]
    if chosen.exporter is not None:
        dsn = monitoring.exporter_dsn(load_database(env).owner_url)
        children.append(
            Child("pg-exporter", monitoring.exporter_argv(chosen), {**env, "DATA_SOURCE_NAME": dsn})
        )
    say(
        f"Prometheus on http://127.0.0.1:{chosen.prometheus_port} "
        f"(scraping every {chosen.scrape_s}s; postgres_exporter: "
        f"{'yes' if chosen.exporter else 'not installed'})"
    )
    return children


def _metrics_ports(env: Mapping[str, str]) -> dict[str, int]:
    """Each worker's own /metrics port (``FLEET_METRICS_PORT`` is the first one tried)."""
    base = env_int(env, "FLEET_METRICS_PORT", 0) or 9101
    ports: dict[str, int] = {}
    for offset, name in enumerate(WORKERS):
        port = free_port(base + offset)
        while port in ports.values():
            port = free_port()
        ports[name] = port
    return ports


def _simulator_env(env: dict[str, str], port: int) -> None:
    """Point the Uber client (and Bolt, unless configured) at the local simulator."""
    base = f"http://127.0.0.1:{port}"
    env.update(
        {
            "UBER_CLIENT_ID": env.get("SIM_UBER_CLIENT_ID", "sim-uber-client"),
            "UBER_CLIENT_SECRET": env.get("SIM_UBER_CLIENT_SECRET", "sim-uber-secret"),
            "UBER_AUTH_URL": f"{base}/oauth/v2/token",
            "UBER_BASE_URL": base,
            "UBER_SIMULATED": "1",
        }
    )
    env.setdefault("UBER_DRIVERS_INTERVAL_S", "300")
    if not bolt_credentials_set(env):
        env.update(
            {
                "BOLT_CLIENT_ID": env.get("SIM_BOLT_CLIENT_ID", "sim-bolt-client"),
                "BOLT_CLIENT_SECRET": env.get("SIM_BOLT_CLIENT_SECRET", "sim-bolt-secret"),
                "BOLT_AUTH_URL": f"{base}/token",
                "BOLT_BASE_URL": f"{base}/fleet-integration-gateway",
                "BOLT_SIMULATED": "1",
            }
        )


async def _admin_login(env: Mapping[str, str]) -> tuple[str, str | None]:
    email = env.get("FLEET_ADMIN_EMAIL", "admin@localhost")
    conn = await asyncpg.connect(load_database(env).owner_url)
    try:
        org_id = await ensure_org(
            conn, env.get("FLEET_ORG_SLUG", "default"), env.get("FLEET_ORG_NAME", DEFAULT_ORG_NAME)
        )
        password = secret(env, "FLEET_ADMIN_PASSWORD") if env.get("FLEET_ADMIN_PASSWORD") else None
        return email, await ensure_admin(conn, org_id, email, password)
    finally:
        await conn.close()


async def _wait_healthy(url: str, stop: asyncio.Event, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline and not stop.is_set():
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return True
            await asyncio.sleep(0.3)
    return False


async def _supervise(
    children: list[Child], watches: list[ServerWatch], api_url: str, login: tuple[str, str | None]
) -> str | None:
    """Run until Ctrl-C or a server that cannot come back; return the latter's message."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(child.keep_running(stop)) for child in children]
    tasks += [asyncio.create_task(watch.run(stop)) for watch in watches]
    if await _wait_healthy(api_url, stop):
        _say_up(api_url, login)
    elif not stop.is_set():
        say(f"the API did not answer on {api_url} within 60s; see the [api] lines above")
    await stop.wait()
    say("stopping…")
    await asyncio.gather(*tasks)
    return next((w.failure for w in watches if w.failure), None)


def _say_up(api_url: str, login: tuple[str, str | None]) -> None:
    email, password = login
    say(f"Fleet Manager is up: {api_url}")
    if password:
        say(f"admin login: {email} / {password}   (shown once; keep it)")
    else:
        say(
            f"admin login: {email} (password from FLEET_ADMIN_PASSWORD or shown at first "
            "start; `fleet users reset-password --email ...` sets a new one)"
        )
    say("press Ctrl-C to stop")


def up() -> None:
    """Run everything until Ctrl-C, as the one owner of the state folder's servers."""
    env = dict(environ())
    state = state_dir(env)
    # First of all: a second `fleet up` on this folder must refuse before it touches anything.
    lock = StateLock.acquire(state, "fleet up")
    try:
        api_port = env_int(env, "FLEET_API_PORT", 8000)
        if free_port(api_port) != api_port:
            raise ConfigError(f"port {api_port} is in use: stop what uses it or set FLEET_API_PORT")
        lock.record(url=f"http://127.0.0.1:{api_port}")
        failure = _run(env, state, api_port)
    finally:
        lock.release()
    if failure:
        sys.exit(f"[fleet] {failure}")


def _run(env: dict[str, str], state: Path, api_port: int) -> str | None:
    env.update({"FLEET_STATE_DIR": str(state), "PYTHONUNBUFFERED": "1"})
    pg = None if database_configured(env) else EmbeddedPostgres(state)
    nats = None if nats_configured(env) else EmbeddedNats(state)
    watches = []
    try:
        if pg is not None:
            say(f"PostgreSQL (embedded) on port {pg.start()}, data in {pg.data}")
            watches.append(ServerWatch("PostgreSQL", pg, say))
        applied = prepare_database(env)
        say(f"migrations: {', '.join(applied) or 'up to date'}")
        login = asyncio.run(_admin_login(env))
        if nats is not None:
            env["NATS_URL"] = nats.start()
            write_runtime(state, nats_url=env["NATS_URL"], nats_port=nats.port)
            say(f"nats-server (embedded, JetStream) at {env['NATS_URL']}")
            watches.append(ServerWatch("nats-server", nats, say))
        children = _plan_children(env, api_port)
        return asyncio.run(_supervise(children, watches, f"http://127.0.0.1:{api_port}", login))
    finally:
        if nats is not None:
            nats.stop()
            write_runtime(state, nats_url=None)
        if pg is not None:
            pg.stop()
        say("stopped")


def _plan_children(env: dict[str, str], api_port: int) -> list[Child]:
    sim_port = None
    if not uber_credentials_set(env):
        sim_port = free_port(8001)
        _simulator_env(env, sim_port)
        say(f"no provider credentials: simulator on http://127.0.0.1:{sim_port}")
    metrics = _metrics_ports(env)
    ports = ", ".join(f"{name} :{port}" for name, port in metrics.items())
    say(f"worker metrics on 127.0.0.1 ({ports}) at /metrics")
    return _children(env, sim_port, metrics) + _monitoring(env, api_port, metrics)
