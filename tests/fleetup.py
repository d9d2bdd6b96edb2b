"""Run `fleet up` as a user would, from a test: start, read its lines, stop with Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PASSWORD = "a-long-test-admin-password"
ADMIN = "boss@example.test"


def start(state: Path, port: int, **extra: str) -> subprocess.Popen[str]:
    """`fleet up` with a state folder of its own, provider and database settings cleared."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DB_", "NATS_URL", "UBER_", "BOLT_", "JWT_"))
    }
    env.update(
        FLEET_STATE_DIR=str(state),
        FLEET_API_PORT=str(port),
        FLEET_ADMIN_EMAIL=ADMIN,
        FLEET_ADMIN_PASSWORD=PASSWORD,
        APP_ENV="dev",
        **extra,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "fleet", "up"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for_line(proc: subprocess.Popen[str], marker: str, timeout_s: float) -> list[str]:
    """The lines printed up to and including the first one containing ``marker``."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} within {timeout_s}s:\n{''.join(lines[-40:])}")


def stop(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C, then the rest of its output."""
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return out


class Output:
    """Every line a `fleet up` prints, read by a thread of its own.

    The supervisor writes its children's logs to its stdout: a test that stopped reading
    would block it on a full pipe, event loop included.
    """

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.proc = proc
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, marker: str, timeout_s: float, after: int = 0) -> int:
        """The index of the first line from ``after`` on containing ``marker``."""
        deadline = time.monotonic() + timeout_s
        while True:
            ended = not self._reader.is_alive()  # looked at first: then the lines are all in
            for index in range(after, len(self.lines)):
                if marker in self.lines[index]:
                    return index
            if ended or time.monotonic() > deadline:
                raise AssertionError(f"no {marker!r} within {timeout_s}s:\n{self.text()[-6000:]}")
            time.sleep(0.1)

    def text(self) -> str:
        return "".join(self.lines)

    def stop(self) -> None:
        """Ctrl-C, and wait for the process and its last lines."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        self.proc.wait(60)
        self._reader.join(10)


def running(state: Path, port: int, timeout_s: float = 120) -> Output:
    """`fleet up` (without Prometheus: not what these tests look at), once it says it is up."""
    output = Output(start(state, port, FLEET_PROMETHEUS="off"))
    try:
        output.wait_for("Fleet Manager is up", timeout_s)
    except BaseException:
        output.stop()
        raise
    return output
