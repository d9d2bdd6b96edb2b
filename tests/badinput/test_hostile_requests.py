"""Hostile requests against every route of the OpenAPI document: never a 5xx, every error a
problem document, and the event log untouched.

Routes come from the app's own OpenAPI document (each path and method), so a new route is
attacked without editing this file. Run with ``-s`` for the counts.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import jwt
import pytest

from core.config import DatabaseSettings
from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, ApiClient, bearer, login, login_tokens

pytestmark = pytest.mark.badinput

PROBLEM = "application/problem+json"
# Answers that are not errors: the public routes ignore what they do not read.
PUBLIC = ("/healthz", "/readyz", "/metrics", "/docs", "/openapi.json", "/docs/oauth2-redirect")

HOSTILE_TEXT = [
    "' OR '1'='1",
    "1; DROP TABLE event_log; --",
    "%' UNION SELECT password_hash FROM users --",
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "\u0000nul",
    "x" * 10_000,
    "😈" * 300,
    "<script>alert(1)</script>",
]
HOSTILE_NUMBERS = ["-1", "0", "-9223372036854775809", "9223372036854775808", "1e309", "NaN"]
HOSTILE_DATES = [
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "10000-01-01T00:00:00Z",
    "2025-02-30T00:00:00Z",
    "-infinity",
    "2025-03-10T25:61:61Z",
    "2025-03-10",
]
HOSTILE_CURSORS = ["!!!", "e30", base64.urlsafe_b64encode(b'["x",' * 50).decode(), "A" * 3000]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    params: tuple[tuple[str, dict[str, Any]], ...]  # query parameters with their schema
    has_body: bool

    def url(self, path_value: str = "1") -> str:
        out = self.path
        while "{" in out:
            start, end = out.index("{"), out.index("}")
            out = out[:start] + quote(path_value, safe="") + out[end + 1 :]
        return out


def routes(openapi: dict[str, Any]) -> list[Route]:
    """Each (method, path) of the OpenAPI document."""
    found = []
    for path, item in openapi["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            query = tuple(
                (p["name"], p.get("schema", {}))
                for p in op.get("parameters", [])
                if p.get("in") == "query"
            )
            found.append(Route(method.upper(), path, query, "requestBody" in op))
    return found


def hostile_queries(route: Route) -> Iterator[dict[str, str]]:
    """For each query parameter: text, numbers, dates and cursors it should refuse or bear."""
    for name, _schema in route.params:
        for value in [*HOSTILE_TEXT, *HOSTILE_NUMBERS, *HOSTILE_DATES, *HOSTILE_CURSORS]:
            yield {name: value}
    yield {"limit": "-5", "cursor": "../../x"}
    yield {"limit": "99999999999999999999"}


def hostile_bodies() -> Iterator[tuple[str, bytes, str]]:
    """(what, body, content type) of request bodies no route should choke on."""
    nested = b"[" * 100_000 + b"]" * 100_000
    yield "malformed JSON", b'{"email": "a@b", "password": ', "application/json"
    yield "JSON array", b"[1, 2, 3]", "application/json"
    yield (
        "invalid UTF-8",
        b'{"email": "\xff\xfe\xc3\x28@x", "password": "\xed\xa0\x80"}',
        ("application/json"),
    )
    yield "deep nesting (100k levels)", nested, "application/json"
    yield "deep object nesting", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json"
    yield (
        "1 MB string",
        json.dumps({"email": "a" * 1_000_000, "password": "x"}).encode(),
        ("application/json"),
    )
    yield "5 MB body", b'{"refresh_token": "' + b"A" * 5_000_000 + b'"}', "application/json"
    yield (
        "wrong types",
        b'{"email": 1, "password": [null], "refresh_token": {}}',
        ("application/json"),
    )
    yield "form body", b"email=a%40b&password=x", "application/x-www-form-urlencoded"
    yield "huge number", b'{"count": 1' + b"0" * 5000 + b"}", "application/json"


def forged_tokens(real: str, refresh: str) -> Iterator[tuple[str, str]]:
    """(what, token) of tokens that must not authenticate."""
    claims = jwt.decode(real, options={"verify_signature": False})
    head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    yield "alg none", f"{head}.{body}."
    yield "another key", jwt.encode(claims, "not-the-secret-" + "y" * 40, algorithm="HS256")
    yield "role forged", jwt.encode({**claims, "role": "admin"}, "z" * 48, algorithm="HS256")
    yield "expired", jwt.encode({**claims, "exp": int(time.time()) - 60}, JWT.secret, "HS256")
    yield "HS512 confusion", jwt.encode(claims, JWT.secret, algorithm="HS512")
    yield "payload swapped", real.rsplit(".", 2)[0].split(".")[0] + "." + body + "."
    yield "refresh token as access token", refresh
    yield "garbage", "not.a.jwt"
    yield "empty", ""
    yield "10 KB", "a" * 10_000


@dataclass
class Tally:
    """What was sent and how it was answered."""

    statuses: Counter[int]
    bad: list[str]

    def check(self, what: str, response: httpx.Response, must_refuse: bool) -> None:
        self.statuses[response.status_code] += 1
        status = response.status_code
        problem = response.headers.get("content-type", "").startswith(PROBLEM)
        if (
            status >= 500
            or (must_refuse and not 400 <= status < 500)
            or (status >= 400 and not problem)
        ):
            self.bad.append(f"{what} -> {status} {response.text[:150]!r}")


async def _log_state(pool: asyncpg.Pool) -> tuple[int, int]:
    row = await pool.fetchrow(
        "SELECT count(*) AS n, coalesce(max(position), 0) AS p FROM event_log"
    )
    assert row is not None
    return int(row["n"]), int(row["p"])


def _public(route: Route) -> bool:
    return route.path.startswith(PUBLIC) or route.path.startswith("/auth/login")


async def test_hostile_ids_and_filters_on_every_route_never_answer_5xx(
    api: httpx.AsyncClient, make_user: Any, org_id: Any, owner_pool: asyncpg.Pool
) -> None:
    headers = bearer((await login_tokens(api, await make_user(org_id, "admin")))["access_token"])
    all_routes = routes((await api.get("/openapi.json")).json())
    before = await _log_state(owner_pool)
    tally = Tally(Counter(), [])
    for route in all_routes:
        if route.method == "POST" and "{" not in route.path:
            continue  # bodies are the next test's
        for value in [*HOSTILE_TEXT, *HOSTILE_NUMBERS] if "{" in route.path else ["1"]:
            response = await api.request(route.method, route.url(value), headers=headers)
            tally.check(f"{route.method} {route.url(value)[:80]}", response, False)
        for params in hostile_queries(route):
            response = await api.request(route.method, route.url(), params=params, headers=headers)
            tally.check(f"{route.method} {route.path} {str(params)[:80]}", response, False)
    after = await _log_state(owner_pool)

    sent = sum(tally.statuses.values())
    print(f"\n[badinput] injected: {sent} requests with hostile ids and query values (SQL, path")
    print("           traversal, NUL, 10k chars, huge/negative numbers, bad dates, forged")
    print(f"           cursors) on {len(all_routes)} routes, as an admin")
    print(f"  answers: {dict(sorted(tally.statuses.items()))}")
    assert tally.bad == [], "\n".join(tally.bad[:20])
    assert after == before
    print(f"  verified: no 5xx, every error a problem document, event log unchanged {after}")


async def test_hostile_bodies_on_every_route_taking_one_answer_4xx_problems(
    api: httpx.AsyncClient, make_user: Any, org_id: Any, owner_pool: asyncpg.Pool
) -> None:
    headers = bearer((await login_tokens(api, await make_user(org_id, "admin")))["access_token"])
    posts = [r for r in routes((await api.get("/openapi.json")).json()) if r.method != "GET"]
    before = await _log_state(owner_pool)
    tally = Tally(Counter(), [])
    started = time.monotonic()
    for route in posts:
        for what, body, content_type in hostile_bodies():
            response = await api.request(
                route.method,
                route.url("no-such-resource"),  # nothing queued: a sync is no bad input
                content=body,
                headers={**headers, "Content-Type": content_type},
            )
            expect_refusal = route.has_body
            tally.check(f"{route.method} {route.path} {what}", response, expect_refusal)
    after = await _log_state(owner_pool)

    print(f"\n[badinput] injected: {sum(tally.statuses.values())} hostile bodies (malformed")
    print("           JSON, invalid UTF-8, 100k-deep nesting, 1–5 MB, wrong types) on")
    print(f"           {', '.join(f'{r.method} {r.path}' for r in posts)}")
    print(f"  answers: {dict(sorted(tally.statuses.items()))} in {time.monotonic() - started:.1f}s")
    assert tally.bad == [], "\n".join(tally.bad[:20])
    assert after == before
    print(f"  verified: every route with a body refused each with a 4xx problem; log {after}")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the HS512 forgery
async def test_forged_and_replayed_tokens_are_refused_on_every_protected_route(
    api: httpx.AsyncClient, make_user: Any, org_id: Any, owner_pool: asyncpg.Pool
) -> None:
    tokens = await login_tokens(api, await make_user(org_id, "viewer"))
    refreshed = await api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    replayed = await api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    all_routes = [r for r in routes((await api.get("/openapi.json")).json()) if not _public(r)]
    protected = [r for r in all_routes if not r.path.startswith(("/auth/refresh", "/auth/logout"))]
    before = await _log_state(owner_pool)
    tally = Tally(Counter(), [])
    forged = list(forged_tokens(tokens["access_token"], tokens["refresh_token"]))
    for route in protected:
        for what, token in forged:
            response = await api.request(route.method, route.url(), headers=bearer(token))
            tally.check(f"{route.method} {route.path} {what}", response, True)
    after = await _log_state(owner_pool)

    print(f"\n[badinput] injected: {len(forged)} forged tokens ({', '.join(w for w, _ in forged)})")
    print(f"           on {len(protected)} protected routes; a refresh token replayed")
    assert replayed.status_code == 401 and replayed.headers["content-type"].startswith(PROBLEM)
    assert tally.bad == [], "\n".join(tally.bad[:20])
    assert set(tally.statuses) <= {401, 403}, tally.statuses
    assert after == before
    print(
        f"  verified: the replayed refresh token got 401; every forged token {dict(tally.statuses)}"
    )
    print("            as a problem document; event log unchanged")


async def test_a_sync_request_nats_cannot_take_answers_503_not_500(
    db: DatabaseSettings, make_user: Any, org_id: Any, owner_pool: Any
) -> None:
    app = create_app(ApiSettings(database=db, jwt=JWT, nats_url=None))  # NATS unreachable
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        headers = await login(client, await make_user(org_id, "admin"))
        response = await client.post("/fleet/sync/drivers", headers=headers)
    print("\n[badinput] injected: POST /fleet/sync/drivers with NATS unreachable")
    print(f"  answered: {response.status_code} {response.headers.get('content-type')}")
    assert response.status_code == 503
    statuses = await owner_pool.fetch("SELECT status FROM sync_runs WHERE org_id = $1", org_id)
    assert [r["status"] for r in statuses] == ["failed"]  # not left queued
