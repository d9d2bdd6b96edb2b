"""The year bench's printed lines and ``bench/out/year.json`` figures."""

from __future__ import annotations

import os
from typing import Any

from _year_load import Tally

MIB = 1024 * 1024
FULL_DRIVERS = 1500


def _load(t: Tally, drivers: int, days: int, load_s: float) -> tuple[list[str], dict[str, Any]]:
    events = t.appended + t.decisions
    append_eps = t.appended / t.append_s if t.append_s else 0.0
    copy_eps = t.appended / t.copy_s if t.copy_s else 0.0
    lines = [
        f"year: {drivers:,} drivers per platform, {days} days: {events:,} events "
        f"({t.appended:,} observed in {t.pages:,} pages, {t.decisions:,} decisions) "
        f"in {load_s:.0f} s; {t.rejected} records rejected, {t.unchanged} unchanged",
        "  by type: " + ", ".join(f"{k} {v:,}" for k, v in sorted(t.by_type.items())),
        f"  append_observations: {append_eps:,.0f} ev/s ({t.append_s:.0f} s; provider calls "
        f"and bodies apart: {t.call_s:.0f} s; decoding {t.decode_s:.0f} s; decisions "
        f"{t.decisions / t.decide_s if t.decide_s else 0:,.0f}/s)",
        f"  baseline, binary COPY + commit of the same rows per page into a table LIKE "
        f"event_log growing beside it: {copy_eps:,.0f} ev/s "
        f"(append at {append_eps / copy_eps if copy_eps else 0:.2f}x)",
    ]
    figures = {
        "drivers": drivers, "events": events, "observed": t.appended, "decisions": t.decisions,
        "pages": t.pages, "rejected": t.rejected, "unchanged": t.unchanged, "load_s": load_s,
        "append_eps": append_eps, "copy_eps": copy_eps, "append_s": t.append_s,
        "copy_s": t.copy_s, "calls_s": t.call_s, "decode_s": t.decode_s,
        "decide_s": t.decide_s, "by_type": t.by_type,
    }  # fmt: skip
    return lines, figures


def _disk(found: dict[str, Any], events: int, factor: float) -> tuple[list[str], dict[str, Any]]:
    """Sizes; ``factor`` scales the run to a year of 1,500 drivers."""
    tables = found["tables"]
    lines = [f"  database: {found['database_less_scratch'] / MIB:,.0f} MiB without the "
             f"baseline's table ({found['database_less_scratch'] / events:,.0f} B/event; "
             f"x{factor:.1f} for a year of 1,500 drivers: "
             f"{found['database_less_scratch'] * factor / 1024 ** 3:,.1f} GiB a year)"]  # fmt: skip
    for name, size in sorted(tables.items(), key=lambda kv: -kv[1]["total"]):
        lines.append(
            f"    {name}: {size['total'] / MIB:,.1f} MiB (heap {size['heap'] / MIB:,.1f}, "
            f"indexes {size['indexes'] / MIB:,.1f}, TOAST {size['toast'] / MIB:,.1f}), "
            f"{size['total'] / events:,.0f} B/event"
        )
    for name, size in sorted(found.get("read_tables", {}).items(), key=lambda kv: -kv[1]["total"]):
        lines.append(f"    read table {name} (after the replay): {size['total'] / MIB:,.1f} MiB")
    trial = found["compression"]
    for what in ("bodies", "records"):
        for method, got in trial[what].items():
            ratio = got["stored_bytes"] / got["raw_bytes"] if got["raw_bytes"] else 0
            lines.append(f"    {what} under {method}: {got['raw_bytes'] / MIB:,.1f} MiB raw -> "
                         f"{got['stored_bytes'] / MIB:,.1f} MiB stored ({ratio:.2f}), "
                         f"copied in {got['seconds']:.1f} s")  # fmt: skip
    whole = found["database_less_scratch"]
    return lines, {"disk": found, "bytes_per_event": whole / events,
                   "year_gib_1500": whole * factor / 1024**3}  # fmt: skip


def _replay(r: dict[str, Any], goal_s: float, factor: float) -> tuple[list[str], dict[str, Any]]:
    """The replay; the goal is for a full year, so it judges the time scaled by ``factor``."""
    year_s = r["total_s"] * factor
    verdict = "met" if year_s < goal_s else "NOT met"
    lines = [f"  replay (fleet replay --jobs {r['jobs']} --force): {r['events']:,} events of "
             f"the units' types in {r['total_s']:.0f} s, ≈ {year_s:,.0f} s for a year of "
             f"1,500 drivers (goal < {goal_s:.0f} s: {verdict}); read alone: "
             f"{r['read_s']:.0f} s"]  # fmt: skip
    for table, u in sorted(r["units"].items(), key=lambda kv: -kv[1]["seconds"]):
        lines.append(f"    {table}: {u['events']:,} events in {u['seconds']:.1f} s "
                     f"({u['eps'] or 0:,.0f} ev/s; read alone {u['read_eps'] or 0:,.0f} ev/s)"
                     + (f" ERROR {u['error']}" if u["error"] else ""))  # fmt: skip
    return lines, {"replay": r}


def _reads(reads: dict[str, Any], goal_ms: float) -> tuple[list[str], dict[str, Any]]:
    lines = []
    for name, got in reads.items():
        many, one = got["many"], got["one"]
        if "error" in many or "error" in one:
            lines.append(f"  {name}: load generator failed: {many.get('error') or one['error']}")
            continue
        verdict = "met" if many["p99_ms"] < goal_ms else "NOT met"
        lines.append(f"  {name}: {got['users']} users p99 {many['p99_ms']:.0f} ms, p50 "
                     f"{many['p50_ms']:.0f} ms, {many['rps']:.1f} req/s ({many['errors']} errors; "
                     f"goal p99 < {goal_ms:.0f} ms: {verdict}); 1 user p99 {one['p99_ms']:.0f} ms, "
                     f"p50 {one['p50_ms']:.0f} ms")  # fmt: skip
    return lines, {"reads": reads}


def lines_and_figures(drivers: int, days: int, scale: float, t: Tally, load_s: float,
                      found: dict[str, Any], replayed: dict[str, Any], reads: dict[str, Any],
                      goal_s: float = 300.0, goal_ms: float = 150.0,
                      ) -> tuple[list[str], dict[str, Any]]:  # fmt: skip
    """Everything the bench prints, and everything it writes."""
    events = t.appended + t.decisions
    lines: list[str] = []
    figures: dict[str, Any] = {"year_scale": scale, "days": days,
                               "loadavg": os.getloadavg(), "cores": os.cpu_count()}  # fmt: skip
    factor = FULL_DRIVERS / drivers * 365 / days
    figures["to_full_year"] = factor
    for part in (_load(t, drivers, days, load_s), _disk(found, events, factor),
                 _replay(replayed, goal_s, factor), _reads(reads, goal_ms)):  # fmt: skip
        lines += part[0]
        figures.update(part[1])
    lines.append(f"  machine: {os.cpu_count()} cores, 1-minute load average "
                 f"{os.getloadavg()[0]:.1f} at the end (shared with other work)")  # fmt: skip
    return lines, figures
