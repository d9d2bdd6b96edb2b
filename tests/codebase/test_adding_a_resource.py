"""A resource declared once is scheduled, routed and documented with no other change.

The declaration here is a throw-away one, passed to the code that derives from it (the
real one, ``contracts.resources.DECLARED``, is left alone): ingest's schedule and poll jobs,
the API's sync routes with the spec's alias, and the interval settings ``.env.example`` must
list (docs/ADDING_A_RESOURCE.md is the checklist for the rest).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID

import pytest

from contracts.commands import SYNC_DECODER
from contracts.resources import Declaration, ResourceDeclaration
from contracts.subjects import sync_subject
from core.config import DatabaseSettings
from eventlog.bus import connect, ensure_commands_stream
from ingest.main import schedule
from ingest.pages import PollResult
from ingest.resources import poll_jobs
from ingest.runs import Resource, RunRecorder
from ingest.schedule import PollScheduler
from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, ApiClient, login
from tests.conftest import NatsServer
from tests.ops.test_env_example import interval_settings

WIDGETS = ResourceDeclaration(
    "bolt",
    "widgets",
    120,
    ("bolt.order.observed",),
    ("bolt_orders",),
    spec_alias="gadgets",
    deprecated_interval_env="BOLT_GIZMOS_INTERVAL_S",
    summary="a resource for this test only",
)
THROWAWAY = Declaration((WIDGETS,))


class WidgetPollers:
    async def widgets(self) -> PollResult:
        return PollResult()


def test_a_declared_resource_is_bound_to_its_poller_and_scheduled_on_its_setting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    jobs = poll_jobs(WidgetPollers(), THROWAWAY.of("bolt"))
    targets = [Resource(uuid.uuid4(), "bolt", name, poll) for name, poll in jobs.items()]
    scheduler = PollScheduler()
    env = {"BOLT_WIDGETS_INTERVAL_S": "300", "BOLT_GIZMOS_INTERVAL_S": "60"}

    with caplog.at_level(logging.WARNING, logger="ingest.resources"):
        schedule(scheduler, RunRecorder(None), targets, env, declared=THROWAWAY)  # type: ignore[arg-type]
        job = scheduler._scheduler.get_job("bolt.widgets")

    assert list(jobs) == ["widgets"]
    assert job is not None and job.trigger.interval == timedelta(seconds=300)
    assert caplog.messages == [
        "BOLT_GIZMOS_INTERVAL_S is ignored: BOLT_WIDGETS_INTERVAL_S is set (and replaces it)"
    ]


def test_a_declared_resource_is_documented_by_its_interval_setting() -> None:
    assert interval_settings(THROWAWAY) == {"BOLT_WIDGETS_INTERVAL_S": 120}


@pytest.fixture
async def widgets_api(db: DatabaseSettings, nats_server: NatsServer) -> AsyncIterator[ApiClient]:
    """The API serving the throw-away declaration's sync routes."""
    settings = ApiSettings(database=db, jwt=JWT, nats_url=nats_server.url, resources=THROWAWAY)
    app = create_app(settings)
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        yield client


async def test_a_declared_resource_is_routed_by_its_name_and_by_the_spec_alias(
    widgets_api: ApiClient, make_user, org_id: UUID, nats_server: NatsServer
) -> None:
    headers = await login(widgets_api, await make_user(org_id, "admin"))
    nc = await connect(nats_server.url, "test-adding-a-resource", retry_for_s=10)
    try:
        js = nc.jetstream()
        await ensure_commands_stream(js)
        answers = [
            (await widgets_api.post(f"/bolt/sync/{name}", headers=headers)).status_code
            for name in ("widgets", "gadgets", "orders")
        ]
        msg = await js.get_last_msg("FLEET_COMMANDS", sync_subject(org_id, "bolt", "widgets"))
        await js.purge_stream("FLEET_COMMANDS", subject=sync_subject(org_id, "bolt", "widgets"))
    finally:
        await nc.close()
    openapi = (await widgets_api.get("/openapi.json")).json()

    assert answers == [202, 202, 404]  # orders is not in this declaration
    assert SYNC_DECODER.decode(msg.data).resource == "widgets"  # the alias runs the resource
    [param] = openapi["paths"]["/bolt/sync/{resource}"]["post"]["parameters"]
    assert param["schema"]["enum"] == ["widgets", "gadgets"]
