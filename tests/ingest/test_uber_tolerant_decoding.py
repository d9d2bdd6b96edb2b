"""Documented variants of Uber answers decode like the common ones (no quarantine, no alarm)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import msgspec
import pytest

from contracts.uber import UberAnalyticsPage, UberAnalyticsRow, UberDailyMetricsRecord
from ingest.errors import ProviderAuthError, ProviderRejected
from ingest.http import ProviderHttp
from ingest.uber.client import UberClient
from ingest.uber.org_errors import UberOrgNotCovered
from ingest.uber.poll_metrics import decode_report
from ingest.uber.windows import Window, paris_day

DAY = date(2025, 3, 10)
HEADER = {
    "dimensionHeaderEntries": [{"name": "FirstName"}, {"name": "LastName"}],
    "metricHeaderEntries": [{"name": "TotalTrips"}, {"name": "TotalEarnings"}],
}


def analytics_answer(values: list[object], key: str = "reports", wrapped: bool = False) -> bytes:
    row = {"dimensionId": "D1", "dimensionValues": values, "metricValues": ["3", "42.50"]}
    report = {"columnHeader": HEADER, "data": {"timeRangeData": [{"rows": [row]}]}}
    body: dict[str, object] = {key: [report]}
    return msgspec.json.encode({"statusCode": 200, "body": body} if wrapped else body)


@pytest.mark.parametrize("key", ["reports", "reportResults"])
@pytest.mark.parametrize("wrapped", [False, True])
@pytest.mark.parametrize(
    "values",
    [["Rui", "Costa"], [{"value": "Rui", "name": "FirstName"}, {"value": "Costa"}]],
    ids=["strings", "objects"],
)
def test_analytics_rows_decode_whatever_the_documented_shape(
    key: str, wrapped: bool, values: list[object]
) -> None:
    page = msgspec.json.decode(analytics_answer(values, key, wrapped), type=UberAnalyticsPage)

    decoded = decode_report(page, [paris_day(DAY)])

    assert not decoded.rejects
    [obs] = decoded.observations
    assert obs.entity_id == f"D1:{DAY.isoformat()}"
    record = msgspec.json.decode(obs.record, type=UberDailyMetricsRecord)
    row = msgspec.json.decode(record.row, type=UberAnalyticsRow)
    assert row.dimension_texts() == ["Rui", "Costa"]
    assert record.metrics == ["TotalTrips", "TotalEarnings"]


def forbidden_org_client(status: int) -> UberClient:
    """A client whose provider answers ``status`` to every call about an org."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"code": "forbidden", "message": "Forbidden"})

    http = ProviderHttp("uber", httpx.AsyncClient(transport=httpx.MockTransport(answer)))
    return UberClient(http, "https://uber.test")


@pytest.mark.parametrize("status", [400, 403])
async def test_an_org_the_credentials_do_not_cover_is_rejected_not_a_credentials_failure(
    status: int,
) -> None:
    client = forbidden_org_client(status)
    end = datetime(2025, 3, 10, 12, tzinfo=UTC)
    window = Window(end - timedelta(hours=1), end)

    with pytest.raises(ProviderRejected) as raised:
        [p async for p in client.payment_pages("ORG", window)]
    with pytest.raises(ProviderRejected):
        [p async for p in client.analytics_pages("ORG", [window])]
    with pytest.raises(ProviderRejected):
        await client.reports.get("ORG", "report-1")

    assert not isinstance(raised.value, ProviderAuthError)
    assert raised.value.status == status
    assert isinstance(raised.value, UberOrgNotCovered) == (status == 403)
