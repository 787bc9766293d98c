"""Time and peak memory of reading a large canonical ticket CSV.

    .venv/bin/python bench/bench_read.py [--rows 1000000] [--file /tmp/opsqm_bench_tickets.csv]

Generates the file once (vectorized, realistic mix: 90 % resolved, 80 % with a first
response, 5 % with pauses, Chinese titles), then reads it in a fresh child process
so the figures are the reader's alone: wall time of read_ticket_file and peak RSS
(ru_maxrss), next to the RSS after imports, and the CPU time of all threads.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout


def _fmt(seconds: np.ndarray) -> pl.Series:
    return pl.Series(seconds.astype("datetime64[s]").astype("datetime64[ms]")).dt.strftime("%Y-%m-%d %H:%M:%S")


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    created = start + rng.integers(0, 365 * 86400, rows)
    responded = created + rng.integers(60, 4 * 3600, rows)
    resolved = responded + rng.integers(600, 5 * 86400, rows)
    has_response = rng.random(rows) < 0.8
    has_resolution = rng.random(rows) < 0.9
    has_pause = rng.random(rows) < 0.05
    pause_a = created + (resolved - created) // 4
    pause_b = pause_a + 1800
    pause_text = _fmt(pause_a) + "/" + _fmt(pause_b) + ";" + _fmt(pause_b + 600) + "/" + _fmt(pause_b + 1200)
    frame = pl.DataFrame(
        {
            "ticket_no": "INC" + pl.Series(np.arange(rows)).cast(pl.String).str.zfill(8),
            "priority": pl.Series(rng.choice(["P1", "P2", "P3", "P4"], rows)),
            "created_at": _fmt(created),
            "first_response_at": pl.select(pl.when(pl.Series(has_response)).then(_fmt(responded))).to_series(),
            "resolved_at": pl.select(pl.when(pl.Series(has_resolution)).then(_fmt(resolved))).to_series(),
            "pauses": pl.select(pl.when(pl.Series(has_pause)).then(pause_text)).to_series(),
            "type": pl.Series(rng.choice(["事件", "请求", "变更"], rows)),
            "status": pl.Series(rng.choice(["已解决", "处理中", "已关闭"], rows)),
            "reopen_count": pl.Series(rng.integers(0, 3, rows)).cast(pl.String),
            "first_contact_resolution": pl.Series(rng.choice(["是", "否"], rows)),
            "title": "服务器告警处理 #" + pl.Series(np.arange(rows)).cast(pl.String),
            "contact": pl.Series(rng.choice(["张三", "李四", "王五"], rows)),
        }
    )
    frame.write_csv(path)


def measure(path: Path) -> dict[str, float]:
    from opsqm.core.ticket_io import read_ticket_file

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began, began_cpu = time.perf_counter(), time.process_time()
    batch = read_ticket_file(path, filename=path.name)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": len(batch),
        "pauses": int(batch.pause_ticket.size),
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),  # all threads; compare with "seconds" on a busy machine
        "rss_after_imports_mb": round(base_rss / 1024),
        "peak_rss_mb": round(peak / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=Path("/tmp/opsqm_bench_tickets.csv"))
    parser.add_argument("--measure", action="store_true", help="internal: read the file and print figures")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.file)))
        return
    if not args.file.exists():
        began = time.perf_counter()
        generate(args.file, args.rows)
        print(f"generated {args.rows} rows, {args.file.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - began:.1f} s")
    child = subprocess.run([sys.executable, __file__, "--measure", "--file", str(args.file)], capture_output=True, text=True, check=True)
    print(child.stdout.strip())


if __name__ == "__main__":
    main()
