"""Benchmark the business-time engine against businesstimedelta.

    .venv/bin/python bench/bench_engine.py [--n 10000000] [--sample 2000]

Random (start, end) pairs over one year on the China 5×8 calendar
(09:00-12:00, 13:30-18:00, built-in holidays and 调休), timed on one core.
"""

from __future__ import annotations

import os

# Pin every math library to one thread before NumPy loads: the figure is per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from datetime import time as clock  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a plain checkout

from opsqm.core.calendars import BusinessCalendar  # noqa: E402

SLOTS = "09:00-12:00,13:30-18:00"
UTC_OFFSET = 8 * 3600  # Asia/Shanghai


def pin_to_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def make_pairs(n: int, year: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Ticket-like pairs as datetime64[ns] (what polars hands over): starts spread over
    the year, durations from minutes to a couple of weeks, ends kept inside the year."""
    lo = int(np.datetime64(f"{year}-01-01T00:00:00", "s").astype(np.int64)) - UTC_OFFSET
    hi = int(np.datetime64(f"{year + 1}-01-01T00:00:00", "s").astype(np.int64)) - UTC_OFFSET
    starts = rng.integers(lo, hi, n, dtype=np.int64)
    spans = rng.exponential(2 * 86400.0, n).astype(np.int64)
    ends = np.minimum(starts + spans, hi - 1)
    starts *= 10**9
    ends *= 10**9
    return starts.view("M8[ns]"), ends.view("M8[ns]")


def best_time(run, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return best


def businesstimedelta_rules(cal: BusinessCalendar):
    import businesstimedelta as btd
    import pytz

    zone = pytz.timezone(cal.tz)
    workdays = [0, 1, 2, 3, 4]
    rules = [
        btd.WorkDayRule(start_time=clock(9, 0), end_time=clock(12, 0), working_days=workdays, tz=zone),
        btd.WorkDayRule(start_time=clock(13, 30), end_time=clock(18, 0), working_days=workdays, tz=zone),
        btd.HolidayRule(sorted(cal.holidays), tz=zone),
    ]
    return btd.Rules(rules)


def touches_makeup_day(start: datetime, end: datetime, makeup: set[date]) -> bool:
    """businesstimedelta cannot express 调休 make-up workdays; such pairs differ by design."""
    offset = timedelta(seconds=UTC_OFFSET)
    day, last = (start + offset).date(), (end + offset).date()
    while day <= last:
        if day in makeup:
            return True
        day += timedelta(days=1)
    return False


def compare_with_businesstimedelta(cal: BusinessCalendar, starts: np.ndarray, ends: np.ndarray) -> dict:
    import pytz

    rules = businesstimedelta_rules(cal)
    aware = [
        (datetime.fromtimestamp(int(s) // 10**9, pytz.utc), datetime.fromtimestamp(int(e) // 10**9, pytz.utc))
        for s, e in zip(starts.view(np.int64), ends.view(np.int64))
    ]
    began = time.perf_counter()
    theirs = [int(rules.difference(s, e).timedelta.total_seconds()) for s, e in aware]
    elapsed = time.perf_counter() - began
    ours = cal.business_seconds(starts, ends).tolist()
    comparable = [not touches_makeup_day(s, e, set(cal.makeup_workdays)) for s, e in aware]
    agree = sum(1 for c, a, b in zip(comparable, ours, theirs) if c and a == b)
    return {
        "seconds": elapsed,
        "comparable": sum(comparable),
        "agree": agree,
        "differ_on_makeup_pairs": sum(1 for c, a, b in zip(comparable, ours, theirs) if not c and a != b),
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="pairs for the engine")
    parser.add_argument("--sample", type=int, default=2_000, help="pairs for businesstimedelta")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20251001)
    args = parser.parse_args()
    pin_to_one_cpu()

    cal = BusinessCalendar.china(SLOTS)
    starts, ends = make_pairs(args.n, args.year, np.random.default_rng(args.seed))
    print(f"numpy {np.__version__}, {args.n:,} pairs over {args.year}, China 5x8 {SLOTS}, one core")

    engine = best_time(lambda: cal.business_seconds(starts, ends), args.repeats)
    rate = args.n / engine
    print(f"business_seconds  [ns input] {engine:8.3f} s  {rate / 1e6:8.1f} M intervals/s  {engine / args.n * 1e9:6.1f} ns/pair")
    starts_s, ends_s = starts.astype("M8[s]"), ends.astype("M8[s]")
    engine_s = best_time(lambda: cal.business_seconds(starts_s, ends_s), args.repeats)
    print(f"business_seconds  [s input]  {engine_s:8.3f} s  {args.n / engine_s / 1e6:8.1f} M intervals/s")
    starts_s = ends_s = None  # free the copies (a `del` would leave the timed lambda naming a deleted variable)
    berlin = BusinessCalendar(tz="Europe/Berlin", weekly_slots=dict.fromkeys(range(5), SLOTS))
    dst = best_time(lambda: berlin.business_seconds(starts, ends), 1)
    print(f"business_seconds  [DST path] {dst:8.3f} s  {args.n / dst / 1e6:8.1f} M intervals/s  (Europe/Berlin)")
    needs = np.full(args.n, 4 * 3600, dtype=np.int64)
    due = best_time(lambda: cal.deadline(starts, needs), 1)
    print(f"deadline (4 h)               {due:8.3f} s  {args.n / due / 1e6:8.1f} M tickets/s")
    needs = None  # free the array

    sample = np.random.default_rng(args.seed + 1).choice(args.n, size=min(args.sample, args.n), replace=False)
    found = compare_with_businesstimedelta(cal, starts[sample], ends[sample])
    their_rate = len(sample) / found["seconds"]
    print(
        f"businesstimedelta            {found['seconds']:8.3f} s  {their_rate:10.0f} intervals/s  "
        f"{found['seconds'] / len(sample) * 1e6:8.1f} us/pair  ({len(sample):,} pairs)"
    )
    print(
        f"agreement: {found['agree']}/{found['comparable']} comparable pairs equal; "
        f"{len(sample) - found['comparable']} pairs touch a 调休 make-up workday "
        f"(businesstimedelta cannot model them), {found['differ_on_makeup_pairs']} of those differ"
    )
    print(f"speed-up vs businesstimedelta: {rate / their_rate:,.0f}x")
    print(f"peak RSS: {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
