"""Auditors do not audit their own project or department (seed 2.4.2)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from opsqm.audits import services
from opsqm.audits.models import AuditStage
from opsqm.audits.tests.helpers import meeting_kwargs


def test_it_refuses_a_lead_who_works_on_the_audited_project(world, plan):
    with pytest.raises(ValidationError) as exc:
        plan(projects=[world.project_a], lead=world.spec_a)
    assert exc.value.message_dict["lead"] == ["李专员是被审核项目 PA 的成员，不能审核本人所在项目。"]


def test_it_refuses_a_member_of_the_project_team(world, plan):
    from opsqm.org.models import ProjectMembership

    ProjectMembership.objects.create(project=world.project_b, user=world.auditor)
    with pytest.raises(ValidationError) as exc:
        plan(projects=[world.project_b], lead=world.qm, members=[world.auditor])
    assert "周内审是被审核项目 PB 的成员" in exc.value.message_dict["members"][0]


def test_it_refuses_an_auditor_from_the_audited_department(world, plan):
    from opsqm.org.models import Post, Staff

    post = Post.objects.create(name="内审员", category="management")
    Staff.objects.create(user=world.auditor, employee_no="E1", department=world.department, post=post)
    # project A belongs to world.department, so auditing it means auditing one's own department.
    with pytest.raises(ValidationError) as exc:
        plan(projects=[world.project_a])
    assert "所在部门“运行维护部”在审核范围内" in exc.value.message_dict["lead"][0]


def test_independence_is_checked_again_when_the_audit_starts(world, plan):
    from opsqm.org.models import ProjectMembership

    audit = plan()
    ProjectMembership.objects.create(project=world.project_b, user=world.auditor)  # joined the project after planning
    with pytest.raises(ValidationError) as exc:
        services.audit_record_opening(actor=world.auditor, audit=audit, **meeting_kwargs())
    assert "不能审核本人所在项目" in exc.value.messages[0]
    audit.refresh_from_db()
    assert audit.stage == AuditStage.PLANNED
