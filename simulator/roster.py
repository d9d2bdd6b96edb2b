"""A provider's live drivers, with deterministic run-time changes.

Both worlds keep their drivers in a ``Roster``: driver ``i`` is built for slot
``i`` (``platforms`` says which person fills it); onboarding takes the next slot; mutations
and removals draw from an rng keyed by the seed, the provider and the batch
number, so replaying the same control calls yields the same world.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Driver(Protocol):
    """What the roster needs to know about a driver."""

    @property
    def person_index(self) -> int:
        """Index of the person in the shared pool."""
        ...


D = TypeVar("D", bound=Driver)


class Roster(Generic[D]):
    """Live drivers of one provider, keyed by their provider id."""

    def __init__(
        self,
        seed: int,
        provider: str,
        build: Callable[[int], D],
        key: Callable[[D], str],
        mutate: Callable[[random.Random, D, int], D],
    ) -> None:
        self._seed, self._provider = seed, provider
        self._build, self._key, self._mutate = build, key, mutate
        self._live: dict[str, D] = {}
        self._next_index = 0
        self._batches = 0
        self.version = 0  # bumped by every change: answers computed before it are stale

    def all(self) -> list[D]:
        """Every live driver, ordered by provider id."""
        return sorted(self._live.values(), key=self._key)

    def get(self, driver_id: str) -> D | None:
        """The live driver with this provider id, if any."""
        return self._live.get(driver_id)

    def count(self) -> int:
        """Number of live drivers."""
        return len(self._live)

    def add(self, count: int) -> list[D]:
        """Onboard the drivers of the next ``count`` slots."""
        added = [self._build(self._next_index + i) for i in range(count)]
        self._next_index += count
        for driver in added:
            self._live[self._key(driver)] = driver
        self.version += 1
        return added

    def mutate(self, count: int) -> list[D]:
        """Change ``count`` drivers chosen deterministically; return their new versions."""
        rng = self._batch_rng("mutate")
        changed = [self._mutate(rng, d, self._batches) for d in self._choose(rng, count)]
        for driver in changed:
            self._live[self._key(driver)] = driver
        self.version += 1
        return changed

    def remove(self, count: int) -> list[D]:
        """Offboard ``count`` drivers chosen deterministically."""
        removed = self._choose(self._batch_rng("remove"), count)
        for driver in removed:
            del self._live[self._key(driver)]
        self.version += 1
        return removed

    def _batch_rng(self, kind: str) -> random.Random:
        self._batches += 1
        return random.Random(f"{self._seed}:{self._provider}:{kind}:{self._batches}")

    def _choose(self, rng: random.Random, count: int) -> list[D]:
        pool = self.all()
        return rng.sample(pool, min(count, len(pool)))


class RosterWorld(Generic[D]):
    """What both worlds answer from their roster: its size, its version and run-time changes.

    A subclass builds ``self._roster`` in its ``__init__``.
    """

    _roster: Roster[D]

    def driver_count(self) -> int:
        """Number of live drivers across the provider's fleets."""
        return self._roster.count()

    @property
    def version(self) -> int:
        """Changes whenever the roster does (drivers added, changed or removed)."""
        return self._roster.version

    def add_drivers(self, count: int) -> list[D]:
        """Onboard ``count`` new drivers (the next slots), each with a vehicle."""
        return self._roster.add(count)

    def mutate_drivers(self, count: int) -> list[D]:
        """Give ``count`` drivers (chosen deterministically) a new phone number and e-mail."""
        return self._roster.mutate(count)

    def remove_drivers(self, count: int) -> list[D]:
        """Offboard ``count`` drivers chosen deterministically; their vehicles stay."""
        return self._roster.remove(count)


def tagged_email(email: str, batch: int) -> str:
    """``name@host`` -> ``name+<batch>@host`` (a changed but recognisable address)."""
    local, _, domain = email.partition("@")
    return f"{local.split('+', 1)[0]}+{batch}@{domain}"
