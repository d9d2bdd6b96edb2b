"""Uber's asynchronous reports (U10-U13) and the signed download (docs/PROVIDERS.md §1.8).

The signed URL U13 answers is a credential for 60 s: whoever holds it reads the file. So it
never reaches a log line, an error message or the provider history:

* the link call is recorded with the URL's query string replaced by ``REDACTED`` (the only
  recorded body that is not byte for byte what the provider sent; see :func:`redact_link`);
* the download goes through an httpx client of its own, without our bearer token (it is
  not Uber's API host's business, and may be another host), which carries the query as
  *client* parameters: :class:`~ingest.http.ProviderHttp` is only ever given the URL without
  its query, so the recorded endpoint, the recorded parameters, the retry log lines and the
  error messages all name the path alone;
* httpx itself logs every request's full URL (logger ``httpx``, INFO): a filter on that
  logger replaces the query of a download in progress with ``REDACTED``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from contracts import uber as c
from eventlog.fetches import ProviderCall
from ingest.http import FailureSink, Fetched, ProviderHttp, RetryPolicy, Sleep
from ingest.uber.windows import Window, epoch_ms

PROVIDER = "uber"
MAX_LIST_PAGE = 100
DownloadClient = Callable[[Mapping[str, str]], httpx.AsyncClient]
Meta = tuple[c.UberReportAnswer, c.UberReportMeta]

_ANSWER = msgspec.json.Decoder(c.UberReportAnswer)
_META = msgspec.json.Decoder(c.UberReportMeta)
_LINK = msgspec.json.Decoder(c.UberSignedLink)
_LIST = msgspec.json.Decoder(c.UberReportsPage)


def parse_report(body: bytes) -> Meta:
    """``{"report": {…}}``: the raw report (kept for the record) and its decoded fields."""
    answer = _ANSWER.decode(body)
    return answer, _META.decode(answer.report)


def plain_download_client(params: Mapping[str, str]) -> httpx.AsyncClient:
    """An unauthenticated client sending ``params`` (the signed query) with every request."""
    return httpx.AsyncClient(params=dict(params), timeout=httpx.Timeout(120.0, connect=10.0))


def split_signed_url(url: str) -> tuple[str, dict[str, str]]:
    """``(scheme://host/path, query parameters)`` of a signed URL."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(query=None, fragment=None)), dict(parsed.params)


class _SignedQueryFilter(logging.Filter):
    """Strips the query of the URLs being downloaded from httpx's own log records."""

    def __init__(self) -> None:
        super().__init__()
        self.downloading: set[str] = set()  # the URLs without their query

    def filter(self, record: logging.LogRecord) -> bool:
        if self.downloading and isinstance(record.args, tuple):
            record.args = tuple(self._scrub(arg) for arg in record.args)
        return True

    def _scrub(self, arg: object) -> object:
        if isinstance(arg, httpx.URL) and arg.query:
            path = str(arg.copy_with(query=None, fragment=None))
            if path in self.downloading:
                return f"{path}?REDACTED"
        return arg


_HTTPX_FILTER = _SignedQueryFilter()


def _filter_httpx_logs() -> None:
    """Install the filter on httpx's logger, once per process."""
    logger = logging.getLogger("httpx")
    if _HTTPX_FILTER not in logger.filters:
        logger.addFilter(_HTTPX_FILTER)


def redact_link(call: ProviderCall, url: str) -> ProviderCall:
    """The link call as recorded: the signed URL without its query string."""
    path, _ = split_signed_url(url)
    body = {"data": {"signedUrl": {"value": f"{path}?REDACTED"}}}
    return dataclasses.replace(call, body=msgspec.json.encode(body))


class UberReportsClient:
    """Typed calls to U10-U13 (through ``http``) and downloads (through a plain client)."""

    def __init__(
        self,
        http: ProviderHttp,
        api_base: str,
        *,
        download_client: DownloadClient = plain_download_client,
        download_retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._http = http
        self._base = api_base.rstrip("/")
        self._download_client = download_client
        self._download_retry = download_retry or RetryPolicy(attempts=3)
        self._sleep = sleep
        _filter_httpx_logs()

    def _reports_url(self, org_id: str, tail: str = "") -> str:
        return f"{self._base}/v1/vehicle-suppliers/suppliers/{quote(org_id, safe='')}/reports{tail}"

    async def generate(
        self, org_id: str, report_type: str, window: Window, on_failure: FailureSink | None = None
    ) -> Fetched[Meta]:
        """POST U10: start a report over ``window`` (epoch ms as strings)."""
        span = [str(epoch_ms(window.start)), str(epoch_ms(window.end))]
        body = {
            "reportType": report_type,
            "filters": [{"field": "dateRange", "operator": "OPERATOR_IN_RANGE", "value": span}],
        }
        url = self._reports_url(org_id)
        return await self._http.request("POST", url, parse_report, json=body, on_failure=on_failure)

    async def get(
        self, org_id: str, report_id: str, on_failure: FailureSink | None = None
    ) -> Fetched[Meta]:
        """GET U12: one report and its status."""
        url = self._reports_url(org_id, f"/{quote(report_id, safe='')}")
        return await self._http.request("GET", url, parse_report, on_failure=on_failure)

    async def list_pages(
        self, org_id: str, *, page_size: int = MAX_LIST_PAGE, on_failure: FailureSink | None = None
    ) -> AsyncIterator[Fetched[c.UberReportsPage]]:
        """GET U11, every page (newest created first; ``page_size`` is required)."""
        token = ""
        while True:
            params: dict[str, Any] = {"page_size": page_size}
            if token:
                params["page_token"] = token
            page = await self._http.request(
                "GET", self._reports_url(org_id), _LIST.decode, params=params, on_failure=on_failure
            )
            yield page
            token = page.body.paginationResult.nextPageToken
            if not token:
                return

    async def link(
        self, org_id: str, report_id: str, on_failure: FailureSink | None = None
    ) -> tuple[ProviderCall, str]:
        """POST U13: the call to record (redacted) and the signed URL, valid for 60 s."""
        url = self._reports_url(org_id, f"/{quote(report_id, safe='')}/link")
        fetched = await self._http.request("POST", url, _LINK.decode, on_failure=on_failure)
        signed = fetched.body.data.signedUrl.value
        return redact_link(fetched.call, signed), signed

    async def download(
        self, signed_url: str, on_failure: FailureSink | None = None
    ) -> Fetched[bytes]:
        """GET the file behind a signed URL (403 "Access Denied" once expired)."""
        path, query = split_signed_url(signed_url)
        _HTTPX_FILTER.downloading.add(path)
        try:
            async with self._download_client(query) as client:
                http = ProviderHttp(PROVIDER, client, retry=self._download_retry, sleep=self._sleep)
                return await http.request("GET", path, bytes, on_failure=on_failure)
        finally:
            _HTTPX_FILTER.downloading.discard(path)
