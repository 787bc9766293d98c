"""Benchmark the ticket import: 1,000,000 canonical rows, stored and SLA-computed.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--postgres] [--keep] [--ordered] [--probe]

Generates a canonical CSV (about 5 % of rows carry pauses), migrates a fresh
database (a temp SQLite file, or with --postgres a fresh database on
127.0.0.1:5432 that is dropped afterwards), creates a project with an SLA
agreement, then times `opsqm import-tickets` in its own process and reports wall
time and that process's peak RSS (os.wait4 rusage). A second run of the same file
(all rows unchanged) is timed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
OPSQM = str(ROOT / ".venv" / "bin" / "opsqm")

SETUP = """
import datetime as dt
from opsqm.accounts.services import user_create
from opsqm.org.models import Customer, Project
from opsqm.tickets.models import Calendar
from opsqm.tickets.services import PriorityData, sla_agreement_save
from opsqm.records.context import Actor, acting_as
with acting_as(Actor(None, "bench")):
    qm = user_create(username="bench_qm", password="bench-pass-1", role="quality_manager", full_name="bench")
    ops = user_create(username="bench_ops", password="bench-pass-1", role="ops_manager", full_name="bench ops")
    customer = Customer.objects.create(code="BC", name="基准客户")
    project = Project.objects.create(code="BENCH", name="基准项目", customer=customer, ops_manager=ops,
                                     status="active", contract_start=dt.date(2025, 1, 1), contract_end=dt.date(2026, 12, 31))
    H = 3600
    sla_agreement_save(actor=qm, project=project, calendar=Calendar.objects.get(code="cn-5x8"), expected_version=None,
                       pause_statuses=[], priorities=[PriorityData("P1", "紧急", 1800, 4 * H), PriorityData("P2", "高", 2 * H, 8 * H),
                                                      PriorityData("P3", "中", 4 * H, 24 * H), PriorityData("P4", "低", 8 * H, 40 * H)])
"""


def generate_csv(path: Path, rows: int, seed: int = 7, ordered: bool = False) -> None:
    """Written a million rows at a time, so a 5 M-row file does not need 5 M rows in memory.
    `ordered`: creation times follow the ticket numbers (as the tools assign them) within each
    million rows; by default they are random against them (the figures since issue 8)."""
    with path.open("wb") as out:
        for part, start in enumerate(range(0, rows, 1_000_000)):
            _generate_part(out, start, min(1_000_000, rows - start), seed + part, header=part == 0, ordered=ordered)


def _generate_part(out, first: int, rows: int, seed: int, header: bool, ordered: bool) -> None:
    rng = np.random.default_rng(seed)
    lo = int(np.datetime64("2025-01-01T00:00:00", "s").astype(np.int64))
    created = rng.integers(lo, lo + 365 * 86400, rows, dtype=np.int64)
    if ordered:
        created.sort()
    response = created + rng.exponential(3600.0, rows).astype(np.int64)
    resolved = response + rng.exponential(86400.0, rows).astype(np.int64)
    no_response = rng.random(rows) < 0.1
    open_ticket = rng.random(rows) < 0.03
    has_pause = rng.random(rows) < 0.05
    pause_start = created + ((resolved - created) * 0.3).astype(np.int64)
    pause_end = pause_start + rng.exponential(7200.0, rows).astype(np.int64)

    def text(values: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
        series = pl.Series((values * 1000).astype("datetime64[ms]")).dt.strftime("%Y-%m-%d %H:%M:%S")
        if blank is not None:
            series = pl.select(pl.when(pl.Series(blank)).then(None).otherwise(series)).to_series()
        return series

    pauses = pl.select(pl.when(pl.Series(has_pause)).then(text(pause_start) + "/" + text(pause_end)).otherwise(None)).to_series()
    frame = pl.DataFrame(
        {
            "ticket_no": [f"INC{i:08d}" for i in range(first, first + rows)],
            "priority": rng.choice(np.array(["P1", "P2", "P3", "P4"]), rows, p=[0.05, 0.2, 0.45, 0.3]),
            "type": rng.choice(np.array(["事件", "服务请求", "问题"]), rows),
            "status": np.where(open_ticket, "处理中", "已关闭"),
            "title": [f"工单 {i} 的故障描述" for i in range(first, first + rows)],
            "contact": rng.choice(np.array(["张三", "李四", "王五", "赵六"]), rows),
            "created_at": text(created),
            "first_response_at": text(response, no_response | open_ticket),
            "resolved_at": text(resolved, open_ticket),
            "pauses": pauses,
            "reopen_count": rng.choice(np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), rows),
            "first_contact_resolution": rng.choice(np.array(["是", "否"]), rows),
        }
    )
    frame.write_csv(out, include_header=header)


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS in MB and stdout of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import failed:\n{out}\n{err}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip()


PROBE = """
import sqlite3, sys, time
db, out = sys.argv[1], sys.argv[2]
worst, count = 0.0, 0
conn = sqlite3.connect(db, timeout=60, isolation_level=None)
conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (t REAL)")
deadline = time.time() + 3600
while time.time() < deadline:
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO bench_probe VALUES (?)", (time.time(),))
    conn.execute("COMMIT")
    worst = max(worst, time.perf_counter() - started)
    count += 1
    with open(out, "w") as f:
        f.write(f"{worst:.3f} {count}")
    time.sleep(0.05)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    parser.add_argument("--once", action="store_true", help="time the first import only")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="SQLite: a second process does a short write every 50 ms during the import (as a login does) and reports its longest wait",
    )
    parser.add_argument("--ordered", action="store_true", help="creation times follow the ticket numbers, as real exports have them")
    parser.add_argument("--profile", metavar="FILE", help="run the first import under cProfile and write its stats to FILE")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="opsqm-bench-"))
    env = dict(os.environ, OPSQM_VAR_DIR=str(tmp / "var"), OPSQM_SQLITE_PATH=str(tmp / "bench.sqlite3"))
    db_name = f"opsqm_bench_{os.getpid()}"
    if args.postgres:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db_name}"
        run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {db_name}"], env)
    try:
        csv_path = tmp / "tickets.csv"
        t0 = time.perf_counter()
        generate_csv(csv_path, args.rows, ordered=args.ordered)
        print(
            f"{os.cpu_count()} CPUs; generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s"
        )
        run([OPSQM, "migrate", "--noinput"], env)
        run([OPSQM, "shell", "-c", SETUP], env)
        backend = "PostgreSQL" if args.postgres else "SQLite"
        labels = ("first import (all new)",) if args.once else ("first import (all new)", "re-import (all unchanged)")
        for label in labels:
            probe = None
            if args.probe and not args.postgres:
                probe = subprocess.Popen([sys.executable, "-c", PROBE, env["OPSQM_SQLITE_PATH"], str(tmp / "probe.txt")])
            try:
                command = [OPSQM, "import-tickets", "BENCH", str(csv_path)]
                if args.profile and label.startswith("first"):
                    command = [sys.executable, "-m", "cProfile", "-o", args.profile, *command]
                wall, cpu, rss, out = timed(command, env)
            finally:
                if probe is not None:
                    probe.terminate()
                    probe.wait()
            waited = ""
            if probe is not None and (tmp / "probe.txt").exists():
                worst, count = (tmp / "probe.txt").read_text().split()
                waited = f", longest short write during it {float(worst) * 1000:.0f} ms ({count} writes)"
            print(
                f"{backend} {label}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {rss:.0f} MB, "
                f"load average {os.getloadavg()[0]:.1f}{waited} — {out}",
                flush=True,
            )
    finally:
        if args.postgres:
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {db_name}"],
                env=env,
                stdout=subprocess.DEVNULL,
            )
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
