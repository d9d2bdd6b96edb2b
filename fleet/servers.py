"""The embedded PostgreSQL and nats-server under `fleet up`'s watch.

A server that exits while the supervisor runs is started again on the same port (the
children's URLs name it), after 1, 2, 4… seconds. One that cannot come back after
``ATTEMPTS`` tries in a row (its data folder unusable, its port taken) is a failure the
supervisor cannot fix: the watch records why and stops everything, and `fleet up` exits
non-zero with that message rather than leave the stack logging "connection refused" forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

ATTEMPTS = 4
POLL_S = 0.5


class Server(Protocol):
    process: subprocess.Popen[bytes] | None

    def spawn(self) -> None: ...

    def wait_ready(self, timeout_s: float = ...) -> None: ...

    def stop(self) -> None: ...


@dataclass
class ServerWatch:
    """Keeps one embedded server running while ``stop`` is unset."""

    name: str
    server: Server
    say: Callable[[str], None]
    restarts: int = 0
    failure: str | None = None

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            code = await self._exited(stop)
            if code is None:
                return
            self.say(f"{self.name} exited with code {code}; restarting it")
            if not await self._restart(stop):
                return
            self.restarts += 1

    async def _exited(self, stop: asyncio.Event) -> int | None:
        """The server's exit code once it exits; None when ``stop`` comes first."""
        process = self.server.process
        assert process is not None
        while (code := process.poll()) is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_S)
            if stop.is_set():
                return None
        return code

    async def _restart(self, stop: asyncio.Event) -> bool:
        """Start the server again with back-off; on the last failure, stop everything."""
        error = ""
        for attempt in range(1, ATTEMPTS + 1):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 2.0 ** (attempt - 1))
            if stop.is_set():
                return False
            # Spawned here, on the event loop's (main) thread: the parent-death signal is
            # tied to the thread that forks (fleet/lifetime.py). Only the wait is threaded.
            self.server.spawn()
            try:
                await asyncio.to_thread(self.server.wait_ready)
            except RuntimeError as exc:
                error = _last_line(str(exc))
                self.say(f"{self.name} did not come back ({attempt}/{ATTEMPTS}): {error}")
                continue
            self.say(f"{self.name} is back")
            return True
        self.failure = (
            f"{self.name} could not be restarted after {ATTEMPTS} attempts (last: {error}); "
            "see its server.log in the state folder. Everything was stopped."
        )
        stop.set()
        return False


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
