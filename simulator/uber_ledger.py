"""Uber's payment transactions: what every Uber money endpoint reports, from one place.

A finished trip is paid by one transaction at its drop-off (``paid_at``): its fare, Uber's
service fee, the in-app tip, a promotion and a refunded toll when it has them, and, when the
rider paid cash, the fare the driver collected. A tip the rider adds later and a fare
adjustment are transactions of their own, processed days later, naming the same trip
(``tripFareAdjustOrder``, as Uber describes late tips). Payments (U6), transactions (U7),
the PAYMENTS_ORDER report rows and analytics' ``vs:TotalEarnings`` are all sums or views of
these, so they agree to the cent.

A transaction's **earnings** are fare − service fee + tip + promotion + adjustment, Uber's
"your earnings"; the toll is a refund and the cash a payout, both outside the earnings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from simulator.activity import DAY_S, History, Trip, days_between
from simulator.money import LATE_DAYS

TRIP, LATE_TIP, ADJUSTMENT = "trip", "late_tip", "adjustment"
DESCRIPTIONS = {TRIP: "tripCompleteOrder", LATE_TIP: "tripFareAdjustOrder",
                ADJUSTMENT: "tripFareAdjustOrder"}  # fmt: skip
EARNINGS = ("fare", "service_fee", "tip", "promotion", "adjustment")


@dataclass(frozen=True)
class Txn:
    """One Uber payment transaction of a trip."""

    trip: Trip
    kind: str  # TRIP | LATE_TIP | ADJUSTMENT
    processed_at: int

    @property
    def transaction_id(self) -> str:
        """Stable: derived from the trip id (the trip's own payment keeps its historic id)."""
        name = "uber-transaction" if self.kind == TRIP else f"uber-transaction:{self.kind}"
        return str(uuid.uuid5(uuid.UUID(self.trip.trip_id), name))

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]

    def parts(self) -> dict[str, int]:
        """The transaction's amounts by category, in cents (zeros left out)."""
        t, x = self.trip, self.trip.extras
        if self.kind == LATE_TIP:
            return {"tip": x.late_tip_cents}
        if self.kind == ADJUSTMENT:
            return {"adjustment": x.adjustment_cents}
        found = {
            "fare": t.fare_cents, "service_fee": -t.commission_cents, "tip": t.tip_cents,
            "promotion": x.promotion_cents, "toll": x.toll_cents,
            "cash_collected": -t.fare_cents if t.payment_method == "cash" else 0,
        }  # fmt: skip
        return {k: v for k, v in found.items() if v}

    @property
    def earnings(self) -> int:
        """Uber's "your earnings": everything but the refunded toll and the cash collected."""
        return sum(v for k, v in self.parts().items() if k in EARNINGS)


def transactions_of(trip: Trip) -> list[Txn]:
    """Every transaction of a paid Uber trip, whenever it is processed."""
    if trip.provider != "uber" or trip.paid_at is None:
        return []
    found = [Txn(trip, TRIP, trip.paid_at)]
    if trip.extras.late_tip_at is not None:
        found.append(Txn(trip, LATE_TIP, trip.extras.late_tip_at))
    if trip.extras.adjusted_at is not None:
        found.append(Txn(trip, ADJUSTMENT, trip.extras.adjusted_at))
    return found


def processed(history: History, person: int, start: int, end: int) -> list[Txn]:
    """The person's transactions processed in ``[start, end)`` (up to now), oldest first."""
    start, end = history.clip(start, end)
    if end <= start:
        return []
    found = [Txn(t, TRIP, t.paid_at or 0) for t in history.trips(person, start, end, "paid_at")]
    for day in days_between(start - LATE_DAYS * DAY_S, end):
        for trip in history.plans(person, day).late:
            tip_at, adjusted_at = trip.extras.late_tip_at, trip.extras.adjusted_at
            if tip_at is not None and start <= tip_at < end:
                found.append(Txn(trip, LATE_TIP, tip_at))
            if adjusted_at is not None and start <= adjusted_at < end:
                found.append(Txn(trip, ADJUSTMENT, adjusted_at))
    return sorted(found, key=lambda x: (x.processed_at, x.transaction_id))
