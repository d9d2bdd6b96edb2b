"""The API serves the built dashboard: its pages reload and deep-link, even the ones whose
address shares a prefix with the API (/audit/appels beside /audit/events)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import DatabaseSettings
from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, ApiClient

INDEX = b"<!doctype html><title>Tableau de bord</title>"
NAVIGATE = {"sec-fetch-mode": "navigate", "accept": "text/html,application/xhtml+xml"}


@pytest.fixture
async def site(db: DatabaseSettings, nats_server, tmp_path: Path) -> AsyncIterator[ApiClient]:  # type: ignore[no-untyped-def]
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    settings = ApiSettings(database=db, jwt=JWT, nats_url=nats_server.url, frontend_dir=tmp_path)
    app = create_app(settings)
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        yield client


@pytest.mark.parametrize(
    "page", ["/chauffeurs/42", "/audit", "/audit/appels", "/audit/17", "/admin"]
)
async def test_a_browser_reloading_any_dashboard_page_gets_the_dashboard(
    site: ApiClient, page: str
) -> None:
    answer = await site.get(page, headers=NAVIGATE)
    assert (answer.status_code, answer.content) == (200, INDEX)


async def test_a_call_to_a_path_that_is_no_route_is_still_a_404_problem(site: ApiClient) -> None:
    answer = await site.get("/audit/nothing-here", headers={"accept": "application/json"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
