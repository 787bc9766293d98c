"""One process serves KPI values; other processes run each ticket writer against the same
database; the first process then serves the new values at once, without a restart (issue 8).

The server is gunicorn as `opsqm serve` runs it (one worker, no background consumer); each
writer is a separate `opsqm` process: import, push, recompute-sla, SLA agreement change,
calendar change, project deletion, project time-zone change. Expected values by plain
arithmetic: the calendar is all hours of every day (like 7×24) until the calendar change.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

BIN = Path(sys.executable).parent
HOUR = 3600

SETUP = r"""
import datetime as dt
from decimal import Decimal
from opsqm.accounts.roles import Role
from opsqm.accounts.services import user_create
from opsqm.org.models import Customer, Project, ProjectStatus
from opsqm.records.context import Actor, acting_as
from opsqm.tickets.models import Calendar
from opsqm.tickets.services import CalendarData, PriorityData, calendar_create, sla_agreement_save
from rest_framework.authtoken.models import Token

qm = user_create(username="qm", password="pw-12345678", role=Role.QUALITY_MANAGER, full_name="质量经理")
admin = user_create(username="admin", password="pw-12345678", role=Role.ADMIN, full_name="管理员")
with acting_as(Actor(admin.pk, "setup")):
    customer = Customer.objects.create(code="C1", name="客户")
    for code in ("PA", "PB"):
        Project.objects.create(code=code, name=code, customer=customer, status=ProjectStatus.ACTIVE, ops_manager=qm,
                               contract_start=dt.date(2026, 1, 1), contract_end=dt.date(2026, 12, 31),
                               contract_value=Decimal("1"))
    every_hour = {d: ((0, 86400),) for d in range(7)}
    cal = calendar_create(actor=admin, data=CalendarData("ALLDAY", "全天", "weekly", "Asia/Shanghai", every_hour, False))
    for code in ("PA", "PB"):
        sla_agreement_save(actor=admin, project=Project.objects.get(code=code), calendar=cal, pause_statuses=[],
                           priorities=[PriorityData("P1", "P1", HOUR, 4 * HOUR)], expected_version=None)
print(Token.objects.create(user=qm).key)
""".replace("HOUR", str(HOUR))

# Monday 2026-01-05 10:00 Shanghai. (number, response h, resolution h) after creation.
IMPORTED = [("T1", 0.5, 2), ("T2", 2, 6), ("T3", 0.5, 5), ("T4", 0.5, 3)]
PUSHED = ("T5", 0.5, 1)


def _csv(rows) -> str:
    lines = ["ticket_no,priority,created_at,first_response_at,resolved_at"]
    for number, resp, res in rows:
        created = 10 * 60

        def at(h, created=created):
            minutes = created + int(h * 60)
            return f"2026-01-05 {minutes // 60:02d}:{minutes % 60:02d}:00"

        lines.append(f"{number},P1,{at(0)},{at(resp)},{at(res)}")
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(OPSQM_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="opsqm.settings", OPSQM_TESTING="1")
    drop = None
    base = os.environ.get("DATABASE_URL", "").strip()
    if base.startswith("postgres"):
        import psycopg

        parsed = urlparse(base)
        name = f"opsqm_kpi_proc_{uuid.uuid4().hex[:8]}"
        admin_url = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))

        def drop():
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env.pop("DATABASE_URL", None)
        env["OPSQM_SQLITE_PATH"] = str(tmp_path / "shared.sqlite3")

    def opsqm(*args: str) -> str:
        done = subprocess.run([str(BIN / "opsqm"), *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    opsqm("migrate", "--no-input")
    token = opsqm("shell", "--no-imports", "-c", SETUP).strip().splitlines()[-1]
    port = _free_port()
    server_env = dict(env)
    server_env.pop("OPSQM_TESTING")  # the serving process is a plain production process
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "opsqm.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=server_env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def kpis(project: str | None = None) -> dict[tuple, tuple]:
        query = "granularity=quarter&year=2026" + (f"&project={project}" if project else "")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/kpis/?{query}", headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
        return {(r["project"], r["kpi"]): (r["numerator"], r["denominator"]) for r in body["results"] if r["period"] == "2026-Q1"}

    deadline = time.monotonic() + 60
    while True:
        try:
            kpis()
            break
        except OSError:
            if time.monotonic() > deadline or web.poll() is not None:
                raise
            time.sleep(0.3)
    try:
        yield opsqm, kpis, tmp_path
    finally:
        web.terminate()
        web.wait(timeout=20)
        if drop:
            drop()


def _shell(opsqm, code: str) -> None:
    opsqm(
        "shell",
        "--no-imports",
        "-c",
        "from opsqm.records.context import Actor, acting_as\n"
        "from opsqm.accounts.models import User\nadmin = User.objects.get(username='admin')\n" + code,
    )


def test_every_writer_in_another_process_is_served_at_once(served):
    opsqm, kpis, tmp = served
    assert kpis("PA")[("PA", "resolution_rate")] == (0, 0)

    # Import (a separate process: `opsqm import-tickets`).
    (tmp / "a.csv").write_text(_csv(IMPORTED), encoding="utf-8")
    opsqm("import-tickets", "PA", str(tmp / "a.csv"))
    values = kpis("PA")
    assert values[("PA", "resolution_timeliness")] == (2, 4)  # T1, T4 within 4 h
    assert values[("PA", "response_timeliness")] == (3, 4)
    assert values[("PA", "mttr")] == (int((2 + 6 + 5 + 3) * HOUR), 4)

    # Push (the service behind POST /api/v1/projects/{id}/tickets/, in another process).
    number, resp, res = PUSHED
    _shell(
        opsqm,
        "from opsqm.org.models import Project\nfrom opsqm.tickets.services import tickets_push\n"
        "with acting_as(Actor(admin.pk, 'test')):\n"
        f"    out = tickets_push(actor=admin, project=Project.objects.get(code='PA'), items=[{{'ticket_no': '{number}', "
        f"'priority': 'P1', 'created_at': '2026-01-05T10:00:00', 'first_response_at': '2026-01-05T10:30:00', "
        f"'resolved_at': '2026-01-05T11:00:00'}}])\n    assert out.ok, out.message",
    )
    assert kpis("PA")[("PA", "resolution_timeliness")] == (3, 5)

    # recompute-sla: targets changed behind the application's back (the worker was down), then the
    # operator's command. Until it runs, the stored statuses — and so the values — stay as they were.
    _shell(
        opsqm,
        "from opsqm.tickets.models import SlaPriority\n"
        f"SlaPriority.objects.filter(agreement__project__code='PA').update(resolution_seconds={int(5.5 * HOUR)})",
    )
    assert kpis("PA")[("PA", "resolution_timeliness")] == (3, 5)
    opsqm("recompute-sla")
    assert kpis("PA")[("PA", "resolution_timeliness")] == (4, 5)  # T3 (5 h) now within 5.5 h

    # SLA agreement change (its recompute runs in the writer's process).
    _shell(
        opsqm,
        "from opsqm.org.models import Project\nfrom opsqm.tickets.models import Calendar, SlaAgreement\n"
        "from opsqm.tickets.services import PriorityData, sla_agreement_save\n"
        "p = Project.objects.get(code='PA')\nwith acting_as(Actor(admin.pk, 'test')):\n"
        "    sla_agreement_save(actor=admin, project=p, calendar=Calendar.objects.get(code='ALLDAY'), pause_statuses=[],"
        f" priorities=[PriorityData('P1', 'P1', {HOUR}, {int(1.5 * HOUR)})], expected_version=p.sla.version)",
    )
    assert kpis("PA")[("PA", "resolution_timeliness")] == (1, 5)  # only T5 (1 h) within 1.5 h

    # Calendar change: business hours 10:00–11:00 on weekdays → every ticket used ≤ 1 business hour.
    _shell(
        opsqm,
        "from opsqm.tickets.models import Calendar\nfrom opsqm.tickets.services import CalendarData, calendar_update\n"
        "c = Calendar.objects.get(code='ALLDAY')\nwith acting_as(Actor(admin.pk, 'test')):\n"
        "    calendar_update(actor=admin, calendar=c, expected_version=c.version, data=CalendarData('ALLDAY', '一小时',"
        " 'weekly', 'Asia/Shanghai', {d: ((36000, 39600),) for d in range(5)}, False))",
    )
    values = kpis("PA")
    assert values[("PA", "resolution_timeliness")] == (5, 5)
    assert values[("PA", "response_timeliness")] == (5, 5)

    # Project deletion: the company row (pooled) loses PB's ticket.
    (tmp / "b.csv").write_text(_csv([("B1", 3, 9)]), encoding="utf-8")
    opsqm("import-tickets", "PB", str(tmp / "b.csv"))
    assert kpis()[(None, "resolution_rate")] == (6, 6)
    _shell(
        opsqm, "from opsqm.org.models import Project\nwith acting_as(Actor(admin.pk, 'test')):\n    Project.objects.get(code='PB').delete()"
    )
    company = kpis()
    assert company[(None, "resolution_rate")] == (5, 5)
    assert ("PB", "resolution_rate") not in company

    # Project time-zone change: 2026-01-05 02:00 UTC is still January in UTC−10, so Q1 keeps it;
    # the counters are recounted in the new zone by the project update's transaction.
    _shell(
        opsqm,
        "from opsqm.org.models import Project\nfrom opsqm.org.services import project_update\n"
        "p = Project.objects.get(code='PA')\nwith acting_as(Actor(admin.pk, 'test')):\n"
        "    project_update(actor=admin, project=p, data={'time_zone': 'Pacific/Honolulu'}, expected_version=p.version)",
    )
    assert kpis("PA")[("PA", "resolution_rate")] == (5, 5)
