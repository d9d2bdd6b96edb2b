"""The OpenAPI document without a running server (for the frontend's generated client)."""

from __future__ import annotations

from typing import Any

from core.config import DatabaseSettings, JwtSettings
from query_api.app import ApiSettings, create_app


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document; building the app opens no connection."""
    unused = "postgresql://unused@127.0.0.1:1/unused"
    settings = ApiSettings(
        database=DatabaseSettings(owner_url=unused, writer_url=unused, api_url=unused),
        jwt=JwtSettings(secret="openapi-generation-only-" + "0" * 16),
        nats_url=None,
    )
    return create_app(settings).openapi()
