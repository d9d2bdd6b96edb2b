"""What ties the embedded servers and the children to one supervisor, and to its life.

Two mechanisms, both kept by the kernel so that they hold even when the supervisor is
SIGKILLed and runs no clean-up code at all:

- **One owner per state folder.** Whoever starts or stops the embedded servers of a state
  folder (`fleet up`, or a command such as `fleet migrate` run alone) holds an exclusive
  ``flock`` on ``<state>/fleet.lock`` for as long as it runs. The kernel releases it when
  the process dies, however it dies, so a lock is never stale. The file records the
  holder's pid, command and URL, for the message a second `fleet up` refuses with. Commands
  run beside `fleet up` that only connect (``users create``, ``replay``…) take no lock.
- **Children die with their parent.** Every child is started with ``PR_SET_PDEATHSIG``, a
  signal the kernel sends it when its parent dies, so that no orphan keeps a port, the
  database or the JetStream store of a supervisor that is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

LOCK_FILE = "fleet.lock"
_PR_SET_PDEATHSIG = 1


class StateFolderBusy(Exception):
    """Another process owns the embedded servers of this state folder."""


@dataclass
class StateLock:
    """The exclusive lock on a state folder, held until :meth:`release` or the process ends."""

    path: Path
    file: IO[str]

    @classmethod
    def try_acquire(cls, state: Path, command: str) -> StateLock | None:
        """The lock, or None when another process holds it (nothing is changed then)."""
        state.mkdir(parents=True, exist_ok=True)
        path = state / LOCK_FILE
        file = path.open("a+", encoding="utf-8")  # "a+": never truncate the holder's record
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return None
        lock = cls(path, file)
        lock.record(command=command, pid=os.getpid(), url=None)
        return lock

    @classmethod
    def acquire(cls, state: Path, command: str) -> StateLock:
        """The lock, or :class:`StateFolderBusy` naming the holder's pid and URL."""
        lock = cls.try_acquire(state, command)
        if lock is None:
            raise StateFolderBusy(busy_message(state))
        return lock

    def record(self, **values: Any) -> None:
        """Update what the lock file says about its holder (read by the refusal message)."""
        self.file.seek(0)
        current = _parse(self.file.read())
        self.file.seek(0)
        self.file.truncate()
        self.file.write(json.dumps({**current, **values}))
        self.file.flush()

    def release(self) -> None:
        with contextlib.suppress(ValueError, OSError):
            fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def holder(state: Path) -> dict[str, Any]:
    """What the lock file says about the process holding it."""
    with contextlib.suppress(OSError):
        return _parse((state / LOCK_FILE).read_text(encoding="utf-8"))
    return {}


def busy_message(state: Path) -> str:
    found = holder(state)
    serving = f", serving {found['url']}" if found.get("url") else ""
    return (
        f"`{found.get('command', 'fleet')}` (pid {found.get('pid', '?')}{serving}) already runs "
        f"the embedded servers of {state}: stop it first, or give this one another "
        "FLEET_STATE_DIR"
    )


def _parse(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def dies_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` after which the child gets ``sig`` when its parent dies (Linux).

    The kernel sends it when the parent *thread* that forked the child exits: children must
    be started from the main thread (where the event loop runs), never from a worker thread,
    which could exit long before the process does. The setting survives ``exec`` and is set
    after Popen's user switch (which would clear it). A parent that died before the child
    set it is caught by comparing the parent pid.
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the child should not load it
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return preexec
