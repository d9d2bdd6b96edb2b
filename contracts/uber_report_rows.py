"""Rows of the daily ``PAYMENTS_ORDER`` report, as money events (docs/MONEY.md).

The report's file is read by its header, never by column position: the columns' order and
language (English or French) vary between fleets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import msgspec

from contracts.catalog import register

PARIS = ZoneInfo("Europe/Paris")

PAYMENTS_ORDER = "REPORT_TYPE_PAYMENTS_ORDER"
PAYMENT_ORDER_ROW_OBSERVED = "uber.payment_order_row.observed"
PAYMENT_ORDER_ROW_OBSERVED_VERSION = 1


class UberPaymentOrderRow(msgspec.Struct, frozen=True):
    """The record of ``uber.payment_order_row.observed`` v1: one row of a PAYMENTS_ORDER file.

    Its entity id is the row's ``Transaction UUID``, the id U7 transactions carry, so a
    payment seen in both is one transaction. The fields are the columns found by their
    header (English or French, case and accents aside), values as written in the file
    (amounts are decimals in the currency's major unit, maybe with a decimal comma;
    ``processed_at`` as the file writes it). ``columns`` is the whole row, header as
    written to value, the columns we do not know included. ``report_id`` names the report
    whose download call (the event's ``fetch_id``) holds the file.
    """

    report_id: str
    transaction_uuid: str
    columns: dict[str, str]
    driver_uuid: str | None = None
    trip_uuid: str | None = None
    description: str | None = None
    processed_at: str | None = None
    organization_name: str | None = None
    organization_alias: str | None = None
    earnings: str | None = None
    payouts: str | None = None
    cash_collected: str | None = None
    transferred_to_bank_account: str | None = None

    def processed(self) -> datetime | None:
        """``processed_at`` as an aware time: ISO-8601 (``Z`` or an offset) is taken as
        written; a time without a zone is Paris time, as the portal's exports write it."""
        return report_time(self.processed_at)


def report_time(text: str | None) -> datetime | None:
    """A report's time as an aware datetime, or None when absent or unreadable."""
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=PARIS)).astimezone(UTC)


def report_decimal(text: str | None) -> Decimal | None:
    """A report's amount (``-12.34``, ``-12,34``, ``1 234,50 €``) as a Decimal, or None."""
    if not text:
        return None
    plain = "".join(ch for ch in text if ch.isdigit() or ch in "-+.,")
    if "," in plain:  # a decimal comma; a thousands comma beside a decimal point goes
        plain = plain.replace(",", "") if "." in plain else plain.replace(",", ".")
    try:
        return Decimal(plain)
    except InvalidOperation:
        return None


register(PAYMENT_ORDER_ROW_OBSERVED, PAYMENT_ORDER_ROW_OBSERVED_VERSION, UberPaymentOrderRow)
