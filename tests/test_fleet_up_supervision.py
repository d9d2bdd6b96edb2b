"""`fleet up` owns its state folder and its servers: one per folder, no orphans, no
server left dead.

Each test starts a real `fleet up` on a state folder of its own and injects what happens to
a stack run by hand: a second `fleet up` in another terminal, SIGKILL of the supervisor,
SIGKILL of its PostgreSQL or nats-server, a data folder that stops being usable.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fleet.runtime import free_port
from tests.fleetup import Output, running, start

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def _tree(root: int) -> set[tuple[int, int]]:
    """Every descendant of ``root`` as (pid, start time): the start time tells a reused pid."""
    parents: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            parents.setdefault(found[1], []).append((int(entry.name), found[2]))
    tree, todo = set(), [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            tree.add(child)
            todo.append(child[0])
    return tree


def _alive(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those still running (a zombie is dead: it holds no port, file or memory)."""
    alive = set()
    for pid, started in processes:
        found = _stat(pid)
        if found is not None and found[2] == started and found[0] != "Z":
            alive.add((pid, started))
    return alive


def _ports(state: Path, api_port: int) -> set[int]:
    runtime = json.loads((state / "runtime.json").read_text())
    return {api_port, int((state / "postgres" / "port").read_text()), runtime["nats_port"]}


def _ready(port: int) -> int:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
    except httpx.HTTPError:
        return 0


def _wait_ready(port: int, timeout_s: float) -> float:
    started = time.monotonic()
    while _ready(port) != 200:
        assert time.monotonic() - started < timeout_s, f"/readyz not 200 after {timeout_s}s"
        time.sleep(0.3)
    return time.monotonic() - started


def _postmaster(state: Path) -> int:
    return int((state / "postgres" / "data" / "postmaster.pid").read_text().splitlines()[0])


def _nats_server(root: int) -> int:
    for pid, _ in _tree(root):
        if "nats-server" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return pid
    raise AssertionError("no nats-server under fleet up")


@pytest.fixture
def state() -> Iterator[Path]:
    """A state folder outside pytest's tmp_path: a pytest session starting meanwhile (another
    developer's, as root) takes the o+x off pytest's root folder that the postgres system user
    needs to reach its data (fleet/postgres.py), and PostgreSQL fails with "Permission denied".
    """
    folder = Path(tempfile.mkdtemp(prefix="fleet-supervision-"))
    try:
        yield folder / "state"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fleet_up(state: Path) -> Iterator[tuple[Output, Path, int]]:
    """A running `fleet up` (its output, state folder and API port); stopped after."""
    port = free_port()
    output = running(state, port)
    try:
        yield output, state, port
    finally:
        output.stop()


def test_a_second_fleet_up_on_the_same_folder_refuses_and_leaves_the_first_serving(
    fleet_up: tuple[Output, Path, int],
) -> None:
    first, state, port = fleet_up
    postmaster = _postmaster(state)
    second = start(state, free_port(), FLEET_PROMETHEUS="off")
    out = Output(second)
    try:
        out.wait_for("already runs the embedded servers", 60)
        second.wait(30)
    finally:
        out.stop()  # Ctrl-C, as in the second terminal
    print(f"\n[fleet up] the second one said: {out.text().strip()}")
    assert second.returncode != 0
    assert f"pid {first.proc.pid}" in out.text() and f"http://127.0.0.1:{port}" in out.text()
    assert _ready(port) == 200 and _postmaster(state) == postmaster
    assert "PostgreSQL" not in out.text()  # it started, and stopped, nothing


def test_the_children_of_a_killed_fleet_up_die_with_it_and_a_new_one_starts_on_the_folder(
    state: Path,
) -> None:
    port = free_port()
    output = running(state, port)
    proc = output.proc
    try:
        children, ports = _tree(proc.pid), _ports(state, port)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 15
        while (_alive(children) or any(free_port(p) != p for p in ports)) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.2)
    finally:
        output.stop()
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid, _ in _alive(children)}
    print(f"\n[fleet up] SIGKILLed with {len(children)} descendants; still alive: {left}")
    assert not left
    assert all(free_port(p) == p for p in ports), f"ports still taken: {ports}"

    again = running(state, port)
    try:
        assert _ready(port) == 200
    finally:
        again.stop()


def test_fleet_up_restarts_a_killed_postgres_and_nats_server_and_readyz_recovers(
    fleet_up: tuple[Output, Path, int],
) -> None:
    output, state, port = fleet_up
    _wait_ready(port, 30)
    os.kill(_postmaster(state), signal.SIGKILL)
    pg_s = _wait_ready_after(output, port, "PostgreSQL is back")
    os.kill(_nats_server(output.proc.pid), signal.SIGKILL)
    nats_s = _wait_ready_after(output, port, "nats-server is back")
    print(f"\n[fleet up] /readyz 200 again {pg_s:.1f}s after PostgreSQL, {nats_s:.1f}s after NATS")


def _wait_ready_after(output: Output, port: int, marker: str) -> float:
    started = time.monotonic()
    output.wait_for(marker, 60)
    _wait_ready(port, 60)
    return time.monotonic() - started


def test_fleet_up_stops_everything_and_exits_non_zero_when_postgres_cannot_come_back(
    state: Path,
) -> None:
    output = running(state, free_port())
    proc = output.proc
    try:
        children = _tree(proc.pid)
        (state / "postgres" / "data" / "PG_VERSION").write_text("9\n")  # not our server's
        os.kill(_postmaster(state), signal.SIGKILL)
        output.wait_for("could not be restarted", 90)
        proc.wait(60)
    finally:
        output.stop()
    print(f"\n[fleet up] {output.text().strip().splitlines()[-1]}")
    assert proc.returncode != 0
    assert "PostgreSQL could not be restarted" in output.text().splitlines()[-1]
    assert not _alive(children)
