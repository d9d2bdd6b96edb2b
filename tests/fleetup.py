"""Run `fleet up` as a user would, from a test: start, read its lines, stop with Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
