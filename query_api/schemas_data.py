"""Response bodies of the read models: vehicles, daily figures, payments, trips, histories,
reports, syncs.

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


class Transaction(msgspec.Struct):
    """One Uber transaction of a driver: the sum of its top-level categories, and the tree."""

    transaction_id: str
    account_id: str
    trip_id: str | None
    processed_at: datetime
    description: str | None
    amount_minor: int
    currency: str | None
    breakdown: list[PaymentCategory]


class TransactionPage(msgspec.Struct):
    items: list[Transaction]
    next_cursor: str | None


class StatusChange(msgspec.Struct):
    """A driver's Uber realtime status (DRIVER_STATUS_*) since ``status_at``."""

    status_at: datetime
    status: str


class StatusChangePage(msgspec.Struct):
    items: list[StatusChange]
    next_cursor: str | None


class UberReport(msgspec.Struct):
    """One Uber report: what was asked, its state, and the file's row count and SHA-256.

    ``fetch_id`` is the provider call whose recorded body is the file (for a FAILED report,
    the last status call): auditors read it at ``GET /audit/fetches/{fetch_id}/body``.
    """

    report_id: str
    account_id: str
    report_type: str | None
    status: str
    failed_reason: str | None
    period_start: datetime | None
    period_end: datetime | None
    file_name: str | None
    row_count: int | None
    csv_sha256: str | None
    fetch_id: int | None
    created_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime


class UberReportPage(msgspec.Struct):
    items: list[UberReport]
    next_cursor: str | None


class BoltCompany(msgspec.Struct):
    company_id: int
    name: str | None
    currency: str
    first_seen_at: datetime
    updated_at: datetime


class BoltCompanyList(msgspec.Struct):
    items: list[BoltCompany]


class StateLog(msgspec.Struct):
    """A Bolt driver's state (inactive, waiting_orders, has_order) from ``created_at``."""

    created_at: datetime
    state: str
    company_id: int
    vehicle_uuid: str | None
    lat: float | None
    lng: float | None


class StateLogPage(msgspec.Struct):
    items: list[StateLog]
    next_cursor: str | None


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
    # Whether the run fetched all it asked for (null while open, or skipped); why not.
    complete: bool | None = None
    incomplete_reason: str | None = None


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
    TransactionPage,
    StatusChangePage,
    UberReportPage,
    BoltCompanyList,
    StateLogPage,
    SyncRun,
    SyncAccepted,
    SyncStatusList,
]
