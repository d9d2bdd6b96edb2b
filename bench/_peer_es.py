"""The ``eventsourcing`` library (9.x) as a peer of our event store: its domain model, its
PostgreSQL recorder and its projection runner, used the way its documentation shows.

- ``DriverApp`` keeps one aggregate per driver (its id derived from the driver id); an
  observation of a driver is one event (``Registered``, then ``Observed``) carrying the
  record (decoded JSON, its transcoder's natural input) and its hash.
  ``Application.save(*aggregates)`` writes a page's pending events in one transaction:
  that is its batching.
- Its recorder has two ways to insert a batch, both measured: an ``executemany`` in
  psycopg's pipeline mode (the default), and a database function inserting the batch with
  one ``unnest`` (``POSTGRES_ENABLE_DB_FUNCTIONS``).
- ``DriversProjection`` applies each event to a ``es_drivers`` table and records its
  tracking position in the same transaction (``PostgresTrackingRecorder``), driven by
  ``ProjectionRunner``, which follows the application's notification log.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from psycopg.sql import SQL, Identifier

from core.config import DatabaseSettings
from eventlog.store import Observation

_NAMESPACE = uuid.UUID("6f1c0d6e-9a43-4c1e-8f55-0d2c6a1e5b01")


class Driver(Aggregate):
    """One driver: each observation of its record is an event."""

    @staticmethod
    def create_id(driver_id: str, **_: Any) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, driver_id)

    @event("Registered")
    def __init__(self, driver_id: str, record: dict[str, Any], record_hash: str) -> None:
        self.driver_id = driver_id
        self.record_hash = record_hash

    @event("Observed")
    def observe(self, record: dict[str, Any], record_hash: str) -> None:
        self.record_hash = record_hash


class DriverApp(Application[uuid.UUID]):
    name = "es_bench"


def env_of(db: DatabaseSettings, *, db_functions: bool) -> dict[str, str]:
    """The library's settings (environment variables by its names) for our database."""
    from urllib.parse import urlsplit

    url = urlsplit(db.owner_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": url.username or "",
        "POSTGRES_PASSWORD": url.password or "",
        "POSTGRES_SCHEMA": "public",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y" if db_functions else "n",
    }


class Appender:
    """Saves pages of observations through one application; times only the saves."""

    def __init__(self, env: dict[str, str], name: str) -> None:
        self.app = type(f"DriverApp_{name}", (DriverApp,), {"name": name})(env)
        self.drivers: dict[str, Driver] = {}
        self.seconds = 0.0

    def append(self, page: Sequence[Observation], decoded: Sequence[dict[str, Any]]) -> None:
        """One page, as the library is used: create or update aggregates, one save()."""
        started = time.perf_counter()
        touched = []
        for obs, record in zip(page, decoded, strict=True):
            driver = self.drivers.get(obs.entity_id)
            if driver is None:
                driver = Driver(obs.entity_id, record, obs.record_hash.hex())
                self.drivers[obs.entity_id] = driver
            else:
                driver.observe(record, obs.record_hash.hex())
            touched.append(driver)
        self.app.save(*touched)
        self.seconds += time.perf_counter() - started

    def close(self) -> None:
        self.app.close()


class DriversView(PostgresTrackingRecorder):
    """The projection's read table, written with its tracking row in one transaction."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.es_drivers (driver_id text PRIMARY KEY, "
                "first_name text, last_name text, email text, phone text, status text, "
                "version bigint)"
            ).format(Identifier(self.datastore.schema))
        )
        self.upsert = SQL(
            "INSERT INTO {0}.es_drivers VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (driver_id) DO UPDATE SET first_name = excluded.first_name, "
            "last_name = excluded.last_name, email = excluded.email, phone = excluded.phone, "
            "status = excluded.status, version = excluded.version"
        ).format(Identifier(self.datastore.schema))

    def apply(self, row: tuple[Any, ...], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.upsert, row, prepare=True)
            self._insert_tracking(curs, tracking)


class DriversProjection(Projection[DriversView]):
    name = "es_drivers_projection"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, domain_event: Driver.Registered, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self._apply(domain_event, tracking)

    @process_event.register
    def _(self, domain_event: Driver.Observed, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self._apply(domain_event, tracking)

    def _apply(self, domain_event: Any, tracking: Tracking) -> None:
        record = domain_event.record
        phone = record.get("phoneNumber") or {}
        row = (
            record["driverId"], record.get("firstName"), record.get("lastName"),
            record.get("email"), f"{phone.get('countryCode', '')}{phone.get('number', '')}",
            record.get("status"), domain_event.originator_version,
        )  # fmt: skip
        self.view.apply(row, tracking)


def project(env: dict[str, str], app_name: str, events: int) -> float:
    """Seconds for the library's ProjectionRunner to apply the first ``events`` events."""
    app_class = type(f"DriverApp_{app_name}", (DriverApp,), {"name": app_name})
    started = time.perf_counter()
    with ProjectionRunner(
        application_class=app_class,
        projection_class=DriversProjection,
        view_class=DriversView,
        env=env,
    ) as runner:
        runner.wait(events, timeout=3600)
    return time.perf_counter() - started


def decoded(page: Sequence[Observation]) -> list[dict[str, Any]]:
    return [json.loads(o.record) for o in page]
