"""`fleet api` keeps an idle client connection open longer than uvicorn's default 5 s.

A proxy (Traefik, nginx) reuses its idle backend connections for up to its own idle
timeout; were the API to close them first, a request sent at that moment would fail (502).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.config import DatabaseSettings
from fleet.runtime import EmbeddedNats, free_port
from tests.apiproc import running_api

IDLE_S = 6.5  # past uvicorn's default keep-alive (5 s)


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return head.split(b"\r\n", 1)[0]


async def test_an_idle_connection_still_answers_after_uvicorns_default_keep_alive(
    fault_db: DatabaseSettings, own_nats: EmbeddedNats, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": fault_db.owner_url,
        "API_DATABASE_URL": fault_db.api_url,
        "WRITER_DATABASE_URL": fault_db.writer_url,
        "NATS_URL": own_nats.url,
        "FLEET_API_PORT": str(port),
        "JWT_SECRET": "keep-alive-" + "s" * 40,
        "FLEET_STATE_DIR": str(tmp_path / "state"),
        "APP_ENV": "test",
    }
    with running_api(env, tmp_path / "api.log"):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            assert await _get(reader, writer) == b"HTTP/1.1 200 OK"
            await asyncio.sleep(IDLE_S)
            assert await _get(reader, writer) == b"HTTP/1.1 200 OK"
        finally:
            writer.close()
