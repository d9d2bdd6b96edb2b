"""Every answer the API gives is in its OpenAPI document, with the media type it is sent as.

The operations come from the document itself, so a route added later is checked without
editing this file. Each is called as an admin, without a token, as a viewer, with an unknown
query parameter, with each date or time parameter written as a Unix time, and with an empty
body where it takes one; every status answered must be documented for that operation, and
the answer's Content-Type must be one the document lists for that status.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from tests.api.seed import seed_page
from tests.apihelp import login


@dataclass(frozen=True)
class Call:
    what: str
    headers: dict[str, str]
    params: dict[str, str]
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    def url(self, ids: dict[str, str]) -> str:
        url = self.path
        for name in (p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"):
            url = url.replace(f"{{{name}}}", ids.get(name, "1"))
        return url

    def time_params(self) -> list[str]:
        """The query parameters documented as a date or a date-time."""
        return [
            p["name"]
            for p in self.spec.get("parameters", [])
            if p["in"] == "query" and '"format": "date' in repr(p["schema"]).replace("'", '"')
        ]


def operations(document: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method.upper(), path, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
    ]


def calls(op: Operation, admin: dict[str, str], viewer: dict[str, str]) -> Iterator[Call]:
    """The requests that provoke each class of answer this operation can give."""
    yield Call("as an admin", admin, {})
    yield Call("as CSV", {**admin, "Accept": "text/csv"}, {})
    yield Call("without a token", {}, {})
    yield Call("as a viewer", viewer, {})
    yield Call("with an unknown query parameter", admin, {"no_such_parameter": "1"})
    for name in op.time_params():
        yield Call(f"with {name}=0", admin, {name: "0"})
    if "requestBody" in op.spec:
        yield Call("with an empty body", admin, {}, {})


def listed(content_type: str, media_types: list[str]) -> bool:
    """Whether ``content_type`` (parameters aside) is one of ``media_types`` or their ranges.

    JSON must be named as such: a client chooses its parser, and the schema it checks the
    body against, by the documented type, and a range documents only bytes.
    """
    essence = content_type.split(";")[0].strip().lower()
    if essence.endswith("json"):
        return essence in media_types
    return any(m in (essence, f"{essence.split('/')[0]}/*", "*/*") for m in media_types)


def undocumented(op: Operation, call: Call, response: httpx.Response) -> str | None:
    """What in ``response`` the document does not say, if anything."""
    where = f"{op.method} {op.path} {call.what}: {response.status_code}"
    documented = op.spec["responses"].get(str(response.status_code))
    if documented is None:
        return f"{where} is not documented ({response.text[:80]!r})"
    media_types = list(documented.get("content", {}))
    content_type = response.headers.get("content-type")
    if response.content and not (content_type and listed(content_type, media_types)):
        return f"{where} sent {content_type}, documented {media_types}"
    return None


async def test_every_status_and_media_type_the_api_answers_is_documented(
    api: httpx.AsyncClient, make_user, org_id: UUID, writer_pool: asyncpg.Pool
) -> None:
    fetch_id, [position], _ = await seed_page(writer_pool, org_id, ["d-documented"])
    ids = {"fetch_id": str(fetch_id), "position": str(position)}
    admin = await login(api, await make_user(org_id, "admin"))
    viewer = await login(api, await make_user(org_id, "viewer"))
    document = (await api.get("/openapi.json")).json()
    seen: set[int] = set()
    wrong: list[str] = []

    for op in operations(document):
        for call in calls(op, admin, viewer):
            response = await api.request(
                op.method, op.url(ids), headers=call.headers, params=call.params, json=call.body
            )
            seen.add(response.status_code)
            wrong += filter(None, [undocumented(op, call, response)])

    assert wrong == [], "\n".join(wrong)
    assert {200, 400, 401, 403, 404, 422} <= seen
