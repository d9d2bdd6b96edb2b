"""Response bodies of the read models: vehicles, daily figures, payments, trips, syncs.

Money is integer minor units (cents) beside its ISO 4217 currency; days are Europe/Paris
calendar days; times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class ProviderAccount(msgspec.Struct):
    account_id: str
    name: str | None
    parent_id: str | None


class ProviderAccountList(msgspec.Struct):
    items: list[ProviderAccount]


class Vehicle(msgspec.Struct):
    vehicle_id: str
    provider: str
    account_id: str
    plate: str | None
    make: str | None
    model: str | None
    year: int | None
    color: str | None
    status: str | None
    updated_at: datetime


class VehiclePage(msgspec.Struct):
    items: list[Vehicle]
    next_cursor: str | None


class DailyMetrics(msgspec.Struct):
    day: date
    trips: int | None
    hours_online: float | None
    hours_on_trip: float | None
    earnings_minor: int | None
    currency: str | None


class MetricsTotals(msgspec.Struct):
    trips: int
    hours_online: float
    hours_on_trip: float
    earnings_minor: int
    currency: str | None


class DailyMetricsList(msgspec.Struct):
    items: list[DailyMetrics]
    totals: MetricsTotals


class PaymentCategory(msgspec.Struct):
    category: str
    children: list[PaymentCategory]
    amount_minor: int | None = None
    currency: str | None = None


class Payment(msgspec.Struct):
    payment_id: str
    day: date
    window_start: datetime
    window_end: datetime
    amount_minor: int
    currency: str | None
    breakdown: list[PaymentCategory]


class PaymentList(msgspec.Struct):
    items: list[Payment]
    total_minor: int
    currency: str | None


class Trip(msgspec.Struct):
    order_reference: str
    day: date | None
    status: str | None
    payment_method: str | None
    created_at: datetime | None
    finished_at: datetime | None
    pickup_address: str | None
    destination_address: str | None
    ride_distance_m: int | None
    ride_price_minor: int
    commission_minor: int
    net_minor: int
    tip_minor: int
    toll_minor: int
    currency: str


class TripPage(msgspec.Struct):
    items: list[Trip]
    next_cursor: str | None


class DailyEarnings(msgspec.Struct):
    day: date
    orders: int
    gross_minor: int
    commission_minor: int
    net_minor: int
    tips_minor: int
    tolls_minor: int
    cash_minor: int
    in_app_minor: int
    currency: str


class EarningsTotals(msgspec.Struct):
    orders: int
    gross_minor: int
    commission_minor: int
    net_minor: int
    tips_minor: int
    tolls_minor: int
    cash_minor: int
    in_app_minor: int
    currency: str | None


class DailyEarningsList(msgspec.Struct):
    items: list[DailyEarnings]
    totals: EarningsTotals


class SyncRun(msgspec.Struct):
    run_id: UUID
    provider: str
    resource: str
    trigger: str
    status: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    calls: int
    records: int
    appended: int
    quarantined: int
    error: str | None


class SyncAccepted(msgspec.Struct):
    run_id: UUID
    status: str


class ResourceSync(msgspec.Struct):
    provider: str
    resource: str
    last_run: SyncRun | None


class SyncStatusList(msgspec.Struct):
    items: list[ResourceSync]


DATA_STRUCTS: list[type] = [
    ProviderAccountList,
    VehiclePage,
    Vehicle,
    DailyMetricsList,
    PaymentList,
    Payment,
    TripPage,
    Trip,
    DailyEarningsList,
    SyncRun,
    SyncAccepted,
    SyncStatusList,
]
