"""One report of every benchmark: ``bench/report.md`` and ``bench/report.json``.

Reads whatever ``bench/out/<name>.json`` files exist (``make bench`` runs every bench first)
and puts each figure beside its baseline, with the ratio, the goal the issues set where
there is one, whether it is met, and the machine it ran on. A bench this script does not
know still gets its numeric fields listed, without a goal. The figures of benches that
``bench/out`` does not hold are kept from the existing report, marked "(kept)": a run of one
bench (``make bench-year``, or one ``bench_*.py``) updates its rows only.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


@dataclass(frozen=True)
class Row:
    """One figure of one bench."""

    bench: str
    figure: str
    value: float | None
    unit: str
    baseline: str
    baseline_value: float | None
    ratio: float | None
    goal: str
    met: bool | None
    scale: Any = None


def _ratio(value: float | None, base: float | None) -> float | None:
    return value / base if value is not None and base else None


def _append(data: dict[str, Any]) -> list[Row]:
    value, base = data.get("append_eps"), data.get("copy_eps")
    ratio = _ratio(value, base)
    return [
        Row("append", "append_observations", value, "ev/s", "COPY of the same rows", base,
            ratio, "≥ 0.8× COPY", None if ratio is None else ratio >= 0.8),
    ]  # fmt: skip


def _rebuild(data: dict[str, Any]) -> list[Row]:
    value, base = data.get("rebuild_eps"), data.get("cursor_read_eps")
    ratio = _ratio(value, base)
    met = None if ratio is None or value is None else value >= 50_000 and ratio >= 0.5
    return [
        Row("rebuild", "projection rebuild", value, "ev/s", "raw cursor read of the log", base,
            ratio, "≥ 50,000 ev/s and ≥ 0.5× raw read", met),
        Row("rebuild", "swap", data.get("swap_s"), "s", "", None, None, "", None),
    ]  # fmt: skip


def _people(data: dict[str, Any]) -> list[Row]:
    value, base, events = data.get("rebuild_eps"), data.get("read_eps"), data.get("events")
    per_event = data["statements"] / events if events and data.get("statements") else None
    return [
        Row("people", f"people unit rebuild ({events or 0:,} events)", value, "ev/s",
            "its events read alone", base, _ratio(value, base), "", None),
        Row("people", "statements per event", per_event, "", "", None, None, "", None),
    ]  # fmt: skip


def _lag(data: dict[str, Any]) -> list[Row]:
    value, base = data.get("lag_p99_ms"), data.get("notify_p99_ms")
    return [
        Row("lag", "commit → read model, p99", value, "ms", "LISTEN/NOTIFY p99", base,
            _ratio(value, base), "p99 < 250 ms", None if value is None else value < 250),
        Row("lag", "commit → read model, p50", data.get("lag_p50_ms"), "ms", "LISTEN/NOTIFY p50",
            data.get("notify_p50_ms"), None,
            "", None),
    ]  # fmt: skip


def _webhook(data: dict[str, Any]) -> list[Row]:
    value, base = data.get("served_p99_ms"), data.get("answer_p99_ms")
    return [
        Row("webhook", "signed push → status served, p99", value, "ms", "the API's answer p99",
            base, _ratio(value, base), "< 1,000 ms", None if value is None else value < 1000),
        Row("webhook", "signed push → status served, p50", data.get("served_p50_ms"), "ms",
            "the API's answer p50", data.get("answer_p50_ms"), None, "", None),
    ]  # fmt: skip


def _ingest(data: dict[str, Any]) -> list[Row]:
    value, base = data.get("ingest_rps"), data.get("plain_rps")
    ratio = data.get("ratio", _ratio(value, base))
    return [
        Row("ingest", "ingest (records/s)", value, "records/s", "plain fetch-and-insert loop",
            base, ratio, "≥ 0.5× plain loop", None if ratio is None else ratio >= 0.5),
    ]  # fmt: skip


def _api(data: dict[str, Any], bench: str = "api") -> list[Row]:
    """Per route: throughput, p99 at the closed-loop connections, p99 at the steady rate."""
    rows = []
    conns, rate = data.get("concurrency", 64), data.get("steady_rps", 200)
    for route, found in (data.get("routes") or {}).items():
        api, bare = found.get("api", {}), found.get("bare", {})
        ratio = found.get("ratio", _ratio(api.get("rps"), bare.get("rps")))
        p99, bare_p99 = api.get("p99_ms"), bare.get("p99_ms")
        steady = found.get("steady", {})
        s99, bare_s99 = steady.get("api", {}).get("p99_ms"), steady.get("bare", {}).get("p99_ms")
        rows += [
            Row(bench, f"{route}, {conns} connections", api.get("rps"), "req/s",
                "bare ASGI app, same queries", bare.get("rps"), ratio, "≥ 0.6× bare",
                None if ratio is None else ratio >= 0.6),
            Row(bench, f"{route}, p99 at {conns} connections", p99, "ms", "bare app's p99",
                bare_p99, _ratio(p99, bare_p99), "≤ bare app's p99",
                None if p99 is None or bare_p99 is None else p99 <= bare_p99),
            Row(bench, f"{route}, p99 at a steady {rate:.0f} req/s", s99, "ms",
                "bare app's p99, same rate", bare_s99, _ratio(s99, bare_s99), "< 50 ms",
                None if s99 is None else s99 < 50),
        ]  # fmt: skip
    return rows


def _peers(data: dict[str, Any]) -> list[Row]:
    """Our ingest, append and rebuild against dlt and eventsourcing (the peer is the
    baseline: the ratio is how many times faster we are)."""
    ingest, append = data.get("ingest", {}), data.get("append", {})
    projection = data.get("projection", {})
    es_best = max(append.get("es_pipeline_eps") or 0, append.get("es_function_eps") or 0) or None
    pairs = [
        ("Bolt orders ingest (+ bytes, calls, change detection)", ingest.get("ours_rps"),
         "records/s", "dlt rest_api → postgres", ingest.get("dlt_rps"), 3.0),
        ("append, pages of 500", append.get("ours_eps"), "ev/s",
         "eventsourcing Application.save, its best batch insert", es_best, 3.0),
        ("drivers projection rebuild", projection.get("ours_eps"), "ev/s",
         "eventsourcing ProjectionRunner", projection.get("es_eps"), 5.0),
    ]  # fmt: skip
    rows = []
    for figure, value, unit, baseline, base, goal in pairs:
        ratio = _ratio(value, base)
        met = None if ratio is None else ratio >= goal
        rows.append(
            Row("peers", figure, value, unit, baseline, base, ratio, f"≥ {goal:.0f}× peer", met)
        )
    return rows


def _payslips(data: dict[str, Any]) -> list[Row]:
    pdf, per_1500 = data.get("pdf_ms"), data.get("zip_s_per_1500")
    return [
        Row("payslips", "one statement PDF (median)", pdf, "ms", "a blank page",
            data.get("blank_ms"), _ratio(pdf, data.get("blank_ms")), "< 150 ms",
            None if pdf is None else pdf < 150),
        Row("payslips", f"ZIP of {data.get('zip_count')} PDFs", data.get("zip_s"), "s",
            "a ZIP of as many blank pages", data.get("blank_zip_s"), None,
            "1,500 in < 180 s", None if per_1500 is None else per_1500 < 180),
        Row("payslips", "ZIP streamed: first bytes", data.get("zip_first_bytes_ms"), "ms",
            "one PDF", pdf, _ratio(data.get("zip_first_bytes_ms"), pdf), "", None),
    ]  # fmt: skip


def _settlements(data: dict[str, Any]) -> list[Row]:
    drafts, one = data.get("drafts_ms"), data.get("one_update_ms")
    people = data.get("people")
    return [
        Row("settlements", f"drafts of {people} people's week ({data.get('days')} days of data)",
            drafts, "ms", "plain SQL sum of the same amounts", data.get("sum_ms"),
            _ratio(drafts, data.get("sum_ms")), "< 2,000 ms for 1,500",
            None if drafts is None or people != 1500 else drafts < 2000),
        Row("settlements", f"one person's draft after a new event (p99 "
            f"{data.get('one_update_p99_ms', 0):.0f} ms)", one, "ms",
            "plain SQL sum of their amounts", data.get("one_sum_ms"),
            _ratio(one, data.get("one_sum_ms")), "< 50 ms", None if one is None else one < 50),
    ]  # fmt: skip


def _year(data: dict[str, Any]) -> list[Row]:
    """The year (bench_year.py): load, disk, replay, reads; its own section of the report."""
    append, copy = data.get("append_eps"), data.get("copy_eps")
    ratio = _ratio(append, copy)
    full = data.get("to_full_year") or 1.0
    replay = data.get("replay") or {}
    total, read = replay.get("total_s"), replay.get("read_s")
    scaled = None if total is None else total * full
    rows = [
        Row("year", f"events ({data.get('days')} days of {data.get('drivers')} drivers)",
            data.get("events"), "events", "", None, None, "≈ 15 M a year", None),
        Row("year", "append_observations over the year", append, "ev/s",
            "COPY of the same rows, per page", copy, ratio, "≥ 0.8× COPY",
            None if ratio is None else ratio >= 0.8),
        Row("year", "database per event", data.get("bytes_per_event"), "B", "", None, None,
            "", None),
        Row("year", "database per year, 1,500 drivers", data.get("year_gib_1500"), "GiB", "",
            None, None, "", None),
        Row("year", f"full replay, --jobs {replay.get('jobs')}", total, "s",
            "the same events read alone", read, _ratio(total, read), "", None),
        Row("year", "full replay, scaled to a year of 1,500 drivers", scaled, "s", "", None,
            None, "< 300 s", None if scaled is None else scaled < 300),
    ]  # fmt: skip
    for table, unit in sorted((replay.get("units") or {}).items()):
        eps, base = unit.get("eps"), unit.get("read_eps")
        rows.append(Row("year", f"replay {table} ({unit.get('events'):,} events)", eps, "ev/s",
                        "its events read alone", base, _ratio(eps, base), "", None))  # fmt: skip
    for name, got in (data.get("reads") or {}).items():
        many, one = got.get("many", {}), got.get("one", {})
        p99 = many.get("p99_ms")  # None when the load generator failed (its error is kept)
        rows.append(Row("year", f"{name}, p99 at {got.get('users')} users", p99, "ms",
                        "p99 at 1 user", one.get("p99_ms"), _ratio(p99, one.get("p99_ms")),
                        "p99 < 150 ms", None if p99 is None else p99 < 150))  # fmt: skip
    return rows


KNOWN: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "append": _append,
    "rebuild": _rebuild,
    "lag": _lag,
    "people": _people,
    "ingest": _ingest,
    "webhook": _webhook,
    "api": _api,
    # BENCH_API_WORKERS=2: both servers with two uvicorn workers each, nothing pinned
    "api_workers2": lambda data: _api(data, "api_workers2"),
    "payslips": _payslips,
    "settlements": _settlements,
    "peers": _peers,
    "year": _year,
}


def _generic(name: str, data: dict[str, Any]) -> list[Row]:
    """A bench this report does not know: its top-level numbers, without a goal."""
    return [
        Row(name, key, float(value), "", "", None, None, "", None)
        for key, value in data.items()
        if isinstance(value, int | float) and not isinstance(value, bool) and key != "scale"
    ]


def rows_of(name: str, data: dict[str, Any]) -> list[Row]:
    rows = KNOWN[name](data) if name in KNOWN else _generic(name, data)
    return [Row(**{**asdict(r), "scale": data.get("scale")}) for r in rows]


def _first_line(path: Path, key: str) -> str:
    if not path.exists():
        return "unknown"
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith(key):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _postgres_version() -> str:
    try:
        from fleet.postgres import _postgres_bin

        run = subprocess.run(
            [str(_postgres_bin() / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return run.stdout.strip()
    except Exception as exc:  # the report goes on without it
        return f"unknown ({type(exc).__name__})"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    kib = _first_line(Path("/proc/meminfo"), "MemTotal").split()[0]
    return {
        "cpu": _first_line(Path("/proc/cpuinfo"), "model name"),
        "cores": os.cpu_count(),
        "ram_gib": round(int(kib) / 1024 / 1024, 1) if kib.isdigit() else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": _postgres_version(),
    }


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}" if abs(value) >= 10 or digits == 0 else f"{value:.3g}"


YEAR_NOTE = (
    "`make bench-year` (`bench/bench_year.py`): a year of a 1,500-driver fleet on both "
    "platforms, appended through the real append path, replayed with `fleet replay --jobs`, "
    "read through the API at 8 users. `BENCH_YEAR_SCALE` runs the first part of the year; "
    'figures "per year" are scaled up from it. Measured on a machine shared with other '
    'work (its load average is in `bench/out/year.json`); docs/SCALING.md, "A year", reads them.'
)


def _line(r: Row, verdict: dict[bool | None, str]) -> str:
    base = f"{_fmt(r.baseline_value, 1)} ({r.baseline})" if r.baseline else ""
    ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
    value = f"{_fmt(r.value, 1)} {r.unit}".strip()
    return f"| {r.bench} | {r.figure} | {value} | {base} | {ratio} | {r.goal} | {verdict[r.met]} |"


def markdown(rows: list[Row], host: dict[str, Any], sources: dict[str, str]) -> str:
    """The report as a Markdown page."""
    verdict = {True: "✅ met", False: "❌ not met", None: ""}
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/report.py`) from `bench/out/*.json`; figures are only",
        "comparable on the same machine and at the same `BENCH_SCALE`.",
        "",
        "| bench | figure | value | baseline | ratio | goal | |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_line(r, verdict) for r in rows if r.bench != "year"]
    year = [r for r in rows if r.bench == "year"]
    if year:
        lines += ["", "## Year", "", YEAR_NOTE, "", "| bench | figure | value | baseline | ratio "
                  "| goal | |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        lines += [_line(r, verdict) for r in year]
    lines += ["", "## Machine", ""]
    lines += [f"- **{key}**: {value}" for key, value in host.items()]
    lines += ["", "## Runs", ""]
    lines += [f"- `{name}`: {when}" for name, when in sources.items()]
    return "\n".join(lines) + "\n"


def _kept(sources: dict[str, str]) -> list[Row]:
    """The previous report's figures of the benches not run this time (``make bench-year``
    runs one bench), marked as kept; ``sources`` gets their runs."""
    path = HERE / "report.json"
    if not path.exists():
        return []
    previous = json.loads(path.read_text())
    kept = {n: r for n, r in previous.get("runs", {}).items() if n not in sources}
    for name, run in kept.items():
        sources[name] = run if run.endswith("(kept)") else f"{run} (kept)"
    return [Row(**f) for f in previous.get("figures", []) if f["bench"] in kept]


def main() -> None:
    rows: list[Row] = []
    sources: dict[str, str] = {}
    for path in sorted(OUT.glob("*.json")):
        data = json.loads(path.read_text())
        if "bench" not in data:
            continue  # not a bench's figures (bench_year.py's partial results)
        name = str(data["bench"])
        scale = ("BENCH_YEAR_SCALE", data["year_scale"]) if "year_scale" in data else (
            "BENCH_SCALE", data.get("scale", "?"))  # fmt: skip
        sources[name] = f"{data.get('at', '?')}, {scale[0]} {scale[1]}"
        rows += rows_of(name, data)
    rows += _kept(sources)
    host = machine()
    (HERE / "report.json").write_text(
        json.dumps({"machine": host, "runs": sources, "figures": [asdict(r) for r in rows]},
                   indent=2) + "\n"
    )  # fmt: skip
    (HERE / "report.md").write_text(markdown(rows, host, sources))
    met = [r for r in rows if r.met is not None]
    print(f"bench/report.md: {len(rows)} figures from {len(sources)} benches; "
          f"{sum(bool(r.met) for r in met)}/{len(met)} goals met")  # fmt: skip


if __name__ == "__main__":
    main()
