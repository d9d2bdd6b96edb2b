"""Bolt Fleet Integration client: the envelope, business errors, windows and offset pages.

Bolt answers business errors as HTTP 200 with ``code != 0`` (docs/PROVIDERS.md §2.4, §2.7); the
parser maps them into our hierarchy (:mod:`ingest.errors`) so ``ProviderHttp`` retries the
right ones::

    code 0                         the data
    code 998, 999 (transient)      BoltTransient(ProviderUnavailable)   retried
    code 503 (NOT_AUTHORIZED)      ProviderAuthError                    not retried
    any other (702, 4988xx...)     BoltRejected(ProviderRejected)       not retried

List operations take a time window (``start_ts < end_ts``, at most 31 days) and
``offset``/``limit``; a longer range is walked window by window (:mod:`ingest.bolt.windows`).
A window's pages end on a short page or when ``offset`` reaches ``total_orders``/``total_rows``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import msgspec

from contracts import bolt as c
from eventlog.fetches import ProviderCall
from ingest.bolt.windows import MAX_WINDOW_S, Window, split
from ingest.errors import ProviderAuthError, ProviderRejected, ProviderUnavailable
from ingest.http import FailureSink, Fetched, Parse, ProviderHttp
from ingest.pages import json_decoder

PROVIDER = "bolt"
SCOPE = "fleet-integration:api"
MAX_PAGE = 1000
MAX_VEHICLES_PAGE = 100
TRANSIENT_CODES = frozenset({998, 999})
NOT_AUTHORIZED = 503
FILTER_CREATED = "created"
FILTER_PRICE_REVIEW = "price_review"

T = TypeVar("T")
_ENVELOPE = msgspec.json.Decoder(c.BoltEnvelope)


class BoltRejected(ProviderRejected):
    """A business error in a 200 envelope (702, 498805/6, 498807/9/10...)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(PROVIDER, message, 200)
        self.code = code


class BoltTransient(ProviderUnavailable):
    """A transient business error (998/999, e.g. CLIENT_TIMEOUT): the call is retried."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(PROVIDER, message, 200)
        self.code = code


def envelope_parser(data_type: type[T]) -> Parse[T]:
    """A ``parse`` for ProviderHttp: the envelope's ``data`` as ``data_type``, or our error."""
    decode_data = json_decoder(data_type)

    def parse(body: bytes) -> T:
        envelope = _ENVELOPE.decode(body)
        if envelope.code == 0 and bytes(envelope.data) != c.NULL:
            return decode_data.decode(envelope.data)
        raise _business_error(envelope)

    return parse


def _business_error(envelope: c.BoltEnvelope) -> Exception:
    what = envelope.describe()
    if envelope.code in TRANSIENT_CODES:
        return BoltTransient(what, envelope.code)
    if envelope.code == NOT_AUTHORIZED:
        return ProviderAuthError(PROVIDER, what, 200)
    if envelope.code == 0:  # OK without data: a body we cannot use (retried)
        return ValueError("envelope code 0 without data")
    return BoltRejected(what, envelope.code)


@dataclass(frozen=True)
class BoltPage(Generic[T]):
    """One page of one window; ``window_done`` on the window's last page."""

    fetched: Fetched[T]
    window: Window
    window_done: bool
    # On a window's last page: why the window is not whole (fewer rows than Bolt announced).
    shortfall: str | None = None

    @property
    def body(self) -> T:
        return self.fetched.body

    @property
    def call(self) -> ProviderCall:
        return self.fetched.call


@dataclass(frozen=True)
class _Listing(Generic[T]):
    """How to page one list operation."""

    operation: str
    data_type: type[T]
    records: Callable[[T], Sequence[Any]]
    total: Callable[[T], int | None]
    limit: int


def _no_total(_: Any) -> int | None:
    return None


DRIVERS = _Listing("getDrivers", c.BoltDriversData, lambda d: d.drivers or [], _no_total, MAX_PAGE)
VEHICLES = _Listing(
    "getVehicles", c.BoltVehiclesData, lambda d: d.vehicles or [], _no_total, MAX_VEHICLES_PAGE
)
ORDERS = _Listing(
    "getFleetOrders",
    c.BoltOrdersData,
    lambda d: d.orders or [],
    lambda d: d.total_orders,
    MAX_PAGE,
)
STATE_LOGS = _Listing(
    "getFleetStateLogs",
    c.BoltStateLogsData,
    lambda d: d.state_logs or [],
    lambda d: d.total_rows,
    MAX_PAGE,
)


class BoltClient:
    """Typed calls to Bolt; pages are parsed just enough to paginate."""

    def __init__(
        self,
        http: ProviderHttp,
        api_base: str,
        *,
        max_window_s: int = MAX_WINDOW_S,
        page_size: int | None = None,
    ) -> None:
        self._http = http
        self._base = f"{api_base.rstrip('/')}/fleetIntegration/v1"
        self._max_window_s = max_window_s
        self._page_size = page_size  # at most each operation's own limit (tests: smaller)

    async def companies(
        self, on_failure: FailureSink | None = None
    ) -> Fetched[c.BoltCompaniesData]:
        """GET getCompanies: the company ids our credentials may read (POST gives 404)."""
        return await self._http.request(
            "GET",
            f"{self._base}/getCompanies",
            envelope_parser(c.BoltCompaniesData),
            on_failure=on_failure,
        )

    def drivers(
        self, company_id: int, start: int, end: int, on_failure: FailureSink | None = None
    ) -> AsyncIterator[BoltPage[c.BoltDriversData]]:
        """POST getDrivers (``company_id``), every page of every window."""
        return self._walk(DRIVERS, {"company_id": company_id}, start, end, on_failure)

    def vehicles(
        self, company_id: int, start: int, end: int, on_failure: FailureSink | None = None
    ) -> AsyncIterator[BoltPage[c.BoltVehiclesData]]:
        """POST getVehicles (``company_id``, limit 100), every page of every window."""
        return self._walk(VEHICLES, {"company_id": company_id}, start, end, on_failure)

    def orders(
        self,
        company_id: int,
        start: int,
        end: int,
        filter_type: str = FILTER_CREATED,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[BoltPage[c.BoltOrdersData]]:
        """POST getFleetOrders (``company_ids``), filtered on creation or price-review time."""
        base = {"company_ids": [company_id], "time_range_filter_type": filter_type}
        return self._walk(ORDERS, base, start, end, on_failure)

    def state_logs(
        self, company_id: int, start: int, end: int, on_failure: FailureSink | None = None
    ) -> AsyncIterator[BoltPage[c.BoltStateLogsData]]:
        """POST getFleetStateLogs (``company_id``), newest first within each window."""
        return self._walk(STATE_LOGS, {"company_id": company_id}, start, end, on_failure)

    async def _walk(
        self,
        listing: _Listing[T],
        base: dict[str, Any],
        start: int,
        end: int,
        on_failure: FailureSink | None,
    ) -> AsyncIterator[BoltPage[T]]:
        for window in split(start, end, self._max_window_s):
            pages = self._window_pages(listing, {**base, **window.body()}, on_failure)
            async for page, done, shortfall in pages:
                yield BoltPage(page, window, done, shortfall)

    async def _window_pages(
        self, listing: _Listing[T], base: dict[str, Any], on_failure: FailureSink | None
    ) -> AsyncIterator[tuple[Fetched[T], bool, str | None]]:
        parse = envelope_parser(listing.data_type)
        limit = min(listing.limit, self._page_size or listing.limit)
        offset = received = 0
        while True:
            body = {**base, "offset": offset, "limit": limit}
            page = await self._post(listing.operation, body, parse, on_failure)
            offset += limit
            received += len(listing.records(page.body))
            total = listing.total(page.body)
            done = received < offset or (total is not None and offset >= total)
            yield page, done, _shortfall(listing, received, total) if done else None
            if done:
                return

    async def _post(
        self,
        operation: str,
        body: dict[str, Any],
        parse: Parse[T],
        on_failure: FailureSink | None,
    ) -> Fetched[T]:
        """POST ``body``; the recorded calls carry it as their params (it holds no secret)."""
        sink = _with_params(on_failure, body)
        fetched = await self._http.request(
            "POST", f"{self._base}/{operation}", parse, json=body, on_failure=sink
        )
        return Fetched(replace(fetched.call, params=body), fetched.body)


def _shortfall(listing: _Listing[Any], received: int, total: int | None) -> str | None:
    """Why a finished window is not whole: a short page came before Bolt's announced total
    (``total_orders``/``total_rows`` of its last page), so rows were lost between pages."""
    if total is None or received >= total:
        return None
    return f"{listing.operation}: received {received} of {total} rows"


def _with_params(sink: FailureSink | None, body: dict[str, Any]) -> FailureSink | None:
    """ProviderHttp records query parameters only; Bolt's parameters are in the JSON body."""
    if sink is None:
        return None

    async def record(call: ProviderCall) -> None:
        await sink(replace(call, params=body))

    return record
