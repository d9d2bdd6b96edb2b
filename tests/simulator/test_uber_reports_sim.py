"""The simulator's Uber reports flow (U10-U13) and download, on a fixed clock."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from simulator import FixedClock, SimulatorSettings
from tests.simulator.conftest import NOW, UberCalls

DAY_MS = 86_400_000
START_MS = int((NOW - timedelta(days=2)).timestamp()) * 1000


def generate_body(report_type: str = "REPORT_TYPE_PAYMENTS_ORDER", days: int = 1) -> Any:
    span = [str(START_MS), str(START_MS + days * DAY_MS)]
    return {
        "reportType": report_type,
        "filters": [{"field": "dateRange", "operator": "OPERATOR_IN_RANGE", "value": span}],
    }


def reports_path(org: str) -> str:
    return f"/v1/vehicle-suppliers/suppliers/{org}/reports"


async def generate(uber: UberCalls, org: str, **kw: Any) -> httpx.Response:
    return await uber.post(reports_path(org), generate_body(**kw))


async def download(uber: UberCalls, org: str, report_id: str) -> httpx.Response:
    link = await uber.post(f"{reports_path(org)}/{report_id}/link", {})
    assert link.status_code == 200, link.text
    url = link.json()["data"]["signedUrl"]["value"]
    return await uber.client.get(url)  # no bearer: the signature is the credential


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


@pytest.fixture
def fast() -> SimulatorSettings:
    return SimulatorSettings(uber_report_delay_s=0)


async def test_a_report_completes_and_downloads_as_csv_with_the_documented_headers(
    open_uber: Any, fast: SimulatorSettings
) -> None:
    uber = await open_uber(fast)
    org = await uber.org_id()
    report = (await generate(uber, org)).json()["report"]
    got = (await uber.get(f"{reports_path(org)}/{report['id']}")).json()["report"]
    file = await download(uber, org, report["id"])

    assert got["status"] == "REPORT_STATUS_COMPLETED" and got["fileName"].endswith(".csv")
    assert got["failedReason"] == "REPORT_GENERATION_FAILED_REASON_NONE"
    rows = rows_of(file.content)
    assert rows[0][:5] == [
        "Transaction UUID", "Driver UUID", "Driver FirstName", "Driver Surname", "Trip UUID",
    ]  # fmt: skip
    assert len(rows) > 1 and file.headers["content-type"].startswith("text/csv")


async def test_payments_order_rows_are_the_transactions_of_the_same_trips(
    open_uber: Any, fast: SimulatorSettings, clock: FixedClock
) -> None:
    uber = await open_uber(fast)
    org = await uber.org_id()
    start = NOW - timedelta(hours=2)
    body = generate_body()
    window_ms = [str(int(start.timestamp()) * 1000), str(int(NOW.timestamp()) * 1000)]
    body["filters"][0]["value"] = window_ms
    report = (await uber.post(reports_path(org), body)).json()["report"]
    rows = rows_of((await download(uber, org, report["id"])).content)[1:]
    txn_ids: set[str] = set()
    for i in range(8):  # the same two hours, in 15-minute windows
        lo = int((start + timedelta(minutes=15 * i)).timestamp()) * 1000
        txn_body = {
            "filters": [{"field": "timeRange", "value": [str(lo), str(lo + 900_000)]}],
            "pagination_options": {"pageSize": 100},
        }
        page = await uber.post("/v1/vehicle-suppliers/transactions", txn_body, org_id=org)
        txn_ids |= {t["transactionInfo"]["transactionUUID"] for t in page.json()["transactions"]}
    assert {r[0] for r in rows} == txn_ids and txn_ids


DOCUMENTED = {
    "en": ["Transaction UUID", "Driver UUID", "Trip UUID", "Description", "Organization Name",
           "Organization Alias", "Processed At", "Earnings", "Payouts", "Cash Collected",
           "Transferred to Bank Account"],
    "fr": ["UUID de la transaction", "UUID du chauffeur", "UUID de la course", "Description",
           "Nom de l'organisation", "Alias de l'organisation", "Date de traitement",
           "Revenus totaux", "Versements", "Versements : Espèces collectées",
           "Versements : Transferts vers un compte bancaire"],
}  # fmt: skip


async def payments_order_by_meaning(open_uber: Any, language: str) -> list[dict[str, str]]:
    """The rows of a PAYMENTS_ORDER report in ``language``, keyed by the English name."""
    uber = await open_uber(SimulatorSettings(uber_report_delay_s=0, uber_report_language=language))
    org = await uber.org_id()
    report = (await generate(uber, org)).json()["report"]
    header, *rows = rows_of((await download(uber, org, report["id"])).content)
    index = [header.index(name) for name in DOCUMENTED[language]]
    return [
        {en: row[i].replace(",", ".") for en, i in zip(DOCUMENTED["en"], index, strict=True)}
        for row in rows
    ]


async def test_payments_order_reports_say_the_same_in_english_and_french(open_uber: Any) -> None:
    english = await payments_order_by_meaning(open_uber, "en")
    french = await payments_order_by_meaning(open_uber, "fr")

    assert english and french == english
    for r in english:
        payouts = Decimal(r["Cash Collected"]) + Decimal(r["Transferred to Bank Account"])
        assert Decimal(r["Payouts"]) == payouts


async def test_driver_quality_lists_every_driver_of_the_org(
    open_uber: Any, fast: SimulatorSettings
) -> None:
    uber = await open_uber(fast)
    org = await uber.org_id()
    report = (await generate(uber, org, report_type="REPORT_TYPE_DRIVER_QUALITY")).json()
    rows = rows_of((await download(uber, org, report["report"]["id"])).content)
    assert rows[0][0] == "Driver UUID" and "Driver Ratings (Last 4 Weeks)" in rows[0]
    assert len(rows) - 1 == 25


async def test_a_report_is_in_progress_until_the_delay_has_passed(open_uber: Any, clock) -> None:
    uber = await open_uber(SimulatorSettings(uber_report_delay_s=30))
    org = await uber.org_id()
    report = (await generate(uber, org)).json()["report"]
    early = await uber.post(f"{reports_path(org)}/{report['id']}/link", {})
    clock.advance(timedelta(seconds=30))
    later = (await uber.get(f"{reports_path(org)}/{report['id']}")).json()["report"]

    assert report["status"] == "REPORT_STATUS_IN_PROGRESS" and "completedAt" not in report
    assert early.status_code == 400 and early.json()["code"] == "bad_request"
    assert later["status"] == "REPORT_STATUS_COMPLETED" and later["completedAt"]


async def test_at_most_six_reports_are_in_progress_per_org(open_uber: Any, clock) -> None:
    uber = await open_uber(SimulatorSettings(uber_report_delay_s=60))
    org = await uber.org_id()
    statuses = [(await generate(uber, org)).status_code for _ in range(7)]
    refused = await generate(uber, org)
    clock.advance(timedelta(seconds=60))
    again = await generate(uber, org)

    assert statuses == [200] * 6 + [429]
    assert refused.json() == {
        "code": "rate_limited", "message": "Number of requests exceeds allowed limit",
    }  # fmt: skip
    assert again.status_code == 200


async def test_the_list_is_newest_first_under_the_key_report_and_needs_a_page_size(
    open_uber: Any, fast: SimulatorSettings
) -> None:
    uber = await open_uber(fast)
    org = await uber.org_id()
    made = [(await generate(uber, org)).json()["report"]["id"] for _ in range(3)]
    first = (await uber.get(reports_path(org), page_size=2)).json()
    token = first["paginationResult"]["nextPageToken"]
    second = (await uber.get(reports_path(org), page_size=2, page_token=token)).json()
    missing = await uber.get(reports_path(org))

    listed = [r["id"] for r in first["report"] + second["report"]]
    assert listed == made[::-1] and second["paginationResult"]["nextPageToken"] == ""
    assert missing.status_code == 400


async def test_a_signed_link_is_denied_after_sixty_seconds(
    open_uber: Any, fast: SimulatorSettings, clock: FixedClock
) -> None:
    uber = await open_uber(fast)
    org = await uber.org_id()
    report_id = (await generate(uber, org)).json()["report"]["id"]
    link = await uber.post(f"{reports_path(org)}/{report_id}/link", {})
    url = link.json()["data"]["signedUrl"]["value"]
    clock.advance(timedelta(seconds=60))
    in_time = await uber.client.get(url)
    clock.advance(timedelta(seconds=1))
    late = await uber.client.get(url)
    forged = await uber.client.get(url.replace("Signature=", "Signature=0"))

    assert in_time.status_code == 200
    assert late.status_code == 403 and b"Access Denied" in late.content
    assert forged.status_code == 403


async def test_six_hundred_links_per_ten_minutes(open_uber: Any, clock: FixedClock) -> None:
    uber = await open_uber(SimulatorSettings(uber_report_delay_s=0, uber_report_links_per_10min=3))
    org = await uber.org_id()
    report_id = (await generate(uber, org)).json()["report"]["id"]
    path = f"{reports_path(org)}/{report_id}/link"
    statuses = [(await uber.post(path, {})).status_code for _ in range(4)]
    clock.advance(timedelta(minutes=10))
    assert statuses == [200, 200, 200, 429]
    assert (await uber.post(path, {})).status_code == 200


async def test_more_rows_than_the_threshold_come_as_a_zip_of_csvs(open_uber: Any) -> None:
    uber = await open_uber(SimulatorSettings(uber_report_delay_s=0, uber_report_zip_above_rows=10))
    org = await uber.org_id()
    report = (await generate(uber, org, report_type="REPORT_TYPE_DRIVER_QUALITY")).json()
    got = (await uber.get(f"{reports_path(org)}/{report['report']['id']}")).json()["report"]
    file = await download(uber, org, got["id"])

    assert got["fileName"] == "driver_quality.zip"
    with zipfile.ZipFile(io.BytesIO(file.content)) as archive:
        parts = [rows_of(archive.read(name)) for name in archive.namelist()]
    assert [len(p) - 1 for p in parts] == [10, 10, 5]
    assert all(p[0][0] == "Driver UUID" for p in parts)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (generate_body(report_type="REPORT_TYPE_NOPE"), "Unknown reportType"),
        (generate_body(days=32), "must not exceed 31 days"),
        ({"reportType": "REPORT_TYPE_PAYMENTS_ORDER", "filters": []}, "dateRange"),
    ],
)
async def test_bad_generate_requests_are_400(uber: UberCalls, body: Any, message: str) -> None:
    org = await uber.org_id()
    response = await uber.post(reports_path(org), body)
    assert response.status_code == 400 and message in response.json()["message"]


async def test_reports_need_their_scope(client: httpx.AsyncClient) -> None:
    uber = UberCalls(client)
    await uber.login("vehicle_suppliers.organizations.read")
    org = await uber.org_id()
    assert (await generate(uber, org)).status_code == 403
