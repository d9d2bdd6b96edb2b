"""Logging set-up shared by the processes: one line per record, the process named."""

from __future__ import annotations

import logging
import sys


def setup_logging(process: str, level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format=f"%(asctime)s {process} %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO; ours are logged by ingest.http when they fail.
    for noisy in ("httpx", "httpcore", "apscheduler", "nats"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
