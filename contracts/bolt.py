"""Bolt Fleet Integration records, decoded into the fields we use (docs/PROVIDERS.md §2).

Each Struct names Bolt's own (snake_case) fields and ignores unknown ones, so an extra field
never breaks decoding; a missing required field does, and the poller quarantines the record.

Money is decoded as ``Decimal``: Bolt sends plain decimal numbers in major units with no
currency (docs/PROVIDERS.md §2.6), and a float would round 0.1 + 0.2 the wrong way. The
currency is the company's (``bolt_companies.currency``, EUR unless set otherwise). Times are
unix seconds.

Every response is the envelope ``{code, message, data}``; business errors come as HTTP 200
with ``code != 0`` (docs/PROVIDERS.md §2.4). The envelope is decoded first with ``data``
left raw, then ``data`` with the Struct of the operation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import msgspec

from contracts.catalog import register

COMPANY_OBSERVED = "bolt.company.observed"
COMPANY_OBSERVED_VERSION = 1
DRIVER_OBSERVED = "bolt.driver.observed"
DRIVER_OBSERVED_VERSION = 1
VEHICLE_OBSERVED = "bolt.vehicle.observed"
VEHICLE_OBSERVED_VERSION = 1
ORDER_OBSERVED = "bolt.order.observed"
ORDER_OBSERVED_VERSION = 1
STATE_LOG_OBSERVED = "bolt.state_log.observed"
STATE_LOG_OBSERVED_VERSION = 1

NULL = b"null"


@lru_cache(maxsize=1 << 16)
def minor_units(amount: Decimal | None) -> int:
    """A decimal major-unit amount (``12.5``) as integer cents (``1250``), half-up.

    Orders carry nine amounts, so a rebuild of a year's orders converts millions of them, and
    few distinct ones (prices, fees and zeros repeat). The result depends on the value alone
    (``Decimal("1.5")`` and ``Decimal("1.50")`` are equal and hash alike), so it is cached:
    a hit costs a twelfth of the conversion (0.1 against 1.2 µs). ``scaleb`` shifts the
    exponent (exact), then one rounding to an integer: twice as fast as multiplying by 100
    and quantizing.
    """
    if amount is None:
        return 0
    return int(amount.scaleb(2).to_integral_value(rounding=ROUND_HALF_UP))


# -- the envelope ----------------------------------------------------------------------


class BoltValidationError(msgspec.Struct, frozen=True):
    property: str | None = None
    error: str | None = None


class BoltEnvelope(msgspec.Struct, frozen=True):
    """``{code, message, data}``; ``data`` stays raw until ``code`` says it is a success."""

    code: int
    message: str = ""
    data: msgspec.Raw = msgspec.Raw(b"null")
    validation_errors: list[BoltValidationError] | None = None
    error_hint: str | None = None

    def describe(self) -> str:
        """``code MESSAGE`` plus the validation errors, for logs and error messages."""
        details = "; ".join(f"{v.property}: {v.error}" for v in self.validation_errors or [])
        hint = f" ({self.error_hint})" if self.error_hint else ""
        return f"code {self.code} {self.message}{hint}" + (f" [{details}]" if details else "")


# -- records ---------------------------------------------------------------------------


class BoltCompany(msgspec.Struct, frozen=True):
    """A company the credentials may read. getCompanies lists bare ids; the poller wraps
    each as ``{"company_id": id}`` so it is a record like the others."""

    company_id: int
    name: str | None = None


class BoltActiveVehicle(msgspec.Struct, frozen=True):
    id: int | None = None
    uuid: str | None = None
    reg_number: str | None = None


class BoltDriver(msgspec.Struct, frozen=True):
    """An entry of ``data.drivers`` (POST getDrivers)."""

    driver_uuid: str
    partner_uuid: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    state: str | None = None
    active_vehicle: BoltActiveVehicle | None = None


class BoltVehicle(msgspec.Struct, frozen=True):
    """An entry of ``data.vehicles`` (POST getVehicles)."""

    id: int
    uuid: str | None = None
    model: str | None = None
    year: int | None = None
    seats: int | None = None
    color: str | None = None
    reg_number: str | None = None
    vin: str | None = None
    state: str | None = None

    @property
    def key(self) -> str:
        """The entity id: the uuid, or the integer id when Bolt sent no uuid."""
        return self.uuid or str(self.id)


class BoltOrderPrice(msgspec.Struct, frozen=True):
    """``order_price``: decimal major units, currency implied by the company."""

    ride_price: Decimal | None = None
    booking_fee: Decimal | None = None
    toll_fee: Decimal | None = None
    cancellation_fee: Decimal | None = None
    tip: Decimal | None = None
    net_earnings: Decimal | None = None
    cash_discount: Decimal | None = None
    in_app_discount: Decimal | None = None
    commission: Decimal | None = None


class BoltOrder(msgspec.Struct, frozen=True):
    """An entry of ``data.orders`` (POST getFleetOrders)."""

    order_reference: str
    driver_uuid: str | None = None
    driver_name: str | None = None
    partner_uuid: str | None = None
    payment_method: str | None = None
    order_status: str | None = None
    order_created_timestamp: int | None = None
    order_accepted_timestamp: int | None = None
    order_pickup_timestamp: int | None = None
    order_drop_off_timestamp: int | None = None
    order_finished_timestamp: int | None = None
    order_cancelled_timestamp: int | None = None
    payment_confirmed_timestamp: int | None = None
    price_review_reason: str | None = None
    vehicle_model: str | None = None
    vehicle_license_plate: str | None = None
    pickup_address: str | None = None
    destination_address: str | None = None
    ride_distance: int | None = None
    order_price: BoltOrderPrice | None = None


class BoltStateLog(msgspec.Struct, frozen=True):
    """An entry of ``data.state_logs`` (POST getFleetStateLogs); logs never change."""

    driver_uuid: str
    created: int
    state: str
    vehicle_uuid: str | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def key(self) -> str:
        """``<driver_uuid>:<created>:<state>``: a state log has no id of its own."""
        return f"{self.driver_uuid}:{self.created}:{self.state}"


# -- data of each operation (records kept raw: each is decoded, or quarantined, alone) ---


class BoltCompaniesData(msgspec.Struct, frozen=True):
    company_ids: list[int] = []


class BoltDriversData(msgspec.Struct, frozen=True):
    drivers: list[msgspec.Raw] | None = None


class BoltVehiclesData(msgspec.Struct, frozen=True):
    vehicles: list[msgspec.Raw] | None = None


class BoltOrdersData(msgspec.Struct, frozen=True):
    orders: list[msgspec.Raw] | None = None
    total_orders: int | None = None
    company_id: int | None = None
    company_name: str | None = None


class BoltStateLogsData(msgspec.Struct, frozen=True):
    state_logs: list[msgspec.Raw] | None = None
    total_rows: int | None = None


register(COMPANY_OBSERVED, COMPANY_OBSERVED_VERSION, BoltCompany)
register(DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION, BoltDriver)
register(VEHICLE_OBSERVED, VEHICLE_OBSERVED_VERSION, BoltVehicle)
register(ORDER_OBSERVED, ORDER_OBSERVED_VERSION, BoltOrder)
register(STATE_LOG_OBSERVED, STATE_LOG_OBSERVED_VERSION, BoltStateLog)
