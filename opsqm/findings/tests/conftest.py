from __future__ import annotations

import datetime as dt

import pytest

from opsqm import clock
from opsqm.findings import services
from opsqm.findings.models import Finding

TODAY = dt.date(2026, 11, 23)
# The records of these tests are created on this business day (opsqm.clock), so that due dates such as
# TODAY or 2026-11-01 are valid when set (the services refuse a due date before the day it is set) and
# overdue when the tests look at them later with the real date.
CREATED_AT = dt.datetime(2026, 10, 28, 9, 0)


@pytest.fixture(autouse=True)
def _business_day():
    with clock.frozen_at(CREATED_AT):
        yield


@pytest.fixture
def make_finding(world):
    def _make(project=None, severity=Finding.Severity.MINOR, actor=None, **kw):
        project = world.project_a if project is None else project
        return services.finding_create(
            actor=actor or world.spec_a if project != world.project_b else world.spec_b,
            title=kw.pop("title", "备份作业连续失败未处理"),
            description="巡检发现备份失败三天无人处理",
            severity=severity,
            source=Finding.Source.AUDIT,
            project=project,
            **kw,
        )

    return _make


@pytest.fixture
def implemented(world, make_finding):
    """A finding of project A with one action owned and implemented by ops_a."""

    def _make(project=None):
        project = project or world.project_a
        ops = project.ops_manager
        f = make_finding(project=project)
        f = services.finding_analyze(actor=ops, finding=f, cause="值班未按规程检查备份结果")
        a = services.action_create(actor=ops, finding=f, description="增加备份失败告警", owner=ops, due_date=TODAY)
        a = services.action_implement(actor=ops, action=a, note="已配置告警", evidence_ref="DOC-001")
        return Finding.objects.get(pk=f.pk), a

    return _make
