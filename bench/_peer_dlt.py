"""``dlt`` as a peer of our Bolt orders ingest: its ``rest_api`` source into PostgreSQL.

The source is configured the way its documentation shows for a POST API with offset pages
in the JSON body: OAuth2 client credentials (``OAuth2ClientCredentials``, the simulator's
``POST /token`` with Bolt's one scope), ``getFleetOrders`` with the same two bodies our
orders poll sends (the window filtered on creation, then the last 7 days filtered on price
review), 1,000 orders a page, ``OffsetPaginator`` writing ``offset``/``limit`` into the body
and stopping at ``data.total_orders``. Both resources load one table, ``orders``
(``write_disposition="append"``, its fastest: no staging, no merge), into a dataset of its
own on our PostgreSQL through dlt's ``postgres`` destination. dlt flattens each order into
columns and its ``order_stops`` list into a child table, as it does by default.

What it does not do, and our ingest does: keep each response's bytes and each call, detect
which records changed since their last observation, quarantine a record it cannot decode.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # no traffic but the simulator's
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")  # not its warning on never-set columns

import dlt
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator
from dlt.sources.rest_api import rest_api_source

SCOPE = "fleet-integration:api"
FILTERS = {"orders_created": "created", "orders_reviewed": "price_review"}


def source(
    url: str, client: tuple[str, str], company_ids: list[int], windows: dict[str, tuple[int, int]]
) -> Any:
    """The rest_api source of the orders poll's requests (``windows``: by resource name)."""
    auth = OAuth2ClientCredentials(
        access_token_url=f"{url}/token",
        client_id=client[0],
        client_secret=client[1],
        access_token_request_data={"scope": SCOPE},
    )
    resources: list[Any] = [
        {
            "name": name,
            "table_name": "orders",
            "endpoint": {
                "path": "getFleetOrders",
                "method": "POST",
                "json": {
                    "company_ids": company_ids,
                    "start_ts": windows[name][0],
                    "end_ts": windows[name][1],
                    "time_range_filter_type": FILTERS[name],
                },
                "data_selector": "data.orders",
                "paginator": OffsetPaginator(
                    limit=1000,
                    offset_body_path="offset",
                    limit_body_path="limit",
                    total_path="data.total_orders",
                ),
            },
        }
        for name in windows
    ]
    return rest_api_source(
        {
            "client": {
                "base_url": f"{url}/fleet-integration-gateway/fleetIntegration/v1/",
                "auth": auth,
            },
            "resource_defaults": {"write_disposition": "append"},
            "resources": resources,
        }
    )


def load(
    work: Path,
    destination_url: str,
    dataset: str,
    url: str,
    client: tuple[str, str],
    company_ids: list[int],
    windows: dict[str, tuple[int, int]],
) -> tuple[int, float]:
    """Run one pipeline (extract, normalize, load); return (orders loaded, seconds)."""
    pipeline = dlt.pipeline(
        pipeline_name=dataset,
        destination=dlt.destinations.postgres(credentials=destination_url),
        dataset_name=dataset,
        pipelines_dir=str(work),
        progress=None,
    )
    started = time.perf_counter()
    info = pipeline.run(source(url, client, company_ids, windows))
    elapsed = time.perf_counter() - started
    info.raise_on_failed_jobs()
    with pipeline.sql_client() as sql:
        rows = sql.execute_sql(f"SELECT count(*) FROM {dataset}.orders")  # noqa: S608
    return int(rows[0][0]), elapsed
