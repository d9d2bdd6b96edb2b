"""Uber Vehicle Suppliers API client: the endpoints we poll, with their pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec

from contracts.uber import UberDriversPage, UberOrganizationsPage
from ingest.http import FailureSink, Fetched, ProviderHttp

PROVIDER = "uber"
MAX_DRIVERS_PAGE = 100


class UberClient:
    """Typed calls to Uber; pages are parsed just enough to paginate."""

    def __init__(self, http: ProviderHttp, api_base: str) -> None:
        self._http = http
        self._base = api_base.rstrip("/")

    async def organizations(
        self, on_failure: FailureSink | None = None
    ) -> Fetched[UberOrganizationsPage]:
        """GET /v1/vehicle-suppliers/orgs: the orgs our credentials reach."""
        return await self._http.request(
            "GET",
            f"{self._base}/v1/vehicle-suppliers/orgs",
            msgspec.json.Decoder(UberOrganizationsPage).decode,
            on_failure=on_failure,
        )

    async def driver_pages(
        self,
        org_id: str,
        *,
        page_size: int = MAX_DRIVERS_PAGE,
        on_failure: FailureSink | None = None,
    ) -> AsyncIterator[Fetched[UberDriversPage]]:
        """GET /v1/vehicle-suppliers/drivers, page after page until ``nextPageToken`` is empty."""
        decode = msgspec.json.Decoder(UberDriversPage).decode
        token = ""
        while True:
            params: dict[str, str | int] = {
                "org_id": org_id,
                "page_size": page_size,
                "include_assigned_vehicles": "true",
            }
            if token:
                params["page_token"] = token
            page = await self._http.request(
                "GET",
                f"{self._base}/v1/vehicle-suppliers/drivers",
                decode,
                params=params,
                on_failure=on_failure,
            )
            yield page
            token = page.body.paginationResult.nextPageToken
            if not token:
                return
