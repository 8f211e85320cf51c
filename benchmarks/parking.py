"""``python -m benchmarks.parking [--spaces 1000 --days 365 | --small] [--data DIR] [--runs N] [--repeat N]``

The parking history at scale (issue 5): ~1,000 spaces observed every 5 minutes for a year, ≈105 M rows.

1. The scale dataset (``data/demo/parking_history.py``) is generated when missing or of another size: time,
   rows and size printed.
2. Pre-aggregation against its floor: a raw polars scan-and-write of the same file set
   (``pl.scan_parquet(...).sink_parquet(...)``), then ``data_access.stationnement.preaggregate`` (raw → hourly
   and daily aggregates per car park). Each run is a fresh subprocess that reports its wall time and its peak
   RSS (``resource.getrusage``); runs alternate floor / pre-aggregation; medians; ratio = pre-aggregation /
   floor (goal ≤ 1.5×).
3. The chart queries on the aggregates (what the /stationnement page calls), each timed like a no-op
   function measured in the same run with the same harness: absolute ms (goal ≤ 300 ms each) and ratio to
   the no-op floor. ``read`` figures include reading the aggregate Parquet files (no cache).

Figures are printed, nothing is asserted. The data goes to ``--data`` (default
``<PILOTE_DATA_DIR>/scale/parking_observations``, i.e. ``var/scale/...`` when unset; other sizes than the
full one in a sibling directory named after the size); the scratch outputs to a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import p90

ROOT = Path(__file__).resolve().parent.parent
SMALL = (100, 14)


def _rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


# -- child processes -------------------------------------------------------------------------------

def child(task: str, source: str, out: str) -> None:
    """Run one task in this (fresh) process and print one JSON line: seconds, RSS before, peak RSS."""
    sys.path.insert(0, str(ROOT))
    import polars as pl

    from data_access import stationnement as st

    before = _rss_kib()
    start = time.perf_counter()
    if task == "floor":
        pl.scan_parquet(Path(source) / "observations-*.parquet").sink_parquet(Path(out) / "floor.parquet")
        extra = {"bytes": _dir_bytes(Path(out))}
    elif task == "preagg":
        extra = st.preaggregate(source, out)
        extra["bytes"] = _dir_bytes(Path(out))
    else:
        raise SystemExit(f"unknown task {task!r}")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"task": task, "seconds": seconds, "rss_before_kib": before, "peak_rss_kib": peak, **extra}))


def run_child(task: str, source: Path, python: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix=f"pilote-parking-{task}-"))
    try:
        proc = subprocess.run([python, "-m", "benchmarks.parking", "--child", task, str(source), str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{task} failed: {proc.stderr.strip()[-2000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


# -- in-process query timing -----------------------------------------------------------------------

def timed(fn, runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def query_figures(agg_dir: Path, car_parks_file: Path, runs: int) -> tuple[dict, list[dict]]:
    import polars as pl

    from data_access import stationnement as st

    hourly_file, daily_file = agg_dir / st.HOURLY_FILE, agg_dir / st.DAILY_FILE
    hourly, daily = pl.read_parquet(hourly_file), pl.read_parquet(daily_file)
    parks = pl.read_parquet(car_parks_file)
    one = [parks["parking_id"][0]]

    def noop():
        return None

    queries = [
        ("read aggregates (hourly + daily Parquet)", lambda: (pl.read_parquet(hourly_file), pl.read_parquet(daily_file))),
        ("occupancy trend, daily, all car parks", lambda: st.occupancy_trend(daily)),
        ("occupancy trend, weekly, per car park", lambda: st.occupancy_trend(daily, every="1w", by_car_park=True)),
        ("typical week heatmap, all (7 × 24)", lambda: st.typical_week_matrix(st.typical_week(hourly))),
        ("typical week heatmap, one car park", lambda: st.typical_week_matrix(st.typical_week(hourly, one))),
        ("peak hours, top 3 per car park", lambda: st.peak_hours(hourly, top=3)),
        ("saturation days per car park (≥ 60 min)", lambda: st.saturation_days(daily, 60)),
        ("saturated days list, one car park", lambda: st.saturated_days(daily, 60, one)),
        ("comparison between car parks", lambda: st.compare_car_parks(daily, parks)),
        ("read + typical week + comparison (cold page)", lambda: (
            st.typical_week(pl.read_parquet(hourly_file)),
            st.compare_car_parks(pl.read_parquet(daily_file), parks))),
    ]
    floor = timed(noop, runs * 10)
    rows = []
    for name, fn in queries:
        samples = timed(fn, runs)
        rows.append({"query": name, "median_ms": statistics.median(samples) * 1000, "p90_ms": p90(samples) * 1000})
    floor += timed(noop, runs * 10)  # before and after: drift shows less
    floor_ms = statistics.median(floor) * 1000
    for row in rows:
        row["ratio"] = row["median_ms"] / floor_ms
    return {"median_ms": floor_ms, "samples": len(floor), "rows": {"hourly": hourly.height, "daily": daily.height}}, rows


# -- main ------------------------------------------------------------------------------------------

def default_data_dir(spaces: int, days: int) -> Path:
    base = Path(os.environ.get("PILOTE_DATA_DIR") or ROOT / "var").resolve() / "scale"
    name = "parking_observations" if (spaces, days) == (1_000, 365) else f"parking_observations-{spaces}x{days}"
    return base / name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.parking", description=__doc__.split("\n\n")[1])
    parser.add_argument("--spaces", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--small", action="store_true", help=f"{SMALL[0]} spaces × {SMALL[1]} days")
    parser.add_argument("--data", type=Path, default=None, help="directory of the raw observations")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per chart query (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="subprocess runs of floor and pre-aggregation (default 3)")
    parser.add_argument("--child", nargs=3, metavar=("TASK", "SOURCE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0

    sys.path.insert(0, str(ROOT))
    from data.demo import parking_history as gen

    spaces, days = SMALL if args.small else (args.spaces, args.days)
    data = (args.data or default_data_dir(spaces, days)).resolve()
    python = sys.executable
    mib = 2**20
    print(f"Pilote parking benchmark · {spaces:,} spaces × {days} days × 288 slots "
          f"= {spaces * days * 288:,} observations · {os.cpu_count()} CPUs · python {sys.version.split()[0]}")
    import polars as pl

    print(f"polars {pl.__version__}, {pl.thread_pool_size()} threads · data {data}")
    print()

    found = gen.manifest(data)
    if found and (found.get("spaces"), found.get("days"), found.get("seed")) == (spaces, days, gen.DEFAULT_SEED):
        print(f"Dataset: found, {found['rows']:,} rows in {found['files']} files, {found['bytes'] / mib:.1f} MiB "
              f"(generated earlier in {found['seconds']:.1f} s)")
    else:
        print("Dataset: generating…", flush=True)
        result = gen.write(data, spaces, days)
        print(f"Dataset: generated {result['rows']:,} rows in {result['files']} files, "
              f"{result['bytes'] / mib:.1f} MiB, in {result['seconds']:.1f} s")
    print()

    floors, preaggs = [], []
    for _ in range(max(1, args.repeat)):
        floors.append(run_child("floor", data, python))
        preaggs.append(run_child("preagg", data, python))
    med = lambda runs, key: statistics.median(r[key] for r in runs)
    floor_s, preagg_s = med(floors, "seconds"), med(preaggs, "seconds")
    print(f"Pre-aggregation (fresh subprocess per run, {len(floors)} runs each, medians; peak RSS = ru_maxrss)")
    print(f"  floor  scan_parquet → sink_parquet   {floor_s:8.2f} s   peak RSS {med(floors, 'peak_rss_kib') / 1024:8.1f} MiB"
          f"   (after imports {med(floors, 'rss_before_kib') / 1024:.1f} MiB)   wrote {floors[0]['bytes'] / mib:.1f} MiB")
    print(f"  pre-aggregation raw → hourly+daily  {preagg_s:8.2f} s   peak RSS {med(preaggs, 'peak_rss_kib') / 1024:8.1f} MiB"
          f"   (after imports {med(preaggs, 'rss_before_kib') / 1024:.1f} MiB)   wrote {preaggs[0]['bytes'] / mib:.2f} MiB "
          f"({preaggs[0]['hourly_rows']:,} hourly + {preaggs[0]['daily_rows']:,} daily rows, "
          f"{preaggs[0]['observations']:,} observations)")
    print(f"  ratio pre-aggregation / floor       {preagg_s / floor_s:8.2f} ×   (goal ≤ 1.5 ×)")
    listing = lambda runs: ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"  all runs: floor {listing(floors)} s; pre-aggregation {listing(preaggs)} s")
    print()

    agg = Path(tempfile.mkdtemp(prefix="pilote-parking-agg-"))
    try:
        from data_access import stationnement as st

        st.preaggregate(data, agg)
        floor, rows = query_figures(agg, data / gen.CAR_PARKS_FILE, args.runs)
    finally:
        shutil.rmtree(agg, ignore_errors=True)
    print(f"Chart queries on the aggregates ({floor['rows']['hourly']:,} hourly, {floor['rows']['daily']:,} daily rows; "
          f"{args.runs} runs each after 2 warm-ups; goal ≤ 300 ms each)")
    print(f"  floor: no-op function, median {floor['median_ms'] * 1000:.3f} µs over {floor['samples']} calls")
    width = max(len(r["query"]) for r in rows)
    print(f"  {'query'.ljust(width)}  {'median ms':>10}  {'p90 ms':>8}  {'ratio ×':>10}  ≤ 300 ms")
    for r in rows:
        print(f"  {r['query'].ljust(width)}  {r['median_ms']:10.2f}  {r['p90_ms']:8.2f}  {r['ratio']:10.0f}  "
              f"{'yes' if r['p90_ms'] <= 300 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
