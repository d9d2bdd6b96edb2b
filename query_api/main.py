"""Composition root of the API process (``fleet api``)."""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from core.config import (
    env_int,
    environ,
    load_cors_origins,
    load_database,
    load_jwt,
    load_nats_url,
    load_uber_webhook_secret,
    nats_stream_replicas,
)
from core.heap import freeze_startup_heap
from core.logs import setup_logging
from query_api.app import ApiSettings, create_app
from query_api.draft_warmup import DEFAULT_WEEKS
from query_api.metrics import MULTIPROC_DIR, prepare_multiprocess_dir
from query_api.quality import minimum_fare_rules, week_rules
from query_api.sessions import AuthSettings
from query_api.settlement_rules import company, settlement_rules

# How long an idle keep-alive connection stays open. Longer than the proxy's own idle
# timeout (Traefik keeps backend connections 90 s): with uvicorn's default of 5 s, the proxy
# would now and then send a request on a connection the API was closing, and answer 502.
KEEP_ALIVE_S = 120


def settings_from_env() -> ApiSettings:
    env = environ()
    frontend = env.get("FLEET_FRONTEND_DIR") or str(
        Path(__file__).resolve().parents[1] / "frontend" / "dist"
    )
    nats_url = env.get("NATS_URL")
    if nats_url is None:
        try:
            nats_url = load_nats_url(env)
        except Exception:
            nats_url = None
    return ApiSettings(
        database=load_database(env),
        jwt=load_jwt(env),
        nats_url=nats_url,
        frontend_dir=Path(frontend),
        cors_origins=load_cors_origins(env),
        stream_replicas=nats_stream_replicas(env),
        uber_webhook_secret=load_uber_webhook_secret(env),
        auth=AuthSettings(
            refresh_ttl_s=env_int(env, "JWT_REFRESH_TTL_S", AuthSettings.refresh_ttl_s),
            login_max_failures=env_int(env, "LOGIN_MAX_FAILURES", AuthSettings.login_max_failures),
            login_window_s=env_int(env, "LOGIN_WINDOW_S", AuthSettings.login_window_s),
        ),
        weeks=week_rules(env),
        settlements=settlement_rules(env),
        warm_weeks=env_int(env, "FLEET_SETTLEMENT_WARM_WEEKS", DEFAULT_WEEKS),
        minimum_fares=minimum_fare_rules(env),
        company=company(env),
    )


def app_from_env() -> FastAPI:
    """The app of one uvicorn worker, when ``FLEET_API_WORKERS`` starts several."""
    setup_logging("api")
    app = create_app(settings_from_env())
    freeze_startup_heap()
    return app


def run() -> None:
    env = environ()
    setup_logging("api")
    settings = settings_from_env()  # a bad setting stops us here, before any worker starts
    workers = env_int(env, "FLEET_API_WORKERS", 1)
    if workers > 1 or os.environ.get(MULTIPROC_DIR):  # before the workers start, who inherit it
        prepare_multiprocess_dir(os.environ)
    app: FastAPI | str = "query_api.main:app_from_env"  # several workers: each builds its own
    if workers == 1:
        app = create_app(settings)
        freeze_startup_heap()
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers,
        host=env.get("FLEET_API_HOST", "127.0.0.1"),
        port=env_int(env, "FLEET_API_PORT", 8000),
        log_level="warning",
        access_log=False,
        timeout_keep_alive=env_int(env, "FLEET_API_KEEP_ALIVE_S", KEEP_ALIVE_S),
    )
