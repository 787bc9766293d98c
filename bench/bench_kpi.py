"""KPI page benchmark: a year of 1,000,000 tickets over 50 projects (issue #3).

Builds a throw-away database (SQLite in a temp dir, or a fresh PostgreSQL database when
DATABASE_URL points at a server), migrates it, creates 50 projects with SLA agreements and
inserts 1,000,000 tickets with raw executemany (SLA fields set directly, statuses distributed
like a real service desk: most met, some breached, the last days' tickets still open and
stored as pending one day ago so the "as of now" re-evaluation has work to do). Then times,
with the Django test client logged in as the quality manager, after one warm-up request:
the org overview (quarterly and monthly), a project page and a drill-down page.

    .venv/bin/python bench/bench_kpi.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_kpi.py
    .venv/bin/python bench/bench_kpi.py --tickets 200000 --requests 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup_db() -> tuple[str, callable]:
    tmp = tempfile.mkdtemp(prefix="opsqm-bench-kpi-")
    os.environ["OPSQM_VAR_DIR"] = tmp
    base = os.environ.get("DATABASE_URL", "").strip()
    if not base:
        os.environ["OPSQM_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        return "sqlite", lambda: None
    import psycopg
    from urllib.parse import urlparse, urlunparse

    parsed = urlparse(base)
    name = f"opsqm_bench_kpi_{uuid.uuid4().hex[:8]}"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return "postgresql", drop


def _fmt(epochs: np.ndarray, postgres: bool) -> list:
    """Epoch seconds → the text the DB stores (None for -1)."""
    text = np.datetime_as_string(epochs.astype("datetime64[s]"), unit="s")
    text = np.char.replace(text, "T", " ")
    suffix = "+00:00" if postgres else ""
    out = [s + suffix for s in text.tolist()]
    return [None if e < 0 else s for e, s in zip(epochs.tolist(), out)]


def build(n_tickets: int, n_projects: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from opsqm.accounts.models import User
    from opsqm.org.models import Customer, Project
    from opsqm.tickets.models import Calendar, SlaAgreement, SlaPriority, Ticket

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    qm = User.objects.create_user("qm", password="x", role="quality_manager", full_name="质量经理")
    ops = User.objects.create_user("ops", password="x", role="ops_manager", full_name="运维经理")
    customer = Customer.objects.create(code="C1", name="客户")
    calendar = Calendar.objects.get(code="cn-5x8")
    projects = []
    priorities = [("P1", 1800, 4 * 3600), ("P2", 3600, 8 * 3600), ("P3", 4 * 3600, 24 * 3600), ("P4", 8 * 3600, 72 * 3600)]
    import datetime as dt

    for i in range(n_projects):
        p = Project.objects.create(code=f"PRJ-{i:02d}", name=f"项目{i:02d}", customer=customer, ops_manager=ops,
                                   contract_start=dt.date(2026, 1, 1), contract_end=dt.date(2026, 12, 31))
        agreement = SlaAgreement.objects.create(project=p, calendar=calendar)
        for order, (code, resp, resol) in enumerate(priorities):
            SlaPriority.objects.create(agreement=agreement, code=code, name=code, response_seconds=resp,
                                       resolution_seconds=resol, order=order)
        projects.append(p)

    rng = np.random.default_rng(7)
    now = int(timezone.now().timestamp())
    year_start = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    stored_cutoff = now - 86_400
    created = np.sort(rng.integers(year_start, stored_cutoff, n_tickets))
    project_ids = np.array([p.pk for p in projects])[rng.integers(0, n_projects, n_tickets)]
    prio = rng.choice(4, n_tickets, p=[0.05, 0.2, 0.5, 0.25])
    response_s = rng.gamma(2.0, 900, n_tickets).astype(np.int64)
    resolution_s = rng.gamma(2.0, 6 * 3600, n_tickets).astype(np.int64)
    # Open at the stored cut-off: tickets of the last 5 days, half of them.
    open_ = (created > stored_cutoff - 5 * 86_400) & (rng.random(n_tickets) < 0.5)
    first_response = created + response_s * 2
    resolved = np.where(open_, -1, created + resolution_s * 2)
    resolved = np.where(resolved > stored_cutoff, -1, resolved)
    open_ = resolved < 0
    resp_target = np.array([p[1] for p in priorities])[prio]
    res_target = np.array([p[2] for p in priorities])[prio]
    response_status = np.where(response_s <= resp_target, 2, 3)
    resolution_status = np.where(open_, np.where(rng.random(n_tickets) < 0.8, 1, 3),
                                 np.where(resolution_s <= res_target, 2, 3))
    reopen = (rng.random(n_tickets) < 0.03).astype(int)
    fcr_draw = rng.random(n_tickets)
    fcr = np.where(fcr_draw < 0.1, -1, (fcr_draw < 0.75).astype(int))
    postgres = connection.vendor == "postgresql"
    created_t = _fmt(created, postgres)
    response_t = _fmt(first_response, postgres)
    resolved_t = _fmt(resolved, postgres)
    cutoff_t = _fmt(np.array([stored_cutoff]), postgres)[0]
    codes = [p[0] for p in priorities]
    columns = ("project_id, number, priority, type, status, title, contact, created_at, first_response_at, resolved_at, "
               "closed_at, reopen_count, first_contact_resolution, source, updated_at, row_hash, response_seconds, "
               "resolution_seconds, paused_seconds, response_status, resolution_status, response_due, resolution_due, "
               "sla_computed_at, sla_cutoff")
    sql = f"INSERT INTO {Ticket._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * 25)})"
    batch = 50_000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, n_tickets, batch):
            rows = []
            for i in range(start, min(start + batch, n_tickets)):
                is_open = bool(open_[i])
                rows.append((
                    int(project_ids[i]), f"T{i:07d}", codes[prio[i]], "事件", "已解决" if not is_open else "处理中",
                    f"工单 {i}", "", created_t[i], response_t[i], resolved_t[i], None, int(reopen[i]),
                    None if fcr[i] < 0 else bool(fcr[i]), "import", cutoff_t, "", int(response_s[i]),
                    None if is_open else int(resolution_s[i]), 0, int(response_status[i]), int(resolution_status[i]),
                    None, None, cutoff_t, cutoff_t,
                ))
            cursor.executemany(sql, rows)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"qm": qm, "project": projects[0], "build_s": time.perf_counter() - t0, "open": int(open_.sum()),
            "vendor": connection.vendor}


def _simulate_import(project, count: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from opsqm.records.trail import record_bulk
    from opsqm.tickets.models import Ticket

    postgres = connection.vendor == "postgresql"
    now = int(timezone.now().timestamp())
    created = _fmt(np.arange(now - count * 60, now, 60), postgres)
    resolved = _fmt(np.arange(now - count * 60 + 1800, now + 1800, 60), postgres)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Ticket._meta.db_table} (project_id, number, priority, type, status, title, contact, "
            "created_at, resolved_at, reopen_count, source, updated_at, row_hash, response_status, resolution_status, "
            "resolution_seconds, sla_computed_at, sla_cutoff) VALUES "
            f"({', '.join(['%s'] * 18)})",
            [(project.pk, f"NEW{i:05d}", "P3", "", "", "", "", created[i], resolved[i] if resolved[i] and i % 2 else None,
              0, "import", created[-1], "", 2, 2 if i % 2 else 1, 1800 if i % 2 else None, created[-1], created[-1])
             for i in range(count)])
        record_bulk(model=Ticket, summary="bench import", details={"created": count}, project_id=project.pk)


def timed(client, url: str, requests: int) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    response = client.get(url)
    first = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return first, statistics.median(samples), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.settings")
    vendor, drop = _setup_db()
    try:
        info = build(args.tickets, args.projects)
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        settings.ALLOWED_HOSTS = ["*"]
        settings.DEBUG = False
        client = Client()
        client.force_login(info["qm"])
        project = info["project"]
        month = time.strftime("%Y-%m")
        pages = [
            ("org overview, quarterly", reverse("kpis:overview") + "?granularity=quarter&year=2026"),
            ("org overview, monthly", reverse("kpis:overview") + "?granularity=month&year=2026"),
            ("project page, monthly", reverse("kpis:project", args=[project.pk]) + "?granularity=month&year=2026"),
            ("drill-down, project month", reverse("kpis:drill", args=[project.pk, "response_timeliness", month])),
            ("drill-down, org quarter", reverse("kpis:drill", args=["org", "resolution_timeliness", "2026-Q3"])),
        ]
        print(f"# {vendor}: {args.tickets:,} tickets, {args.projects} projects, {info['open']:,} open; "
              f"build {info['build_s']:.0f} s")
        print("| page | first request (cold cache) ms | median ms | p95 ms |")
        print("|---|---:|---:|---:|")
        from opsqm.kpis.selectors import kpi_cache_clear

        for label, url in pages:
            kpi_cache_clear()
            first, median, p95 = timed(client, url, args.requests)
            print(f"| {label} | {first:.0f} | {median:.0f} | {p95:.0f} |", flush=True)
        # An import into one project (what a ticket import leaves behind: new rows and one
        # bulk audit event): only that project's counters are recomputed.
        _simulate_import(project, 500)
        t0 = time.perf_counter()
        assert client.get(pages[0][1]).status_code == 200
        after = (time.perf_counter() - t0) * 1000
        _, median, p95 = timed(client, pages[0][1], args.requests)
        print(f"| org overview, quarterly, first request after a 500-ticket import into one project | {after:.0f} "
              f"| {median:.0f} | {p95:.0f} |")
    finally:
        drop()


if __name__ == "__main__":
    main()
