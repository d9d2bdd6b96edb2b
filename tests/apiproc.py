"""`fleet api` in a process of its own, as `fleet up` runs it, for tests that need real HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class ApiProcess:
    url: str
    proc: subprocess.Popen[bytes]

    def alive(self) -> bool:
        return self.proc.poll() is None


@contextlib.contextmanager
def running_api(env: dict[str, str], log: Path, timeout_s: float = 30) -> Iterator[ApiProcess]:
    """`fleet api` on ``env["FLEET_API_PORT"]``, once it answers /healthz; stopped after.

    Its output goes to ``log``, which a failure to start shows. The process leads a group of
    its own, so that its uvicorn workers go with it.
    """
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fleet", "api"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = ApiProcess(f"http://127.0.0.1:{env['FLEET_API_PORT']}", proc)
    try:
        _wait_healthy(api, log, timeout_s)
        yield api
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_healthy(api: ApiProcess, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert api.alive(), f"fleet api exited with {api.proc.returncode}:\n{log.read_text()}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api.url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"fleet api did not answer /healthz:\n{log.read_text()}")
