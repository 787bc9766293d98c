"""Burst benchmark: survey answer submissions on loopback against `opsqm serve` with PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsqm_bench_surveys .venv/bin/python bench/bench_survey_burst.py --seconds 60

Creates a fresh database, one campaign with enough invitations, starts `opsqm serve` (gunicorn +
worker, per-IP limit raised by OPSQM_SURVEY_RATE_IP since every request comes from 127.0.0.1), then
POSTs answers from a pool of threads (one CSRF cookie per thread, each token used once) and checks
afterwards that every 302 has exactly one stored response and that nothing else was stored.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SETUP = """
import datetime as dt, json
from django.utils import timezone
from opsqm.org.models import Customer, Project
from opsqm.accounts.services import user_create
from opsqm.surveys import services
from opsqm.surveys.models import Level
services.template_install_defaults()
qm = user_create(username='bench-qm', password='bench-pass-1', role='quality_manager', full_name='bench')
c = Customer.objects.create(code='BC', name='压测客户')
p = Project.objects.create(code='BP', name='压测项目', customer=c, status='active', contract_start=dt.date(2026,1,1), contract_end=dt.date(2026,12,31), ops_manager=qm)
camp = services.campaign_create(actor=qm, level=Level.PROJECT, customer=c, project=p, title='bench', period_label='2026', expires_at=timezone.now()+dt.timedelta(days=1), contacts=[{'name': f'c{i}'} for i in range(N)])
services.campaign_send(actor=qm, campaign=camp)
tpl = camp.template
qs = [{'id': q.pk, 'kind': q.kind, 'min': q.scale_min, 'max': q.scale_max} for q in tpl.questions.all()]
print(json.dumps({'tokens': [services.invitation_token(i) for i in camp.invitations.all()], 'questions': qs}))
"""


CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def _cpu_times() -> list[int]:
    with open("/proc/stat") as f:
        return [int(v) for v in f.readline().split()[1:9]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--threads", type=int, default=24)
    ap.add_argument("--web-workers", type=int, default=8)
    ap.add_argument("--invitations", type=int, default=20000)
    ap.add_argument("--port", type=int, default=8195)
    args = ap.parse_args()
    base = os.environ["DATABASE_URL"]
    admin = re.sub(r"/[^/]*$", "/postgres", base)
    name = urllib.parse.urlparse(base).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = dict(os.environ, OPSQM_SURVEY_RATE_IP="1000000/m", OPSQM_SURVEY_RATE_TOKEN="100/m", OPSQM_AXES_ENABLED="0")
    subprocess.run([str(BIN / "opsqm"), "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    out = subprocess.run(
        [str(BIN / "opsqm"), "shell", "--no-imports", "-c", SETUP.replace("range(N)", f"range({args.invitations})")],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    tokens, questions = data["tokens"], data["questions"]
    server = subprocess.Popen(
        [str(BIN / "opsqm"), "serve", "--port", str(args.port), "--web-workers", str(args.web_workers), "--no-worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(200):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                probe.request("GET", "/s/thanks/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.3)
        answers = {}
        for q in questions:
            if q["kind"] == "rating":
                answers[f"q{q['id']}"] = str(q["max"] - 1)
            elif q["kind"] == "text":
                answers[f"q{q['id']}"] = "压测意见"
        lock = threading.Lock()
        queue = list(reversed(tokens))
        results = {"ok": 0, "other": 0, "5xx": 0}
        done_tokens: list[str] = []
        finished_at: list[float] = []
        errors: list[str] = []
        stop = time.monotonic() + args.seconds

        def next_token() -> str | None:
            with lock:
                return queue.pop() if queue else None

        def worker():
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            csrf = ""
            token = next_token()
            while token is not None and time.monotonic() < stop:
                try:
                    if not csrf:  # the answer page sets the CSRF cookie, as a phone's browser gets it
                        conn.request("GET", f"/s/{token}/")
                        page = conn.getresponse()
                        page.read()
                        csrf = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
                    body = urllib.parse.urlencode({**answers, "csrfmiddlewaretoken": csrf})
                    conn.request(
                        "POST",
                        f"/s/{token}/",
                        body=body,
                        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}", "Origin": url},
                    )
                    r = conn.getresponse()
                    r.read()
                except (OSError, http.client.HTTPException, AttributeError) as exc:
                    # A dropped connection: counted, never retried with the same token (its answer
                    # may have been stored); the check below then finds it stored or not.
                    with lock:
                        errors.append(type(exc).__name__)
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                    token = next_token()
                    continue
                with lock:
                    if r.status == 302:
                        results["ok"] += 1
                        finished_at.append(time.monotonic())
                        done_tokens.append(token)
                    elif r.status >= 500:
                        results["5xx"] += 1
                    else:
                        results["other"] += 1
                token = next_token()

        started = time.monotonic()
        cpu_before = _cpu_times()
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        cpu = [b - a for a, b in zip(cpu_before, _cpu_times())]
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    finally:
        server.terminate()
        server.wait(timeout=20)
    with psycopg.connect(base) as conn:
        stored = conn.execute("SELECT count(*), count(DISTINCT invitation_id) FROM surveys_response").fetchone()
        answered = conn.execute("SELECT count(*) FROM surveys_invitation WHERE status='answered'").fetchone()[0]
        accepted = [hashlib.sha256(t.encode()).hexdigest() for t in done_tokens]
        found = conn.execute(
            "SELECT count(*) FROM surveys_invitation i JOIN surveys_response r ON r.invitation_id = i.id WHERE i.token_hash = ANY(%s)",
            (accepted,),
        ).fetchone()[0]
    rate = results["ok"] / elapsed
    buckets = [0] * (int(elapsed) // 10 + 1)
    for t in finished_at:
        buckets[int(t - started) // 10] += 1
    print("per 10 s: " + ", ".join(f"{n / 10:.0f}/s" for n in buckets))
    print(f"submissions accepted: {results['ok']} in {elapsed:.1f}s = {rate:.0f}/s; other: {results['other']}; 5xx: {results['5xx']}")
    print(f"responses stored: {stored[0]} (distinct invitations {stored[1]}); invitations answered: {answered}")
    lost = len(accepted) - found  # accepted (302) but no response stored for that invitation
    dup = stored[0] - stored[1]
    print(f"lost: {lost}; duplicated: {dup}; dropped connections: {len(errors)} {sorted(set(errors))}; load average: {os.getloadavg()}")
    total = sum(cpu) or 1
    print(f"load generator (this process) CPU: {client_cpu:.1f} s in {elapsed:.1f} s = {client_cpu / elapsed:.0%} of one core")
    print("machine CPU during the burst: " + ", ".join(f"{name} {v / total:.0%}" for name, v in zip(CPU_FIELDS, cpu) if v))
    sys.exit(0 if lost == 0 and dup == 0 and results["5xx"] == 0 and not errors else 1)


if __name__ == "__main__":
    main()
