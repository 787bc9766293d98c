"""KPI page benchmark (issue 8): tickets over 50 projects, counters kept on write.

Builds a throw-away database (SQLite in a temp dir, or a fresh PostgreSQL database when
DATABASE_URL points at a server), migrates it, creates 50 projects with SLA agreements and
inserts the tickets with raw executemany in shuffled order (ids do not follow creation time),
SLA fields set directly; the last days' tickets are half open and a third of the open tickets
are paused; the open tickets' SLA is then stored by the writer as of one day ago. Every project's counters are then filled by
`kpi_counters_refresh`. Measured: a fresh web process's first request (no warm-up) and RSS;
each page's first, median and p95 wall time and median CPU time; a real 500-ticket import
through the writer and the first request after it. See bench/README_kpi.md.

    .venv/bin/python bench/bench_kpi.py                 # SQLite, 1 M tickets
    .venv/bin/python bench/bench_kpi.py --tickets 1000000 --big-project 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_kpi.py
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
    from urllib.parse import urlparse, urlunparse

    import psycopg

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


def build(n_tickets: int, n_projects: int, big_project: int = 0) -> dict:
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
        p = Project.objects.create(
            code=f"PRJ-{i:02d}",
            name=f"项目{i:02d}",
            customer=customer,
            ops_manager=ops,
            contract_start=dt.date(2026, 1, 1),
            contract_end=dt.date(2026, 12, 31),
        )
        agreement = SlaAgreement.objects.create(project=p, calendar=calendar)
        for order, (code, resp, resol) in enumerate(priorities):
            SlaPriority.objects.create(
                agreement=agreement, code=code, name=code, response_seconds=resp, resolution_seconds=resol, order=order
            )
        projects.append(p)

    rng = np.random.default_rng(7)
    now = int(timezone.now().timestamp())
    year_start = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    stored_cutoff = now - 86_400
    created = np.sort(rng.integers(year_start, stored_cutoff, n_tickets))
    project_ids = np.array([p.pk for p in projects])[rng.integers(0, n_projects, n_tickets)]
    if big_project:  # one project holds `big_project` tickets, the others share the rest
        project_ids = np.array([p.pk for p in projects])[rng.integers(1, n_projects, n_tickets)]
        project_ids[rng.choice(n_tickets, big_project, replace=False)] = projects[0].pk
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
    resolution_status = np.where(open_, np.where(rng.random(n_tickets) < 0.8, 1, 3), np.where(resolution_s <= res_target, 2, 3))
    reopen = (rng.random(n_tickets) < 0.03).astype(int)
    fcr_draw = rng.random(n_tickets)
    fcr = np.where(fcr_draw < 0.1, -1, (fcr_draw < 0.75).astype(int))
    postgres = connection.vendor == "postgresql"
    created_t = _fmt(created, postgres)
    response_t = _fmt(first_response, postgres)
    resolved_t = _fmt(resolved, postgres)
    cutoff_t = _fmt(np.array([stored_cutoff]), postgres)[0]
    codes = [p[0] for p in priorities]
    columns = (
        "project_id, number, priority, type, status, title, contact, created_at, first_response_at, resolved_at, "
        "closed_at, reopen_count, first_contact_resolution, source, updated_at, row_hash, response_seconds, "
        "resolution_seconds, paused_seconds, response_status, resolution_status, response_due, resolution_due, "
        "sla_computed_at, sla_cutoff"
    )
    sql = f"INSERT INTO {Ticket._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * 25)})"
    batch = 50_000
    # Rows go in shuffled, so ticket ids do not follow creation time (as with real imports of
    # several files, re-imports and pushes): the evaluation must not rely on id order.
    insert_order = rng.permutation(n_tickets)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, n_tickets, batch):
            rows = []
            for i in insert_order[start : start + batch].tolist():
                is_open = bool(open_[i])
                rows.append(
                    (
                        int(project_ids[i]),
                        f"T{i:07d}",
                        codes[prio[i]],
                        "事件",
                        "已解决" if not is_open else "处理中",
                        f"工单 {i}",
                        "",
                        created_t[i],
                        response_t[i],
                        resolved_t[i],
                        None,
                        int(reopen[i]),
                        None if fcr[i] < 0 else bool(fcr[i]),
                        "import",
                        cutoff_t,
                        "",
                        int(response_s[i]),
                        None if is_open else int(resolution_s[i]),
                        0,
                        int(response_status[i]),
                        int(resolution_status[i]),
                        None,
                        None,
                        cutoff_t,
                        cutoff_t,
                    )
                )
            cursor.executemany(sql, rows)
    # A third of the open tickets are paused (waiting for the customer): half still paused.
    from opsqm.tickets.models import TicketPause

    open_rows = list(Ticket.objects.filter(resolved_at__isnull=True).values_list("id", "created_at"))
    pauses = [
        TicketPause(ticket_id=pk, start=created_at + dt.timedelta(hours=1), end=None if pk % 2 else created_at + dt.timedelta(hours=3))
        for pk, created_at in open_rows
        if pk % 3 == 0
    ]
    TicketPause.objects.bulk_create(pauses, batch_size=5000)
    # The open tickets' SLA (statuses, due times, breach instants) stored by the writer itself,
    # as of the stored cut-off, with their pauses: what an import one day ago left.
    from opsqm.tickets.services import sla_recompute_project

    stored_at = dt.datetime.fromtimestamp(int(stored_cutoff), dt.UTC)
    open_by_project: dict[int, list[int]] = {}
    for pk, project_id in Ticket.objects.filter(resolved_at__isnull=True).values_list("id", "project_id"):
        open_by_project.setdefault(project_id, []).append(pk)
    for p in projects:
        if open_by_project.get(p.pk):
            sla_recompute_project(project=p, cutoff=stored_at, ticket_ids=open_by_project[p.pk], refresh_counters=False)
    if postgres:
        # What a default server's autovacuum does after such an insert (this machine's server runs
        # with autovacuum off): statistics, and the visibility map without which every index-only
        # scan of the KPI reads still visits the table.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Ticket._meta.db_table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a restarted server finds a settled file
    build_s = time.perf_counter() - t0
    # The counters every writer keeps: what a full refresh of each project costs.
    from opsqm.kpis.counters import kpi_counters_refresh

    refresh = []
    for p in projects:
        t1 = time.perf_counter()
        with transaction.atomic():
            kpi_counters_refresh(project_id=p.pk)
        refresh.append(time.perf_counter() - t1)
    return {
        "qm": qm,
        "project": projects[0],
        "build_s": build_s,
        "open": int(open_.sum()),
        "vendor": connection.vendor,
        "paused": len(pauses),
        "refresh": refresh,
    }


def _kept_info() -> dict:
    """What `build` returns, read back from a database it built earlier (--keep, then --reuse)."""
    import django

    django.setup()
    from django.db import connection

    from opsqm.accounts.models import User
    from opsqm.org.models import Project
    from opsqm.tickets.models import Ticket, TicketPause

    return {
        "qm": User.objects.get(username="qm"),
        "project": Project.objects.order_by("code").first(),
        "build_s": 0.0,
        "tickets": Ticket.objects.count(),
        "open": Ticket.objects.filter(resolved_at__isnull=True).count(),
        "vendor": connection.vendor,
        "paused": TicketPause.objects.count(),
        "refresh": [0.0],
    }


def _import(project, count: int) -> float:
    """A real import of `count` new tickets (half resolved) through the writer; returns seconds."""
    from django.utils import timezone

    from opsqm.core.ticket_io import TicketBatch
    from opsqm.tickets.services import import_batch

    now = np.datetime64(int(timezone.now().timestamp()) - 60, "s")
    stamp = int(time.time())  # new numbers on every run, also against a kept database
    created = now - (np.arange(count, 0, -1) * 60).astype("timedelta64[s]")
    resolved = np.where(np.arange(count) % 2 == 1, created + np.timedelta64(1800, "s"), np.datetime64("NaT"))
    resolved = np.where(resolved > now, np.datetime64("NaT"), resolved).astype("datetime64[s]")
    nat = np.full(count, np.datetime64("NaT"), dtype="datetime64[s]")
    batch = TicketBatch(
        ticket_no=np.array([f"NEW{stamp}-{i:05d}" for i in range(count)], dtype=object),
        priority=np.array(["P3"] * count, dtype=object),
        type=np.array([""] * count, dtype=object),
        status=np.array([""] * count, dtype=object),
        title=np.array([""] * count, dtype=object),
        contact=np.array([""] * count, dtype=object),
        contact_phone=np.array([""] * count, dtype=object),
        contact_email=np.array([""] * count, dtype=object),
        created=created,
        first_response=nat.copy(),
        resolved=resolved,
        closed=nat.copy(),
        reopen_count=np.zeros(count, dtype=np.int32),
        fcr=np.full(count, -1, dtype=np.int8),
        has_fcr_column=False,
        pause_ticket=np.empty(0, np.int64),
        pause_start=nat[:0],
        pause_end=nat[:0],
        source_row=np.arange(2, count + 2, dtype=np.int64),
        present=frozenset(),
    )
    t0 = time.perf_counter()
    outcome = import_batch(project=project, batch=batch, source="import", actor=None, summary="bench import")
    assert outcome.ok, outcome.message
    return time.perf_counter() - t0


def timed(client, url: str, requests: int) -> tuple[float, float, float, float]:
    """(first, median, p95) wall ms and the median CPU ms of this process per request.

    The machine is shared: wall times include waiting for a core (see the load average);
    CPU time is what a request costs on an idle core (SQLite runs in-process; on PostgreSQL
    the server's own CPU is not included)."""
    t0 = time.perf_counter()
    response = client.get(url)
    first = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, (url, response.status_code)
    samples, cpu = [], []
    for _ in range(requests):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return first, statistics.median(samples), p95, statistics.median(cpu)


def _pages(project_pk: int) -> list[tuple[str, str]]:
    from django.urls import reverse

    month = time.strftime("%Y-%m")
    return [
        ("org overview, quarterly", reverse("kpis:overview") + "?granularity=quarter&year=2026"),
        ("org overview, monthly", reverse("kpis:overview") + "?granularity=month&year=2026"),
        ("project page, monthly", reverse("kpis:project", args=[project_pk]) + "?granularity=month&year=2026"),
        ("drill-down, project month", reverse("kpis:drill", args=[project_pk, "response_timeliness", month])),
        ("drill-down, org quarter", reverse("kpis:drill", args=["org", "resolution_timeliness", "2026-Q3"])),
        ("API, all projects by quarter", "/api/v1/kpis/?granularity=quarter&year=2026"),
    ]


def child(project_pk: int, requests: int) -> None:
    """A fresh web process: time its very first KPI request (no warm-up), then every page; RSS."""
    import json

    from django.conf import settings
    from django.test import Client

    import opsqm.wsgi  # noqa: F401 - what a web worker loads at start (Django + the URLconf), no data
    from opsqm.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    client = Client()
    client.force_login(User.objects.get(username="qm"))
    pages = _pages(project_pk)
    t0, c0 = time.perf_counter(), time.process_time()
    assert client.get(pages[0][1]).status_code == 200
    first, first_cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    for _, url in pages:
        for _ in range(requests):
            assert client.get(url).status_code == 200
    # Peak RSS of this process (VmHWM): getrusage's ru_maxrss survives exec, so it would report
    # the parent benchmark's peak (the 1 M rows it generated), not the web process's.
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(json.dumps({"first_ms": first, "first_cpu_ms": first_cpu, "maxrss_mb": hwm / 1024}))


def _fresh_process(project_pk: int, requests: int) -> dict:
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--child", str(project_pk), "--requests", str(requests)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--big-project", type=int, default=0, help="tickets of project 0 (the others share the rest)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database built (its URL is printed)")
    parser.add_argument("--reuse", action="store_true", help="measure the database DATABASE_URL names, built by --keep")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.settings")
    if args.child:
        child(args.child, args.requests)
        return
    if args.reuse:
        vendor, drop = "postgresql", lambda: None
    else:
        vendor, drop = _setup_db()
    if args.keep:
        print(f"# kept: DATABASE_URL={os.environ.get('DATABASE_URL', '')}", flush=True)
        drop = lambda: None  # noqa: E731
    try:
        info = _kept_info() if args.reuse else build(args.tickets, args.projects, args.big_project)
        from django.conf import settings
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        settings.DEBUG = False
        project = info["project"]
        refresh = info["refresh"]
        print(
            f"# {vendor}: {info.get('tickets', args.tickets):,} tickets, {args.projects} projects"
            f"{f' (project 0: {args.big_project:,})' if args.big_project else ''}, {info['open']:,} open, "
            f"{info['paused']:,} open tickets paused; build {info['build_s']:.0f} s; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print(
            f"# full counter refresh per project: max {max(refresh) * 1000:.0f} ms, "
            f"median {statistics.median(refresh) * 1000:.0f} ms (project 0: {refresh[0] * 1000:.0f} ms)"
        )
        fresh = _fresh_process(project.pk, 3)
        print(
            f"# fresh web process: first KPI request {fresh['first_ms']:.0f} ms "
            f"({fresh['first_cpu_ms']:.0f} ms CPU, no warm-up), "
            f"peak RSS {fresh['maxrss_mb']:.0f} MB after every page"
        )
        client = Client()
        client.force_login(info["qm"])
        print("| page | first request ms | median ms | p95 ms | median CPU ms |")
        print("|---|---:|---:|---:|---:|")
        pages = _pages(project.pk)
        for label, url in pages:
            first, median, p95, cpu = timed(client, url, args.requests)
            print(f"| {label} | {first:.0f} | {median:.0f} | {p95:.0f} | {cpu:.0f} |", flush=True)
        seconds = _import(project, 500)
        t0 = time.perf_counter()
        assert client.get(pages[0][1]).status_code == 200
        after = (time.perf_counter() - t0) * 1000
        _, median, p95, cpu = timed(client, pages[0][1], args.requests)
        print(
            f"| org overview, quarterly, first request after a 500-ticket import into project 0 "
            f"(import incl. counter refresh {seconds * 1000:.0f} ms) | {after:.0f} | {median:.0f} | {p95:.0f} | {cpu:.0f} |"
        )
        print(f"# load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        drop()


if __name__ == "__main__":
    main()
