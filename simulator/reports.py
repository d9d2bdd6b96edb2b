"""Uber's asynchronous reports (U10-U13): lifecycle, limits, signed links (docs/PROVIDERS.md §1.8).

A report is IN_PROGRESS from its creation until ``uber_report_delay_s`` later on the
simulator's clock, then COMPLETED (or FAILED for the drawn ``uber_report_fail_percent``).
The status is computed from the clock on every read, so a test on a ``FixedClock`` moves
time to finish reports. At most ``uber_reports_max_in_progress`` per org may be in progress;
a further one is refused (429 ``rate_limited``, docs/PROVIDERS.md §4 #11).

Its file is computed once, when first asked after completion, from the activity as of the
completion time (``report_files``). Signed links name the file, an expiry and an HMAC over
both; the key is random per simulator (links are credentials), and the download route checks
the signature and the expiry against the clock: "Access Denied" once 60 s have passed.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from simulator.clock import Clock
from simulator.ids import uuid4_from
from simulator.uber_timefmt import iso_utc

REPORT_TYPES = (
    "REPORT_TYPE_DRIVER_QUALITY",
    "REPORT_TYPE_PAYMENTS_ORDER",
    "REPORT_TYPE_RENTAL_PAYMENTS_CONTRACT",
    "REPORT_TYPE_RENTAL_PAYMENTS_TRANSACTIONS",
    "REPORT_TYPE_DRIVER_ACTIVITY",
    "REPORT_TYPE_TRIP_ACTIVITY",
    "REPORT_TYPE_PAYMENTS_DRIVER",
    "REPORT_TYPE_VEHICLE_PERFORMANCE",
)
IN_PROGRESS = "REPORT_STATUS_IN_PROGRESS"
COMPLETED = "REPORT_STATUS_COMPLETED"
FAILED = "REPORT_STATUS_FAILED"
NO_FAILURE = "REPORT_GENERATION_FAILED_REASON_NONE"
FAILURE = "REPORT_GENERATION_FAILED_REASON_INTERNAL_ERROR"


@dataclass(frozen=True)
class ReportFile:
    """A completed report's bytes as downloaded (CSV, or a zip of CSVs)."""

    name: str
    content: bytes
    content_type: str
    rows: int


@dataclass(frozen=True)
class Report:
    """One generated report."""

    seq: int
    report_id: str
    org_id: str
    report_type: str
    start_s: int
    end_s: int
    created_at: datetime
    ready_at: datetime
    fails: bool

    def status(self, now: datetime) -> str:
        """IN_PROGRESS until ``ready_at``, then COMPLETED or FAILED."""
        if now < self.ready_at:
            return IN_PROGRESS
        return FAILED if self.fails else COMPLETED

    @property
    def base_name(self) -> str:
        """``payments_order`` for ``REPORT_TYPE_PAYMENTS_ORDER``."""
        return self.report_type.removeprefix("REPORT_TYPE_").lower()


def render_report(report: Report, now: datetime, file: ReportFile | None) -> dict[str, Any]:
    """The ``Report`` object of U10/U11/U12 as of ``now``."""
    status = report.status(now)
    done = status != IN_PROGRESS
    body: dict[str, Any] = {
        "id": report.report_id,
        "fileName": file.name if file else f"{report.base_name}.csv",
        "orgId": report.org_id,
        "reportType": report.report_type,
        "startTime": iso_utc(report.start_s),
        "endTime": iso_utc(report.end_s),
        "status": status,
        "failedReason": FAILURE if status == FAILED else NO_FAILURE,
        "createdAt": iso_utc(int(report.created_at.timestamp())),
        "updatedAt": iso_utc(int((report.ready_at if done else report.created_at).timestamp())),
    }
    if done:
        body["completedAt"] = iso_utc(int(report.ready_at.timestamp()))
    return body


class TooManyInProgress(Exception):
    """The org already has the maximum number of reports in progress."""


class ReportStore:
    """Every report generated since the simulator started, by org."""

    def __init__(
        self, seed: int, clock: Clock, delay_s: int, fail_percent: int, max_in_progress: int
    ) -> None:
        self._seed, self._clock = seed, clock
        self._delay = timedelta(seconds=delay_s)
        self._fail_percent, self._max_in_progress = fail_percent, max_in_progress
        self._reports: list[Report] = []
        self._files: dict[str, ReportFile] = {}
        self._key = secrets.token_bytes(32)  # signs links: random, like tokens

    def generate(self, org_id: str, report_type: str, start_s: int, end_s: int) -> Report:
        """Start a report, or raise ``TooManyInProgress``."""
        now = self._clock.now()
        if self.in_progress(org_id) >= self._max_in_progress:
            raise TooManyInProgress(org_id)
        seq = len(self._reports) + 1
        rng = random.Random(f"{self._seed}:report:{seq}")
        report = Report(
            seq, uuid4_from(rng), org_id, report_type, start_s, end_s, now, now + self._delay,
            fails=rng.randrange(100) < self._fail_percent,
        )  # fmt: skip
        self._reports.append(report)
        return report

    def in_progress(self, org_id: str) -> int:
        """How many of the org's reports are still being generated."""
        now = self._clock.now()
        return sum(1 for r in self._reports if r.org_id == org_id and r.status(now) == IN_PROGRESS)

    def get(self, org_id: str, report_id: str) -> Report | None:
        """The org's report with this id, if any."""
        return next(
            (r for r in self._reports if r.org_id == org_id and r.report_id == report_id), None
        )

    def newest_first(self, org_id: str) -> list[Report]:
        """The org's reports, newest created first."""
        return sorted((r for r in self._reports if r.org_id == org_id), key=lambda r: -r.seq)

    def by_id(self, report_id: str) -> Report | None:
        """Any org's report with this id (the download route knows no org)."""
        return next((r for r in self._reports if r.report_id == report_id), None)

    def file(self, report_id: str) -> ReportFile | None:
        """The file of a completed report, once computed."""
        return self._files.get(report_id)

    def keep_file(self, report_id: str, file: ReportFile) -> ReportFile:
        """Remember a report's file (computed once)."""
        return self._files.setdefault(report_id, file)

    def signature(self, report_id: str, expires: int) -> str:
        """The HMAC a signed link carries."""
        message = f"{report_id}:{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def link_valid(self, report_id: str, expires: int, signature: str) -> bool:
        """Whether a link is genuine and not expired on the simulator's clock."""
        genuine = hmac.compare_digest(self.signature(report_id, expires), signature)
        return genuine and self._clock.now().timestamp() <= expires
