from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from opsqm.tickets.bulk import KILL_HOOK_ENV, KILL_HOOK_MARKER
from opsqm.tickets.tests.helpers import CANONICAL_CSV

ROOT = Path(__file__).resolve().parents[3]
OPSQM = str(ROOT / ".venv" / "bin" / "opsqm")

GOLDEN = (
    "ticket_no,response_seconds,resolution_seconds,paused_seconds,response_met,resolution_met\n"
    "T1,1200,9000,3600,1,1\n"
    "T2,7200,7200,0,1,1\n"
    "T3,4200,,,0,0\n"
)


def _isolated_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(OPSQM_SQLITE_PATH=str(tmp_path / "db" / "never.sqlite3"), OPSQM_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    (tmp_path / "db").mkdir()
    return env


def test_sla_calc_writes_the_golden_output_without_a_database(tmp_path):
    source = tmp_path / "tickets.csv"
    source.write_text(CANONICAL_CSV, encoding="utf-8")
    out = tmp_path / "out.csv"
    env = _isolated_env(tmp_path)
    done = subprocess.run(
        [OPSQM, "sla-calc", str(source), "--out", str(out), "--cutoff", "2026-03-31T00:00:00"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == GOLDEN
    db_file = tmp_path / "db" / "never.sqlite3"
    assert not db_file.exists() or db_file.stat().st_size == 0  # the ORM was never used


def test_sla_calc_reports_bad_rows_and_writes_nothing(tmp_path):
    source = tmp_path / "tickets.csv"
    source.write_text(CANONICAL_CSV + "T4,P1,2026-02-30 09:00:00,,,,,,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    done = subprocess.run(
        [OPSQM, "sla-calc", str(source), "--out", str(out)], env=_isolated_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "第 5 行\tcreated_at\t2026-02-30 09:00:00" in done.stderr
    assert not out.exists()


KILL_SCRIPT = """
import datetime as dt, sys
import django
django.setup()
from django.core.management import call_command
from opsqm.accounts.services import user_create
from opsqm.org.models import Customer, Project
call_command("migrate", verbosity=0)
ops = user_create(username="k_ops", password="kill-pass-1", role="ops_manager", full_name="k")
customer = Customer.objects.create(code="KC", name="k")
Project.objects.create(code="KILL", name="k", customer=customer, ops_manager=ops, status="active",
                       contract_start=dt.date(2026, 1, 1), contract_end=dt.date(2026, 12, 31))
call_command("import_tickets", "KILL", sys.argv[1])
"""


def test_a_process_killed_inside_the_import_transaction_leaves_nothing(tmp_path):
    import sqlite3

    env = {**_isolated_env(tmp_path), KILL_HOOK_ENV: "60", "DJANGO_SETTINGS_MODULE": "opsqm.settings"}
    source = tmp_path / "tickets.csv"
    rows = "".join(f"K{i},P1,2026-03-02 09:00:00,,2026-03-02 10:00:00,2026-03-02 09:10:00/2026-03-02 09:20:00,,,\n" for i in range(2000))
    source.write_text(CANONICAL_CSV.split("\n", 1)[0] + "\n" + rows, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(source)], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 90
        line = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if KILL_HOOK_MARKER in line or not line:
                break
        assert KILL_HOOK_MARKER in line, proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)  # inside the transaction, tickets already inserted
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(env["OPSQM_SQLITE_PATH"]) as db:
        assert db.execute("SELECT COUNT(*) FROM org_project WHERE code = 'KILL'").fetchone() == (1,)
        assert db.execute("SELECT COUNT(*) FROM tickets_ticket").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM tickets_ticketpause").fetchone() == (0,)
