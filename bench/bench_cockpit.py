"""Cockpit benchmark (issue 12): the home page per role and the project page, against the KPI
benchmark's ticket data (built by `bench_kpi.build`, reused, not copied), plus a year's plan, an
open quarterly review over every project, complaints and management-review actions.

    .venv/bin/python bench/bench_cockpit.py                      # SQLite, 1 M tickets over 50 projects
    .venv/bin/python bench/bench_cockpit.py --tickets 200000     # smaller, when the machine is busy
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_cockpit.py

Goal: each page < 200 ms server time. Measured in-process with Django's test client (the whole
request: middleware, panels, templates), first request, median and p95 wall time of N requests and
the median CPU time per request. The machine is shared: the load average is printed before and
after; CPU time is what a request costs on an idle core (SQLite runs in-process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_kpi  # noqa: E402  (the KPI benchmark's database set-up and ticket builder)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def add_areas(info: dict) -> dict:
    """The people of every role and a realistic year of the other areas on top of the tickets."""
    from django.utils import timezone

    from opsqm.accounts.models import ExternalGrant, User
    from opsqm.org.models import Project
    from opsqm.plans.models import PlanActivity, QualityPlan
    from opsqm.quarterly import services as quarterly
    from opsqm.reviews import services as reviews
    from opsqm.surveys import services as surveys

    qm = info["qm"]
    users = {"qm": qm, "ops": User.objects.get(username="ops")}
    for name, role in (
        ("gm", "gm_office"),
        ("mgmt", "mgmt_rep"),
        ("spec", "quality_specialist"),
        ("auditor", "auditor"),
        ("reviewer", "external_reviewer"),
    ):
        users[name] = User.objects.create_user(name, password="x", role=role, full_name=name)
    projects = list(Project.objects.order_by("code"))
    Project.objects.filter(pk__in=[p.pk for p in projects[:5]]).update(quality_specialist=users["spec"])
    now = timezone.now()
    grant = ExternalGrant.objects.create(
        user=users["reviewer"],
        purpose="认证评审",
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(days=7),
        granted_by=qm,
    )
    grant.projects.set([projects[0]])
    today = timezone.localdate()
    plan = QualityPlan.objects.create(
        year=today.year, title="年度质量计划", drafted_by=qm, status="approved", approved_by=users["gm"], approved_at=now
    )
    for i in range(120):  # ten a month, half of them project checks
        due = dt.date(today.year, i % 12 + 1, 1 + i % 27)
        a = PlanActivity.objects.create(
            plan=plan,
            type="project_check" if i % 2 else "supervision",
            title=f"活动 {i}",
            owner=users["ops"] if i % 2 else qm,
            due_date=due,
            scope_org=not i % 2,
            status="done" if due < today and i % 3 else "planned",
            done_at=now if due < today and i % 3 else None,
        )
        if i % 2:
            a.projects.set([projects[i % len(projects)]])
    quarterly.review_open(actor=qm, year=today.year, quarter=(today.month - 1) // 3 + 1, today=today)
    for i in range(30):
        surveys.complaint_create(
            actor=qm,
            data={
                "channel": "phone",
                "project": projects[i % len(projects)],
                "contact": "客户",
                "content": "处理慢",
                "severity": "general",
                "handler": users["ops"],
                "deadline_days": 3,
                "received_at": now - dt.timedelta(days=i),
            },
        )
    mr = reviews.review_create(
        actor=users["mgmt"],
        year=today.year,
        planned_date=today + dt.timedelta(days=20),
        place="会议室",
        chair=users["gm"],
        attendees=[qm, users["ops"]],
    )
    for i in range(10):
        action = reviews.review_action_create(
            actor=users["mgmt"],
            review=mr,
            kind="improvement",
            decision=f"措施 {i}",
            owner=users["ops"] if i % 2 else qm,
            due_date=today + dt.timedelta(days=i + 1),
        )
        # Three overdue, as a year later they would be (a new action may not be due in the past).
        type(action).objects.filter(pk=action.pk).update(due_date=today + dt.timedelta(days=i - 3))
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--big-project", type=int, default=0, help="tickets of project 0 (the others share the rest)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.settings")
    vendor, drop = bench_kpi._setup_db()
    try:
        print(f"# load average at start: {_load()}", flush=True)
        info = bench_kpi.build(args.tickets, args.projects, args.big_project)
        users = add_areas(info)
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        settings.ALLOWED_HOSTS = ["*"]
        settings.DEBUG = False
        print(
            f"# {vendor}: {args.tickets:,} tickets, {args.projects} projects"
            f"{f' (project 0: {args.big_project:,})' if args.big_project else ''}, {info['open']:,} open; "
            f"build {info['build_s']:.0f} s; load average {_load()}",
            flush=True,
        )
        print("| page | first request ms | median ms | p95 ms | median CPU ms |")
        print("|---|---:|---:|---:|---:|")
        project_url = reverse("dashboards:project", args=[info["project"].pk])
        pages = [(f"cockpit home, {name}", name, "/") for name in ("qm", "gm", "mgmt", "spec", "ops", "auditor", "reviewer")]
        pages += [("project page (project 0), qm", "qm", project_url), ("project page (project 0), reviewer", "reviewer", project_url)]
        for label, who, url in pages:
            client = Client()
            client.force_login(users[who])
            first, median, p95, cpu = bench_kpi.timed(client, url, args.requests)
            print(f"| {label} | {first:.0f} | {median:.0f} | {p95:.0f} | {cpu:.0f} |", flush=True)
        print(f"# load average after: {_load()}")
    finally:
        drop()


if __name__ == "__main__":
    main()
