"""The OpenAPI document is the contract: generated requests never get a 5xx or an
undocumented answer (schemathesis, against the real app over HTTP, logged in as an admin).

The app runs under uvicorn in a thread of its own (its own event loop and pool), so that
schemathesis' synchronous client talks to it as any client would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.config import DatabaseSettings
from core.passwords import hash_password
from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, PASSWORD

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 15}


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread may not; the test stops it
        pass


@pytest.fixture(scope="module")
def live_api(db: DatabaseSettings, nats_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(ApiSettings(database=db, jwt=JWT, nats_url=nats_server.url))
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _admin(owner_url: str) -> str:
    """A new org and its admin, created with the owner's (synchronous) connection."""
    email = f"contract-{uuid.uuid4().hex[:10]}@example.test"
    with psycopg.connect(owner_url) as conn:
        org_id = conn.execute(
            "INSERT INTO orgs (slug, name) VALUES (%s, 'Contract') RETURNING org_id",
            (f"c-{uuid.uuid4().hex[:12]}",),
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO users (org_id, email, password_hash, role) VALUES (%s, %s, %s, 'admin')",
            (org_id, email, hash_password(PASSWORD)),
        )
    return email


@pytest.mark.slow
def test_generated_requests_get_documented_answers_and_never_a_5xx(
    live_api: str, db: DatabaseSettings
) -> None:
    email = _admin(db.owner_url)
    login = httpx.post(f"{live_api}/auth/login", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    schema = schemathesis.openapi.from_url(f"{live_api}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=live_api, headers=headers, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:  # nothing to make invalid: no parameters and no body
                assert mode is GenerationMode.NEGATIVE, operation.label
