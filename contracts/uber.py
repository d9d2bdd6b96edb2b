"""Uber Vehicle Suppliers records, decoded into the few fields we use.

Each Struct names the provider's own field names (camelCase) and ignores unknown fields, so
an extra field from Uber never breaks decoding; a missing required field does, and the
record is quarantined by the poller.
"""

from __future__ import annotations

import msgspec

from contracts.catalog import register

DRIVER_OBSERVED = "uber.driver.observed"
DRIVER_OBSERVED_VERSION = 1
ORGANIZATION_OBSERVED = "uber.organization.observed"
ORGANIZATION_OBSERVED_VERSION = 1


class UberPhone(msgspec.Struct, frozen=True):
    countryCode: str | None = None
    number: str | None = None

    def e164(self) -> str | None:
        if not self.number:
            return None
        return f"{self.countryCode or ''}{self.number}"


class UberVehicleRef(msgspec.Struct, frozen=True):
    vehicleId: str


class UberDriver(msgspec.Struct, frozen=True):
    """An entry of ``driverInformation`` (GET /v1/vehicle-suppliers/drivers)."""

    driverId: str
    driverIdEncrypted: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    email: str | None = None
    phoneNumber: UberPhone | None = None
    assignedVehicles: list[UberVehicleRef] | None = None
    status: str | None = None


class UberOrganization(msgspec.Struct, frozen=True):
    """An entry of ``organizations`` (GET /v1/vehicle-suppliers/orgs)."""

    id: str
    name: str | None = None
    parent_org_id: str | None = None
    types: list[str] = []


class UberPaginationResult(msgspec.Struct, frozen=True):
    nextPageToken: str = ""


class UberDriversPage(msgspec.Struct, frozen=True):
    """A drivers page; records stay raw so each is decoded (or quarantined) on its own."""

    driverInformation: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()


class UberOrganizationsPage(msgspec.Struct, frozen=True):
    organizations: list[msgspec.Raw] | None = None


# -- event types of the Supplier Performance Data resources ---------------------------------
# Each record appended under these types is the provider's own JSON, except where a docstring
# below says it is wrapped (analytics rows and payment breakdowns carry no date of their own).

VEHICLE_OBSERVED = "uber.vehicle.observed"
VEHICLE_OBSERVED_VERSION = 1
DRIVER_STATUS_OBSERVED = "uber.driver_status.observed"
DRIVER_STATUS_OBSERVED_VERSION = 1
DAILY_METRICS_OBSERVED = "uber.daily_metrics.observed"
DAILY_METRICS_OBSERVED_VERSION = 1
PAYMENT_OBSERVED = "uber.payment.observed"
PAYMENT_OBSERVED_VERSION = 1
TRANSACTION_OBSERVED = "uber.transaction.observed"
TRANSACTION_OBSERVED_VERSION = 1


class UberVehicle(msgspec.Struct, frozen=True):
    """An entry of ``vehicleInformation`` (GET /v2/vehicle-suppliers/vehicles)."""

    vehicleId: str
    vehicleIdEncrypted: str | None = None
    licensePlate: str | None = None
    make: str | None = None
    model: str | None = None
    year: int | None = None
    vin: str | None = None
    color: str | None = None


class UberVehiclesPage(msgspec.Struct, frozen=True):
    vehicleInformation: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()


class UberStatusEntry(msgspec.Struct, frozen=True):
    status: str
    timestamp: str | None = None


class UberStatusDriverInfo(msgspec.Struct, frozen=True):
    driverUuid: str
    firstName: str | None = None
    lastName: str | None = None


class UberStatusVehicleInfo(msgspec.Struct, frozen=True):
    licensePlate: str | None = None


class UberDriverStatus(msgspec.Struct, frozen=True):
    """An entry of ``driverStatusOverviews`` (GET /v1/vehicle-suppliers/drivers/actions).

    ``statusEntries`` is null for a driver who was not online during the tracking window.
    """

    driverInfo: UberStatusDriverInfo
    onboardingStatus: str | None = None
    statusEntries: list[UberStatusEntry] | None = None
    vehicleInfo: UberStatusVehicleInfo | None = None

    def current(self) -> UberStatusEntry | None:
        """The current status: the first entry, as clients take it (docs/PROVIDERS.md §1.5.3)."""
        return self.statusEntries[0] if self.statusEntries else None


class UberDriverStatusPage(msgspec.Struct, frozen=True):
    driverStatusOverviews: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()


class UberMoney(msgspec.Struct, frozen=True):
    """``{"amountE5", "currencyCode"}``: value = amountE5 / 100000 (``amountES`` is a doc typo)."""

    currencyCode: str
    amountE5: int | None = None
    amountES: int | None = None

    def e5(self) -> int:
        """The amount in units of 1e-5 of the currency, whichever spelling was sent."""
        return self.amountE5 if self.amountE5 is not None else self.amountES or 0


class UberCategory(msgspec.Struct, frozen=True):
    """A node of a payment or transaction breakdown tree (``categoryName`` + ``children``)."""

    categoryName: str
    amount: UberMoney | None = None
    children: list[UberCategory] | None = None


class UberEarnerInfo(msgspec.Struct, frozen=True):
    uuid: str
    firstName: str | None = None
    lastName: str | None = None


class UberEarnerPayment(msgspec.Struct, frozen=True):
    """An entry of ``earnerPaymentBreakdowns`` (GET /v1/vehicle-suppliers/earners/payments).

    It sums one earner's payments over the *asked* window; the window is not in the entry.
    """

    earnerInfo: UberEarnerInfo
    paymentBreakdowns: list[UberCategory] | None = None


class UberPaymentsPage(msgspec.Struct, frozen=True):
    earnerPaymentBreakdowns: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()


class UberPaymentRecord(msgspec.Struct, frozen=True):
    """The record of ``uber.payment.observed`` v1: a wrapper, because the entry has no time.

    ``start_time``/``end_time`` are the epoch-ms window as asked; ``payment`` holds the
    provider's ``earnerPaymentBreakdowns`` entry byte for byte.
    """

    start_time: int
    end_time: int
    payment: msgspec.Raw


class UberTxnDriverInfo(msgspec.Struct, frozen=True):
    driverUUID: str | None = None
    firstName: str | None = None
    lastName: str | None = None


class UberTransactionInfo(msgspec.Struct, frozen=True):
    transactionUUID: str
    processedAt: str
    tripUUID: str | None = None
    description: str | None = None
    breakDown: list[UberCategory] | None = None
    breakDowns: list[UberCategory] | None = None

    def categories(self) -> list[UberCategory]:
        """The breakdown, under whichever of its two observed names it came."""
        return self.breakDown or self.breakDowns or []


class UberTransaction(msgspec.Struct, frozen=True):
    """An entry of ``transactions`` (POST /v1/vehicle-suppliers/transactions)."""

    transactionInfo: UberTransactionInfo
    driverInfo: UberTxnDriverInfo | None = None


class _TransactionsBody(msgspec.Struct, frozen=True):
    transactions: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()


class UberTransactionsPage(msgspec.Struct, frozen=True):
    """A transactions page, bare or wrapped as ``{"statusCode": 200, "body": {…}}``."""

    transactions: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()
    body: _TransactionsBody | None = None

    def records(self) -> list[msgspec.Raw]:
        return (self.body.transactions if self.body else self.transactions) or []

    def next_token(self) -> str:
        return (self.body or self).paginationResult.nextPageToken


class UberHeaderEntry(msgspec.Struct, frozen=True):
    name: str


class UberColumnHeader(msgspec.Struct, frozen=True):
    dimensionHeaderEntries: list[UberHeaderEntry] = []
    metricHeaderEntries: list[UberHeaderEntry] = []


class UberTimeRangeData(msgspec.Struct, frozen=True):
    rows: list[msgspec.Raw] | None = None


class UberReportData(msgspec.Struct, frozen=True):
    timeRangeData: list[UberTimeRangeData] = []


class UberReport(msgspec.Struct, frozen=True):
    """One ``reports[]`` item: one ``timeRangeData`` item per asked time range, in order."""

    columnHeader: UberColumnHeader = UberColumnHeader()
    data: UberReportData = UberReportData()
    paginationResult: UberPaginationResult = UberPaginationResult()

    def metric_names(self) -> list[str]:
        return [entry.name for entry in self.columnHeader.metricHeaderEntries]


class _AnalyticsBody(msgspec.Struct, frozen=True):
    reports: list[UberReport] = []


class UberAnalyticsPage(msgspec.Struct, frozen=True):
    """An analytics answer, bare or wrapped as ``{"statusCode": 200, "body": {…}}``."""

    reports: list[UberReport] = []
    body: _AnalyticsBody | None = None

    def report(self) -> UberReport:
        """The first (and, as we ask, only) report."""
        reports = self.body.reports if self.body else self.reports
        return reports[0] if reports else UberReport()


class UberAnalyticsRow(msgspec.Struct, frozen=True):
    """A row of ``timeRangeData[].rows``; values follow ``metricHeaderEntries`` in order."""

    dimensionId: str
    dimensionValues: list[str] = []
    metricValues: list[str | int | float] = []


class UberDailyMetricsRecord(msgspec.Struct, frozen=True):
    """The record of ``uber.daily_metrics.observed`` v1: a wrapper, because rows carry no day.

    ``day`` is the Europe/Paris day of the asked time range (YYYY-MM-DD), ``metrics`` the
    report's ``metricHeaderEntries`` names (the row's values are positional), and ``row`` the
    provider's row byte for byte.
    """

    day: str
    metrics: list[str]
    row: msgspec.Raw


register(VEHICLE_OBSERVED, VEHICLE_OBSERVED_VERSION, UberVehicle)
register(DRIVER_STATUS_OBSERVED, DRIVER_STATUS_OBSERVED_VERSION, UberDriverStatus)
register(DAILY_METRICS_OBSERVED, DAILY_METRICS_OBSERVED_VERSION, UberDailyMetricsRecord)
register(PAYMENT_OBSERVED, PAYMENT_OBSERVED_VERSION, UberPaymentRecord)
register(TRANSACTION_OBSERVED, TRANSACTION_OBSERVED_VERSION, UberTransaction)


# -- asynchronous reports (U10-U13, docs/PROVIDERS.md §1.8) --------------------------------

REPORT_OBSERVED = "uber.report.observed"
REPORT_OBSERVED_VERSION = 1
REPORT_COMPLETED = "REPORT_STATUS_COMPLETED"
REPORT_FAILED = "REPORT_STATUS_FAILED"


class UberReportMeta(msgspec.Struct, frozen=True):
    """A ``Report`` object (U10/U11/U12); times are ISO-8601 UTC strings."""

    id: str
    status: str
    reportType: str | None = None
    fileName: str | None = None
    orgId: str | None = None
    startTime: str | None = None
    endTime: str | None = None
    failedReason: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None
    completedAt: str | None = None

    @property
    def finished(self) -> bool:
        """COMPLETED or FAILED: polling it again changes nothing."""
        return self.status in (REPORT_COMPLETED, REPORT_FAILED)


class UberReportAnswer(msgspec.Struct, frozen=True):
    """The answer of U10 and U12: ``{"report": {…}}``, the report kept raw for the record."""

    report: msgspec.Raw


class UberReportsPage(msgspec.Struct, frozen=True):
    """A U11 page: the array key is the singular ``report``."""

    report: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()


class UberSignedUrl(msgspec.Struct, frozen=True):
    value: str


class UberSignedLinkData(msgspec.Struct, frozen=True):
    signedUrl: UberSignedUrl


class UberSignedLink(msgspec.Struct, frozen=True):
    """The answer of U13: ``{"data": {"signedUrl": {"value": "<url>"}}}`` (valid 60 s)."""

    data: UberSignedLinkData


class UberReportRecord(msgspec.Struct, frozen=True):
    """The record of ``uber.report.observed`` v1: the report as Uber sent it, and its file.

    ``report`` is the U12 ``Report`` object byte for byte (the last poll's); ``csv_sha256``
    (hex) and ``row_count`` describe the downloaded file (rows of every CSV, headers aside),
    both null for a FAILED report. The file's bytes are in the provider history, under the
    download call the event's ``fetch_id`` names.
    """

    report: msgspec.Raw
    csv_sha256: str | None = None
    row_count: int | None = None


register(REPORT_OBSERVED, REPORT_OBSERVED_VERSION, UberReportRecord)
