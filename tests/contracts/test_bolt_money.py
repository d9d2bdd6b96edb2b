"""Bolt's decimal amounts become integer cents, rounded half up, whatever was seen before."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from contracts import bolt


@pytest.mark.parametrize(
    ("amount", "cents"),
    [("12.5", 1250), ("0", 0), ("0.005", 1), ("0.004", 0), ("-0.005", -1), ("-7.345", -735),
     ("19.999", 2000), ("3.10", 310), ("1e2", 10000)],
)  # fmt: skip
def test_bolt_amounts_become_cents_rounded_half_away_from_zero(amount: str, cents: int) -> None:
    assert bolt.minor_units(Decimal(amount)) == cents
    assert bolt.minor_units(Decimal(amount)) == cents  # the remembered answer is the same


def test_amounts_equal_in_value_give_the_same_cents_and_unequal_ones_never_share() -> None:
    assert bolt.minor_units(Decimal("1.5")) == bolt.minor_units(Decimal("1.500")) == 150
    assert bolt.minor_units(Decimal("1.005")) == 101
    assert bolt.minor_units(Decimal("1.00")) == 100
    assert bolt.minor_units(None) == 0


def test_an_order_price_decoded_from_json_converts_every_amount() -> None:
    price = msgspec.json.decode(
        b'{"ride_price": 23.47, "tip": 2, "commission": 5.865}', type=bolt.BoltOrderPrice
    )
    assert [bolt.minor_units(a) for a in (price.ride_price, price.tip, price.commission,
                                          price.booking_fee)] == [2347, 200, 587, 0]  # fmt: skip
