"""Late tips a test injects (``POST /_sim/uber/late-tip``): Uber pays a rider's tip days after
the trip, as one more transaction processed *now* that names the trip.

The world's trips never change, so a late tip lives apart, in a small list of the state, and
is merged where Uber's money is served: ``transactions`` lists it in its ``processedAt``
order (its own ``transactionUUID``, the trip's ``tripUUID``, a ``tip`` breakdown), and
``payments`` adds it to the driver's ``tip`` in the window it was processed in, so the two
sources still agree. The daily reports do not carry it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from simulator.activity import Trip
from simulator.world import UberDriver

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class LateTip:
    """A tip for ``trip`` of ``driver``, processed at ``processed_at`` (unix seconds)."""

    driver: UberDriver
    trip: Trip
    amount_cents: int
    processed_at: int
    seq: int  # the n-th tip injected: a trip may be tipped twice

    @property
    def transaction_uuid(self) -> str:
        return str(uuid.uuid5(uuid.UUID(self.trip.trip_id), f"late-tip-{self.seq}"))

    def as_trip(self) -> Trip:
        """The tip as a trip that pays only it, for the payments' sums."""
        return replace(self.trip, fare_cents=0, commission_cents=0, cancellation_fee_cents=0,
                       tip_cents=self.amount_cents, paid_at=self.processed_at)  # fmt: skip

    def record(self, render: Callable[[UberDriver, Trip], dict[str, Any]]) -> dict[str, Any]:
        """The ``transactions[]`` entry: the trip's rendering with its own id and a tip only."""
        found = render(self.driver, self.as_trip())
        info = found["transactionInfo"]
        tips = [c for c in info["breakDown"] if c["categoryName"] == "tip"]
        info.update(transactionUUID=self.transaction_uuid, description="tip", breakDown=tips)
        return found

    def view(self) -> dict[str, Any]:
        """What the control route answers."""
        return {
            "transaction_uuid": self.transaction_uuid, "driver_id": self.driver.driver_id,
            "trip_id": self.trip.trip_id, "trip_paid_at": self.trip.paid_at,
            "processed_at": self.processed_at, "amount_cents": self.amount_cents,
        }  # fmt: skip


class LateTips:
    """The tips injected so far, in the order they were."""

    def __init__(self) -> None:
        self._tips: list[LateTip] = []

    def add(self, driver: UberDriver, trip: Trip, amount_cents: int, now: int) -> LateTip:
        tip = LateTip(driver, trip, amount_cents, now, len(self._tips))
        self._tips.append(tip)
        return tip

    def processed(
        self, drivers: list[UberDriver], start: int, end: int, only: str | None = None
    ) -> list[LateTip]:
        """The tips of ``drivers`` (of the one whose id is ``only``) processed in
        ``[start, end)``."""
        ids = {d.driver_id for d in drivers if only in (None, "", d.driver_id)}
        return [
            t for t in self._tips if t.driver.driver_id in ids and start <= t.processed_at < end
        ]


Earner = tuple[UberDriver, list[Trip]]
Paid = tuple[UberDriver, Trip]


def with_payments(earners: list[Earner], tips: list[LateTip]) -> list[Earner]:
    """``earners`` (ordered by driver id) with each tip added to its driver's trips."""
    if not tips:
        return earners
    trips = {d.driver_id: (d, list(found)) for d, found in earners}
    for tip in tips:
        trips.setdefault(tip.driver.driver_id, (tip.driver, []))[1].append(tip.as_trip())
    return [trips[k] for k in sorted(trips)]


def week_window(week: str) -> tuple[int, int]:
    """Uber's pay week ``YYYY-Www``: Monday 04:00 to Monday 04:00, Paris (unix seconds);
    ValueError for anything else."""
    year, _, number = week.partition("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    start = datetime.combine(monday, time(4), PARIS)
    end = datetime.combine(monday + timedelta(days=7), time(4), PARIS)
    return int(start.timestamp()), int(end.timestamp())


Listed = tuple[UberDriver, Trip] | LateTip


def with_transactions(
    paid: list[Paid], tips: list[LateTip], key: Callable[[Paid], str], newest_first: bool
) -> tuple[list[Listed], Callable[[Listed], str]]:
    """``paid`` (ordered by ``key``) with the tips merged in, and the key of the merged list:
    a tip's is built like a trip's (``processedAt``, then the transaction's id)."""

    def merged_key(item: Listed) -> str:
        if not isinstance(item, LateTip):
            return key(item)
        stamp = 10**11 - item.processed_at if newest_first else item.processed_at
        return f"{stamp:011d}:{item.transaction_uuid}"

    if not tips:
        return list(paid), merged_key
    return sorted([*paid, *tips], key=merged_key), merged_key


def rendered(item: Listed, render: Callable[[UberDriver, Trip], dict[str, Any]]) -> dict[str, Any]:
    """A listed item as its ``transactions[]`` entry."""
    return item.record(render) if isinstance(item, LateTip) else render(*item)
