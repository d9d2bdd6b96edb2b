"""A settlement's PDF and a week's files through the API: the PDF read back with pdftotext
(and kept as a PNG beside the e2e screenshots), the accountant's CSV, the payroll CSV of
salaried drivers, and the ZIP of the week's PDFs."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from query_api.payslip_exports import money
from tests.api.test_payslip_pdf import needs_pdftotext, text_of
from tests.api.test_settlements_api import W10, _laurent
from tests.apihelp import ApiClient, login

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def snapshot(pdf: Path) -> None:
    """The first page as a PNG among the e2e artifacts, to be looked at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf),
                    str(ARTIFACTS / "releve-pdf")], check=True)  # fmt: skip


def rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())  # Excel reads the accents with the BOM
    return list(csv.DictReader(io.StringIO(body.decode()[1:]), delimiter=";"))


async def _laurent_week(api: ApiClient, make_user, owner: asyncpg.Pool, writer: asyncpg.Pool,
                        org: UUID) -> tuple[dict[str, str], dict[str, object]]:  # fmt: skip
    await _laurent(owner, writer, org)
    viewer = await login(api, await make_user(org, "viewer"))
    page = (await api.get("/settlements", params={"week": W10}, headers=viewer)).json()
    [item] = [i for i in page["items"] if i["display_name"] == "Laurent Dupont"]
    return viewer, item


@needs_pdftotext
async def test_a_statement_as_a_pdf_shows_the_figures_of_the_api(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool,
    org_id: UUID, tmp_path: Path,
) -> None:  # fmt: skip
    viewer, item = await _laurent_week(api, make_user, owner_pool, writer_pool, org_id)
    path = f"/settlements/{item['settlement_id']}"
    shown = (await api.get(path, headers=viewer)).json()
    answer = await api.get(f"{path}.pdf", headers=viewer)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert "attachment" in answer.headers["content-disposition"]
    text = text_of(answer.content, tmp_path)
    balance = shown["statement"]["balance"]
    whole, cents = divmod(abs(balance), 100)
    assert ("Net à verser" if balance >= 0 else "Solde dû") in text
    assert f"{whole:,}".replace(",", " ") + f",{cents:02d} €" in text
    assert "Chauffeur : Laurent Dupont" in text and "Statut : Brouillon" in text
    assert "Uber : du 02/03/2026 04:00 au 09/03/2026 04:00" in text
    assert shown["digest"] in text.replace("\n", "")  # the SHA-256's head is the ETag
    snapshot(tmp_path / "releve.pdf")

    assert (await api.get(f"{path}.pdf", params={"x": "1"}, headers=viewer)).status_code == 400
    unknown = path.replace(item["person_id"], "00000000-0000-4000-8000-000000000000")
    assert (await api.get(f"{unknown}.pdf", headers=viewer)).status_code == 404


async def test_the_weeks_files_for_the_accountant_payroll_and_the_pdfs(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:  # fmt: skip
    viewer, item = await _laurent_week(api, make_user, owner_pool, writer_pool, org_id)
    shown = (await api.get(f"/settlements/{item['settlement_id']}", headers=viewer)).json()
    export = await api.get("/settlements/export", params={"week": W10}, headers=viewer)
    assert export.status_code == 200, export.text
    assert export.headers["content-type"].startswith("text/csv")
    [row] = [r for r in rows(export.content) if r["settlement_id"] == item["settlement_id"]]
    assert list(row)[:5] == ["settlement_id", "week", "person_id", "name", "status"]
    balance = shown["statement"]["balance"]
    assert row["balance"] == money(balance)
    assert row["uber_revenue"] == "75.00" and row["bolt_trips"] == "1"

    payroll = await api.get("/settlements/export", params={"week": W10, "format": "payroll"},
                            headers=viewer)  # fmt: skip
    assert all(r["name"] != "Laurent Dupont" for r in rows(payroll.content))  # split, not paid
    manager = await login(api, await make_user(org_id, "manager"))
    salaried = {"kind": "salaried", "effective_week": W10}
    put = await api.put(f"/people/{item['person_id']}/pay-scheme", json=salaried, headers=manager)
    assert put.status_code == 200, put.text
    payroll = await api.get("/settlements/export", params={"week": W10, "format": "payroll"},
                            headers=viewer)  # fmt: skip
    [mine] = [r for r in rows(payroll.content) if r["name"] == "Laurent Dupont"]
    assert mine["uber_hours_online"] == "7.50" and mine["uber_hours_on_trip"] == "5.25"

    archive = await api.get("/settlements/export", params={"week": W10, "format": "zip"},
                            headers=viewer)  # fmt: skip
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert f"{W10}_Laurent-Dupont_{item['person_id']}.pdf" in names
    bad = await api.get("/settlements/export", params={"format": "xls"}, headers=viewer)
    assert bad.status_code == 422


@pytest.mark.parametrize("siret, ok", [("73282932000074", True), ("73282932000075", False),
                                       ("35600000000048", True), ("1234", False)])  # fmt: skip
def test_a_siret_is_fourteen_digits_with_a_luhn_check(siret: str, ok: bool) -> None:
    from query_api.settlement_rules import valid_siret

    assert valid_siret(siret) is ok


def test_the_issuer_settings_refuse_a_wrong_siret_at_start() -> None:
    from core.config import ConfigError
    from query_api.settlement_rules import Company, company

    assert company({}) == Company(None, None)
    assert company({"FLEET_COMPANY_NAME": " AA DENIS ", "FLEET_SIRET": "732 829 320 00074"}) == (
        Company("AA DENIS", "73282932000074")
    )
    with pytest.raises(ConfigError, match="FLEET_SIRET"):
        company({"FLEET_SIRET": "73282932000075"})


async def test_the_list_sums_each_platforms_lines_and_the_others(
    api: ApiClient, make_user, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:  # fmt: skip
    viewer, item = await _laurent_week(api, make_user, owner_pool, writer_pool, org_id)
    lines = (await api.get(f"/settlements/{item['settlement_id']}", headers=viewer)).json()[
        "statement"
    ]["lines"]
    per = {p: sum(x["amount"] for x in lines if x["provider"] == p) for p in ("uber", "bolt")}
    assert item["platform_net"] == per
    assert item["other_lines"] == sum(x["amount"] for x in lines if x["provider"] is None)
    assert sum(per.values()) + item["other_lines"] == item["balance"]
