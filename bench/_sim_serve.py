"""The simulator in a process of its own: ``python bench/_sim_serve.py PORT DRIVERS``.

For benches comparing clients (``bench_peers.py``): served from another process, the
provider's own work (rendering each page) does not share a Python interpreter, and so its
lock, with the client being measured, as a remote provider would not. Fixed clock at
``bench_ingest.NOW``, seed 5, rate limits off (the bench clients are unpaced).
"""

from __future__ import annotations

import sys

import uvicorn
from bench_ingest import NOW

from simulator import FixedClock, SimulatorSettings, create_app


def settings(drivers: int) -> SimulatorSettings:
    return SimulatorSettings(seed=5, uber_drivers=1, bolt_drivers=drivers)


def main() -> None:
    port, drivers = int(sys.argv[1]), int(sys.argv[2])
    app = create_app(settings(drivers), FixedClock(NOW))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
