"""What happens to a finished trip's money besides its fare, commission and tip.

Uber: riders paying cash (the driver collects the fare), promotions paid with a trip, tolls
refunded with it, tips riders add days later, and fare adjustments processed after the
trip. Bolt: price reviews after the fact (a toll fee added on a receipt, or the ride price
lowered after a route complaint). docs/PROVIDERS.md §4 #22 to #24 say what is assumed.

Each draw comes from a hash of the trip's id, never from the day plan's random stream, so
adding money here leaves every trip, session and id of a seed as it was; and it costs a
single BLAKE2 digest per trip, which keeps day plans cheap for a fleet of 1,500 drivers.
Amounts are integer cents; times unix seconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

DAY_S = 86400
LATE_DAYS = 4  # the latest a late tip, an adjustment or a price review comes after a trip
UBER_CASH_PERMILLE = 120
PROMOTION_PERMILLE = 80
TOLL_PERMILLE = 40
LATE_TIP_PERMILLE = 40
ADJUSTMENT_PERMILLE = 20
REVIEW_PERMILLE = 60  # Bolt in-app orders whose price is reviewed later


@dataclass(frozen=True)
class Extras:
    """A trip's money beyond fare, commission and in-app tip (all zero: nothing more)."""

    promotion_cents: int = 0  # Uber: paid with the trip
    toll_cents: int = 0  # Uber: refunded with the trip
    late_tip_cents: int = 0  # Uber: a tip processed at ``late_tip_at``
    late_tip_at: int | None = None
    adjustment_cents: int = 0  # Uber: a signed fare adjustment processed at ``adjusted_at``
    adjusted_at: int | None = None
    review: str | None = None  # Bolt: "toll" or "route", effective from ``reviewed_at``
    reviewed_at: int | None = None
    reviewed_fare_cents: int = 0  # Bolt: the ride price after the review
    review_toll_cents: int = 0  # Bolt: the toll fee the review adds

    @property
    def late(self) -> bool:
        """Whether some of the trip's money is processed after the trip itself."""
        return self.late_tip_at is not None or self.adjusted_at is not None


NONE = Extras()


class Draws:
    """Uniform draws from a trip id's BLAKE2 digest (eight 32-bit words)."""

    def __init__(self, trip_id: str, salt: str) -> None:
        digest = hashlib.blake2b(f"{salt}:{trip_id}".encode(), digest_size=32).digest()
        self._words = [int.from_bytes(digest[i : i + 4], "big") for i in range(0, 32, 4)]

    def below(self, i: int, n: int) -> int:
        """Word ``i`` as an integer in ``[0, n)``."""
        return self._words[i] % n

    def between(self, i: int, low: int, high: int) -> int:
        """Word ``i`` as an integer in ``[low, high)``."""
        return low + self.below(i, high - low)


def uber_cash(trip_id: str) -> bool:
    """Whether the rider of this Uber trip pays cash (the driver collects the fare)."""
    return Draws(trip_id, "uber-cash").below(0, 1000) < UBER_CASH_PERMILLE


def uber_extras(trip_id: str, paid_at: int) -> Extras:
    """Promotion, toll, late tip and fare adjustment of an Uber trip paid at ``paid_at``."""
    d = Draws(trip_id, "uber-money")
    promotion = d.between(1, 150, 500) if d.below(0, 1000) < PROMOTION_PERMILLE else 0
    toll = d.between(3, 270, 980) if d.below(2, 1000) < TOLL_PERMILLE else 0
    extras = Extras(promotion_cents=promotion, toll_cents=toll)
    if d.below(4, 1000) < LATE_TIP_PERMILLE:
        extras = replace(extras, late_tip_cents=100 * d.between(5, 1, 6),
                          late_tip_at=paid_at + d.between(6, DAY_S, LATE_DAYS * DAY_S))  # fmt: skip
    elif d.below(4, 1000) < LATE_TIP_PERMILLE + ADJUSTMENT_PERMILLE:
        amount = d.between(5, 100, 600) * (1 if d.below(7, 2) else -1)
        extras = replace(extras, adjustment_cents=amount,
                          adjusted_at=paid_at + d.between(6, 6 * 3600, 3 * DAY_S))  # fmt: skip
    return extras


def bolt_extras(trip_id: str, fare_cents: int, paid_at: int) -> Extras:
    """A later price review of a Bolt in-app order whose fare was confirmed at ``paid_at``:
    a toll fee added (on the driver's receipt) or the ride price lowered by 10 to 25 %."""
    d = Draws(trip_id, "bolt-review")
    if d.below(0, 1000) >= REVIEW_PERMILLE:
        return NONE
    at = paid_at + d.between(1, DAY_S, LATE_DAYS * DAY_S)
    if d.below(2, 2):
        return Extras(review="toll", reviewed_at=at, reviewed_fare_cents=fare_cents,
                      review_toll_cents=d.between(3, 270, 980))  # fmt: skip
    lowered = fare_cents - fare_cents * d.between(3, 10, 26) // 100
    return Extras(review="route", reviewed_at=at, reviewed_fare_cents=lowered)
