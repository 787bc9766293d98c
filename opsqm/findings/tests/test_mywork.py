from __future__ import annotations

import datetime as dt

from opsqm.findings import mywork, services
from opsqm.findings.tests.conftest import TODAY


def _kinds(items):
    return [(i.kind, i.due) for i in items]


def test_my_work_lists_each_persona_its_own_work_sorted_by_due_date(world, make_finding, login, django_assert_max_num_queries):
    from django.urls import reverse

    f1 = make_finding(title="待分析的问题", due_date=dt.date(2026, 11, 30))
    f2 = services.finding_analyze(actor=world.ops_a, finding=make_finding(title="已分析"), cause="c")
    late = services.action_create(actor=world.ops_a, finding=f2, description="早到期措施", owner=world.ops_a, due_date=dt.date(2026, 11, 1))
    services.action_create(actor=world.ops_a, finding=f2, description="晚到期措施", owner=world.ops_a, due_date=dt.date(2026, 12, 10))
    f3 = services.finding_analyze(actor=world.ops_a, finding=make_finding(title="待验证"), cause="c")
    a3 = services.action_create(actor=world.ops_a, finding=f3, description="已实施措施", owner=world.ops_a, due_date=dt.date(2026, 11, 20))
    services.action_implement(actor=world.ops_a, action=a3, note="done")
    services.improvement_create(
        actor=world.spec_a, title="改进", target="t", owner=world.spec_a, due_date=dt.date(2026, 12, 31), project=world.project_a
    )
    services.finding_create(actor=world.spec_b, title="B 问题", description="d", severity="minor", source="manual", project=world.project_b)
    services.actions_escalate_overdue(today=dt.date(2026, 11, 16))  # 15 days overdue: straight to 总经办

    ops = mywork.items_for(world.ops_a, TODAY)
    kinds = {i.kind for i in ops}
    assert {"待分析原因", "待实施纠正措施"} <= kinds and "待验证纠正措施" not in kinds
    assert all("B 问题" not in i.title for i in ops)
    spec = mywork.items_for(world.spec_a, TODAY)
    assert [i.kind for i in spec if i.kind == "待验证纠正措施"] == ["待验证纠正措施"]
    assert any(i.kind == "服务改进项" for i in spec)
    gm = mywork.items_for(world.gm, TODAY)
    assert [(i.kind, i.due) for i in gm] == [("逾期措施督办", late.due_date)]
    assert mywork.items_for(world.outsider, TODAY) == [] and mywork.items_for(world.spec_b, TODAY) == []

    client = login(world.ops_a)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("dashboards:my_work")).content.decode()
    assert page.index("早到期措施") < page.index(f1.code) < page.index("晚到期措施")
