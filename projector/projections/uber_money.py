"""Uber money to integer minor units, and breakdown trees to JSON (pure functions).

Uber sends money as ``{"amountE5": int, "currencyCode": "EUR"}``: the value is amountE5 / 1e5.
Minor units are 10^-d of the currency (d = 2 for EUR, so 1 cent = amountE5 1000):
``minor = amountE5 // 10**(5 - d)``. Floor division: Uber's amounts are whole minor units in
practice, and a stray sub-cent fraction is dropped rather than rounded into a float.
Analytics' ``TotalEarnings`` is a decimal string in the currency's major unit ("1432.80").
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from contracts.uber import UberCategory

# ISO 4217 currencies whose minor unit is not 1/100 (the others have 2 decimals).
MINOR_DIGITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip


def minor_digits(currency: str) -> int:
    """Decimals of the currency's minor unit (2 unless listed)."""
    return MINOR_DIGITS.get(currency.upper(), 2)


def e5_to_minor(amount_e5: int, currency: str) -> int:
    """amountE5 to minor units: ``amountE5 // 1000`` for a 2-decimal currency."""
    divisor: int = 10 ** (5 - minor_digits(currency))
    return amount_e5 // divisor


def decimal_to_minor(value: str | int | float, currency: str) -> int | None:
    """A major-unit decimal ("1432.80") to minor units (143280); None if not a number."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    scaled = amount.scaleb(minor_digits(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def breakdown(categories: Sequence[UberCategory]) -> list[dict[str, Any]]:
    """The category tree as JSON, amounts in minor units, currencies kept."""
    return [_node(category) for category in categories]


def _node(category: UberCategory) -> dict[str, Any]:
    node: dict[str, Any] = {"category": category.categoryName}
    if category.amount is not None:
        currency = category.amount.currencyCode
        node["amount_minor"] = e5_to_minor(category.amount.e5(), currency)
        node["currency"] = currency
    node["children"] = breakdown(category.children or [])
    return node


def total(categories: Sequence[UberCategory]) -> tuple[int, str | None]:
    """The sum of the top-level categories (their children detail them) and its currency."""
    amounts = [c.amount for c in categories if c.amount is not None]
    currency = amounts[0].currencyCode if amounts else None
    return sum(e5_to_minor(a.e5(), a.currencyCode) for a in amounts), currency
