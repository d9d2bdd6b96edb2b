"""Late tips a test injects (``POST /_sim/uber/late-tip``): Uber pays a rider's tip days after
the trip, as one more transaction processed *now* that names the trip.

The world's trips never change, so an injected tip lives apart, in a small list of the
state, as a transaction of the ledger's shape (``simulator.uber_ledger.Txn``) with its own
amount and id. It is merged where Uber's money is served: ``transactions`` lists it in its
``processedAt`` order, and ``payments`` adds it to the driver's transactions of the window
it was processed in, so the two sources still agree. The daily reports and the ground truth
(``simulator.truth``) do not carry it: it is a test's input, not the world's activity.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.activity import Trip
from simulator.uber_ledger import LATE_TIP, Txn
from simulator.world import UberDriver


@dataclass(frozen=True)
class InjectedTip(Txn):
    """A tip of ``amount_cents`` for ``trip``, the ``seq``-th injected (a trip may be tipped
    twice)."""

    amount_cents: int = 0
    seq: int = 0

    @property
    def transaction_id(self) -> str:
        return str(uuid.uuid5(uuid.UUID(self.trip.trip_id), f"late-tip-{self.seq}"))

    def parts(self) -> dict[str, int]:
        return {"tip": self.amount_cents}


@dataclass(frozen=True)
class LateTip:
    """An injected tip and the driver it is paid to."""

    driver: UberDriver
    txn: InjectedTip

    def view(self) -> dict[str, Any]:
        """What the control route answers."""
        return {
            "transaction_uuid": self.txn.transaction_id, "driver_id": self.driver.driver_id,
            "trip_id": self.txn.trip.trip_id, "trip_paid_at": self.txn.trip.paid_at,
            "processed_at": self.txn.processed_at, "amount_cents": self.txn.amount_cents,
        }  # fmt: skip


class LateTips:
    """The tips injected so far, in the order they were."""

    def __init__(self) -> None:
        self._tips: list[LateTip] = []

    def add(self, driver: UberDriver, trip: Trip, amount_cents: int, now: int) -> LateTip:
        txn = InjectedTip(trip, LATE_TIP, now, amount_cents, len(self._tips))
        tip = LateTip(driver, txn)
        self._tips.append(tip)
        return tip

    def processed(
        self, drivers: list[UberDriver], start: int, end: int, only: str | None = None
    ) -> list[tuple[UberDriver, Txn]]:
        """The tips of ``drivers`` (of the one whose id is ``only``) processed in
        ``[start, end)``, with their driver."""
        ids = {d.driver_id for d in drivers if only in (None, "", d.driver_id)}
        return [
            (t.driver, t.txn)
            for t in self._tips
            if t.driver.driver_id in ids and start <= t.txn.processed_at < end
        ]


Earner = tuple[UberDriver, list[Txn]]
Paid = tuple[UberDriver, Txn]


def with_payments(earners: list[Earner], tips: list[Paid]) -> list[Earner]:
    """``earners`` (ordered by driver id) with each tip added to its driver's transactions."""
    if not tips:
        return earners
    found = {d.driver_id: (d, list(txns)) for d, txns in earners}
    for driver, txn in tips:
        found.setdefault(driver.driver_id, (driver, []))[1].append(txn)
    return [found[k] for k in sorted(found)]


def with_transactions(paid: list[Paid], tips: list[Paid], key: Callable[[Paid], str]) -> list[Paid]:
    """``paid`` (ordered by ``key``) with the tips merged in the same order."""
    return sorted([*paid, *tips], key=key) if tips else paid
