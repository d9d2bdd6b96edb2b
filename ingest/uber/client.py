"""Uber Vehicle Suppliers API client: the endpoints we poll, with their pagination.

Every listing is cursor-paginated: the next page is asked with the previous page's
``paginationResult.nextPageToken`` until it comes back empty (docs/PROVIDERS.md §1.4). The limits
the provider enforces (page sizes, window lengths) are checked here too, before the call, so
a poller bug is a ``ValueError`` in our logs rather than a 400 in Uber's.

The asynchronous reports (U10-U13) and their signed downloads are ``reports``
(:class:`~ingest.uber.reports_client.UberReportsClient`).

Transactions are limited to 1 request per second per app: they go through their own
:class:`~ingest.http.ProviderHttp` (``transactions_http``, with a ``RateLimiter(1.0)``) so
that limit holds for every attempt, retries included. Without one, they share ``http``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol, TypeVar

import msgspec

from contracts.uber import (
    UberAnalyticsPage,
    UberDriversPage,
    UberDriverStatusPage,
    UberOrganizationsPage,
    UberPaginationResult,
    UberPaymentsPage,
    UberTransactionsPage,
    UberVehiclesPage,
)
from ingest.http import FailureSink, Fetched, ProviderHttp
from ingest.pages import json_decoder
from ingest.uber.reports_client import UberReportsClient
from ingest.uber.windows import Window, epoch_ms

PROVIDER = "uber"
MAX_DRIVERS_PAGE = 100
MAX_STATUS_PAGE = 100
MAX_VEHICLES_PAGE = 1000
ANALYTICS_PAGE = 100
PAYMENTS_PAGE = 50  # 200 was seen to answer an empty list (docs/PROVIDERS.md §1.5.6)
TRANSACTIONS_PAGE = 50
MAX_ANALYTICS_SPAN = timedelta(days=8)
MAX_PAYMENTS_SPAN = timedelta(hours=24)
MAX_TRANSACTIONS_SPAN = timedelta(minutes=15)
DAILY_METRICS = ("vs:HoursOnline", "vs:HoursOnTrip", "vs:TotalTrips", "vs:TotalEarnings")

_ORGANIZATIONS = msgspec.json.Decoder(UberOrganizationsPage)
_ANALYTICS = msgspec.json.Decoder(UberAnalyticsPage)
_TRANSACTIONS = msgspec.json.Decoder(UberTransactionsPage)


class _Paged(Protocol):
    @property
    def paginationResult(self) -> UberPaginationResult: ...


P = TypeVar("P")
G = TypeVar("G", bound=_Paged)
Fetch = Callable[[str], Awaitable[Fetched[P]]]


async def paginate(fetch: Fetch[P], next_token: Callable[[P], str]) -> AsyncIterator[Fetched[P]]:
    """Call ``fetch(token)`` from the empty token until a page gives no next token."""
    token = ""
    while True:
        page = await fetch(token)
        yield page
        token = next_token(page.body)
        if not token:
            return


def _check_size(page_size: int, maximum: int) -> None:
    if not 0 < page_size <= maximum:
        raise ValueError(f"page_size must be in 1..{maximum}, got {page_size}")


def _check_window(window: Window, maximum: timedelta, what: str) -> None:
    if not timedelta(0) < window.span <= maximum:
        raise ValueError(f"{what} window must be non-empty and at most {maximum}: {window}")


class UberClient:
    """Typed calls to Uber; pages are parsed just enough to paginate."""

    def __init__(
        self,
        http: ProviderHttp,
        api_base: str,
        *,
        transactions_http: ProviderHttp | None = None,
        reports: UberReportsClient | None = None,
    ) -> None:
        self._http = http
        self._txn_http = transactions_http or http
        self._base = api_base.rstrip("/")
        self.reports = reports or UberReportsClient(http, api_base)

    async def organizations(
        self, on_failure: FailureSink | None = None
    ) -> Fetched[UberOrganizationsPage]:
        """GET /v1/vehicle-suppliers/orgs: the orgs our credentials reach."""
        return await self._http.request(
            "GET",
            f"{self._base}/v1/vehicle-suppliers/orgs",
            _ORGANIZATIONS.decode,
            on_failure=on_failure,
        )

    def driver_pages(
        self,
        org_id: str,
        *,
        page_size: int = MAX_DRIVERS_PAGE,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[Fetched[UberDriversPage]]:
        """GET /v1/vehicle-suppliers/drivers (with assigned vehicles), every page."""
        _check_size(page_size, MAX_DRIVERS_PAGE)
        params = {"org_id": org_id, "page_size": page_size, "include_assigned_vehicles": "true"}
        return self._get_pages("/v1/vehicle-suppliers/drivers", params, UberDriversPage, on_failure)

    def driver_status_pages(
        self,
        org_id: str,
        *,
        page_size: int = MAX_STATUS_PAGE,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[Fetched[UberDriverStatusPage]]:
        """GET /v1/vehicle-suppliers/drivers/actions (``page_size`` is required), every page."""
        _check_size(page_size, MAX_STATUS_PAGE)
        params = {"org_id": org_id, "page_size": page_size}
        return self._get_pages(
            "/v1/vehicle-suppliers/drivers/actions", params, UberDriverStatusPage, on_failure
        )

    def vehicle_pages(
        self,
        org_id: str,
        *,
        page_size: int = MAX_VEHICLES_PAGE,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[Fetched[UberVehiclesPage]]:
        """GET /v2/vehicle-suppliers/vehicles, every page."""
        _check_size(page_size, MAX_VEHICLES_PAGE)
        params = {"org_id": org_id, "page_size": page_size}
        return self._get_pages(
            "/v2/vehicle-suppliers/vehicles", params, UberVehiclesPage, on_failure
        )

    def payment_pages(
        self,
        org_id: str,
        window: Window,
        *,
        page_size: int = PAYMENTS_PAGE,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[Fetched[UberPaymentsPage]]:
        """GET /v1/vehicle-suppliers/earners/payments over ``window`` (epoch ms), every page."""
        _check_size(page_size, PAYMENTS_PAGE)
        _check_window(window, MAX_PAYMENTS_SPAN, "payments")
        params = {
            "org_id": org_id,
            "page_size": page_size,
            "start_time": epoch_ms(window.start),
            "end_time": epoch_ms(window.end),
        }
        return self._get_pages(
            "/v1/vehicle-suppliers/earners/payments", params, UberPaymentsPage, on_failure
        )

    def analytics_pages(
        self,
        org_id: str,
        ranges: list[Window],
        *,
        metrics: tuple[str, ...] = DAILY_METRICS,
        page_size: int = ANALYTICS_PAGE,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[Fetched[UberAnalyticsPage]]:
        """POST /v1/vehicle-suppliers/analytics-data/query, per driver, one range per window.

        The answer has one ``timeRangeData`` item per range, in the order asked.
        """
        if not ranges:
            raise ValueError("analytics needs at least one time range")
        _check_window(Window(ranges[0].start, ranges[-1].end), MAX_ANALYTICS_SPAN, "analytics")
        url = f"{self._base}/v1/vehicle-suppliers/analytics-data/query"

        async def fetch(token: str) -> Fetched[UberAnalyticsPage]:
            body = _analytics_body(org_id, ranges, metrics, page_size, token)
            return await self._http.request(
                "POST", url, _ANALYTICS.decode, json=body, on_failure=on_failure
            )

        return paginate(fetch, lambda page: page.report().paginationResult.nextPageToken)

    def transaction_pages(
        self,
        org_id: str,
        window: Window,
        *,
        page_size: int = TRANSACTIONS_PAGE,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[Fetched[UberTransactionsPage]]:
        """POST /v1/vehicle-suppliers/transactions over ``window`` (≤ 15 min), oldest first."""
        _check_size(page_size, 100)
        _check_window(window, MAX_TRANSACTIONS_SPAN, "transactions")
        url = f"{self._base}/v1/vehicle-suppliers/transactions"

        async def fetch(token: str) -> Fetched[UberTransactionsPage]:
            body = _transactions_body(window, page_size, token)
            return await self._txn_http.request(
                "POST",
                url,
                _TRANSACTIONS.decode,
                params={"org_id": org_id},
                json=body,
                on_failure=on_failure,
            )

        return paginate(fetch, lambda page: page.next_token())

    def _get_pages(
        self,
        path: str,
        params: dict[str, Any],
        page_type: type[G],
        on_failure: FailureSink | None,
    ) -> AsyncIterator[Fetched[G]]:
        decode = json_decoder(page_type).decode
        url = f"{self._base}{path}"

        async def fetch(token: str) -> Fetched[G]:
            query = {**params, "page_token": token} if token else params
            return await self._http.request("GET", url, decode, params=query, on_failure=on_failure)

        return paginate(fetch, lambda page: page.paginationResult.nextPageToken)


def _analytics_body(
    org_id: str, ranges: list[Window], metrics: tuple[str, ...], page_size: int, token: str
) -> dict[str, Any]:
    """The query body of docs/PROVIDERS.md §1.5.4 (org in ``orgId.orgUuid``)."""
    options: dict[str, Any] = {"pageSize": page_size}
    if token:
        options["pageToken"] = token
    request = {
        "timeRanges": [{"startsAt": epoch_ms(r.start), "endsAt": epoch_ms(r.end)} for r in ranges],
        "dimensions": [{"name": "vs:driver"}],
        "metrics": [{"expression": m} for m in metrics],
        "pagination_options": options,
    }
    return {"reportRequests": [request], "orgId": {"orgUuid": org_id}}


def _transactions_body(window: Window, page_size: int, token: str) -> dict[str, Any]:
    """The body of docs/PROVIDERS.md §1.5.7: the time range as *strings* of epoch ms."""
    span = [str(epoch_ms(window.start)), str(epoch_ms(window.end))]
    return {
        "filters": [{"field": "timeRange", "operator": "FILTER_OPERATOR_IN_RANGE", "value": span}],
        "sort": [{"field": "processedAt", "direction": "DIRECTION_ASCENDING"}],
        "pagination_options": {"pageSize": page_size, "pageToken": token},
    }
