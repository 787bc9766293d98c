"""Concurrency on PostgreSQL, through the real services and views (threads, each with its own
database connection): 20 simultaneous "登记问题" and 20 simultaneous audit plans are all saved with
distinct codes (also across 9999 → 10000), and 20 simultaneous workflow steps on the same record
have exactly one effect while the others get the Chinese conflict message — never a 500.

Run with DATABASE_URL=postgres://…; skipped on SQLite (which serializes writers anyway)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from opsqm.findings import services as findings
from opsqm.findings.models import CorrectiveAction, Finding, FindingEvent
from opsqm.records.codes import code_number
from opsqm.records.models import CodeCounter

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="concurrency tests need PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]

N = 20


def _all_at_once(work: Callable[[int], Any], n: int = N) -> list[Any]:
    """Run work(i) in n threads released together; return results (or the exceptions raised)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _clients(user, n: int = N) -> list[Client]:
    clients = []
    for _ in range(n):
        c = Client()
        c.force_login(user)
        clients.append(c)
    return clients


def test_twenty_simultaneous_findings_through_the_page_are_all_saved_with_distinct_codes(world):
    clients = _clients(world.spec_a)
    results = _all_at_once(
        lambda i: clients[i].post(
            "/findings/new/",
            {
                "title": f"并发登记 {i}",
                "severity": "minor",
                "source": "manual",
                "project": world.project_a.pk,
                "description": "二十人同时登记",
            },
        )
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(r.status_code for r in results) == [302] * N  # no 5xx, each redirected to its finding
    codes = list(Finding.objects.filter(title__startswith="并发登记").values_list("code", flat=True))
    assert len(codes) == N and len(set(codes)) == N
    assert sorted(code_number(c) for c in codes) == list(range(1, N + 1))


def test_twenty_simultaneous_findings_continue_past_9999(world):
    year = dt.date.today().year
    CodeCounter.objects.create(prefix="NC", year=year, last=9990)
    results = _all_at_once(
        lambda i: findings.finding_create(
            actor=world.qm, title=f"跨万号 {i}", description="x", severity="minor", source="manual", project=world.project_a
        )
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = sorted(code_number(f.code) for f in results)
    assert numbers == list(range(9991, 9991 + N))
    assert f"NC-{year}-10000" in {f.code for f in results}


def test_twenty_simultaneous_audit_plans_are_all_saved_with_distinct_codes(world, plan):
    results = _all_at_once(lambda i: plan(title=f"并发策划 {i}"))
    assert [r for r in results if isinstance(r, Exception)] == []
    codes = [a.code for a in results]
    assert len(set(codes)) == N
    numbers = sorted(code_number(c) for c in codes)
    assert numbers == list(range(numbers[0], numbers[0] + N))


def _implemented_action(world) -> CorrectiveAction:
    f = findings.finding_create(
        actor=world.spec_a, title="并发验证", description="x", severity="minor", source="manual", project=world.project_a, owner=world.ops_a
    )
    f = findings.finding_analyze(actor=world.ops_a, finding=f, cause="原因")
    action = findings.action_create(
        actor=world.ops_a, finding=f, description="措施", owner=world.ops_a, due_date=dt.date.today() + dt.timedelta(days=5)
    )
    return findings.action_implement(actor=world.ops_a, action=action, note="已实施", evidence_ref="工单 123")


def test_twenty_simultaneous_verifications_have_one_effect_and_nineteen_conflict_messages(world):
    action = _implemented_action(world)
    clients = _clients(world.qm)
    results = _all_at_once(
        lambda i: clients[i].post(
            f"/findings/actions/{action.pk}/verify/", {"effective": "1", "note": f"验证 {i}", "version": action.version}
        )
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    statuses = Counter(r.status_code for r in results)
    assert statuses == {302: 1, 200: N - 1}, statuses  # one success (redirect), the others re-shown with the message
    for r in results:
        if r.status_code == 200:
            assert "该纠正措施已被他人修改" in r.content.decode()
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.VERIFIED_EFFECTIVE
    assert FindingEvent.objects.filter(action=action, kind=FindingEvent.Kind.VERIFIED_EFFECTIVE).count() == 1


def test_twenty_simultaneous_closings_of_an_observation_have_exactly_one_effect(world):
    f = findings.finding_create(
        actor=world.spec_a, title="并发关闭", description="x", severity="observation", source="manual", project=world.project_a
    )
    clients = _clients(world.qm)
    results = _all_at_once(lambda i: clients[i].post(f"/findings/{f.pk}/close/", {"note": f"关闭 {i}", "version": f.version}))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Counter(r.status_code for r in results) == {302: 1, 200: N - 1}
    assert all("该问题已被他人修改" in r.content.decode() for r in results if r.status_code == 200)
    f.refresh_from_db()
    assert f.status == Finding.Status.CLOSED
    assert FindingEvent.objects.filter(finding=f, kind=FindingEvent.Kind.CLOSED).count() == 1


def test_twenty_simultaneous_api_patches_with_the_same_version_have_one_effect_and_409s(world, api_client):
    clients = [api_client(world.qm) for _ in range(N)]
    version = world.project_a.version
    results = _all_at_once(
        lambda i: clients[i].patch(f"/api/v1/projects/{world.project_a.pk}/", {"name": f"并发改名 {i}", "version": version}, format="json")
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Counter(r.status_code for r in results) == {200: 1, 409: N - 1}
    assert all("已被他人修改" in r.json()["detail"] for r in results if r.status_code == 409)
    world.project_a.refresh_from_db()
    assert world.project_a.version == version + 1
