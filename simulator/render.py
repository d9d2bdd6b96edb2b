"""JSON rendering shared by both providers, including the body-level chaos.

Bodies are encoded with sorted-free, compact ``json.dumps`` over dicts built in
a fixed order, so the same world state always yields the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from simulator.chaos import ProviderChaos

EXTRA_FIELD = "simUnannouncedField"


def json_bytes(payload: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response with exactly the bytes of ``json_bytes(payload)``."""
    return Response(json_bytes(payload), status, headers, media_type="application/json")


def success_response(payload: Any, chaos: ProviderChaos) -> Response:
    """A 200 answer, with unknown fields added or the body cut short if chaos says so."""
    if chaos.extra_fields:
        payload = with_extra_fields(payload)
    body = json_bytes(payload)
    if chaos.take_truncated():
        # Half a JSON document: the declared type stays JSON, decoding must fail.
        body = body[: max(1, len(body) // 2)]
    return Response(body, 200, media_type="application/json")


def with_extra_fields(value: Any) -> Any:
    """A copy of ``value`` where every JSON object carries one field no client knows."""
    if isinstance(value, dict):
        copied = {k: with_extra_fields(v) for k, v in value.items()}
        copied[EXTRA_FIELD] = {"note": "added by simulator chaos", "version": 2}
        return copied
    if isinstance(value, list):
        return [with_extra_fields(v) for v in value]
    return value


def drop_key_from_one(records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Copy ``records`` with ``key`` removed from the middle record (the others stay intact)."""
    if not records:
        return records
    victim = len(records) // 2
    damaged = {k: v for k, v in records[victim].items() if k != key}
    return [damaged if i == victim else r for i, r in enumerate(records)]
