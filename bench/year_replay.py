"""Step 3 of ``bench_year.py`` alone: the full replay, on a year kept by an earlier run.

    BENCH_YEAR_KEEP=/tmp/year bench/bench_year.py    # once: load, measure, keep the database
    bench/year_replay.py /tmp/year                    # the replay again, as often as needed

Prints the same per-unit figures as the year's report (events/s beside the unit's events
read alone) and writes them to ``bench/out/year_replay.json``. ``BENCH_YEAR_JOBS`` applies.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from _harness import OUT, embedded
from _year_replay import replay_all


def _print(found: dict[str, Any]) -> None:
    print(f"{found['events']:,} events, {found['jobs']} jobs: {found['total_s']:.1f} s, "
          f"{found['events'] / found['total_s']:,.0f} ev/s")  # fmt: skip
    for table, unit in sorted(found["units"].items(), key=lambda u: -u[1]["events"]):
        print(f"  {table:24} {unit['events']:>9,} ev {unit['seconds']:7.1f} s "
              f"{unit['eps'] or 0:>9,.0f} ev/s  read alone {unit['read_eps'] or 0:>9,.0f} ev/s"
              f"{'  ' + unit['error'] if unit['error'] else ''}")  # fmt: skip


async def main(state: Path) -> None:
    async with embedded(keep=state) as (_, db):
        found = await replay_all(db)
    _print(found)
    OUT.mkdir(exist_ok=True)
    (OUT / "year_replay.json").write_text(json.dumps(found, default=str))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
