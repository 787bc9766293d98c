"""Fixtures of the audits tests: a small checklist, an approved program and audits at given stages."""

from __future__ import annotations

import datetime as dt

import pytest

SMALL_CHECKLIST = """
urn: urn:opsqm:checklist:test-people
ref_id: TPPL
name: 测试人员检查
kind: element
element: people
items:
  - {urn: "urn:opsqm:checklist:test-people:1", ref_id: "1", order: 1, text: 人员储备, assessable: false}
  - {urn: "urn:opsqm:checklist:test-people:1.1", ref_id: "1.1", parent: "urn:opsqm:checklist:test-people:1", order: 1, text: 关键岗位有备份}
  - {urn: "urn:opsqm:checklist:test-people:1.2", ref_id: "1.2", parent: "urn:opsqm:checklist:test-people:1", order: 2, text: 有人员储备计划}
  - {urn: "urn:opsqm:checklist:test-people:1.3", ref_id: "1.3", parent: "urn:opsqm:checklist:test-people:1", order: 3, text: 有培训记录}
  - {urn: "urn:opsqm:checklist:test-people:2", ref_id: "2", order: 2, text: 绩效考核有记录}
"""

SMALL_PROCESS = """
urn: urn:opsqm:checklist:test-process
ref_id: TPRC
name: 测试过程检查
kind: element
element: process
items:
  - {urn: "urn:opsqm:checklist:test-process:1", ref_id: "1", order: 1, text: 事件管理有记录}
  - {urn: "urn:opsqm:checklist:test-process:2", ref_id: "2", order: 2, text: 变更经过审批}
"""


def save_checklist(text: str):
    from opsqm.checklists.models import VersionOrigin
    from opsqm.checklists.services import checklist_save_version
    from opsqm.core.checklists import parse_checklist

    return checklist_save_version(actor=None, checklist=parse_checklist(text), origin=VersionOrigin.LIBRARY).version


@pytest.fixture
def people_version(db):
    return save_checklist(SMALL_CHECKLIST)


@pytest.fixture
def process_version(db):
    return save_checklist(SMALL_PROCESS)


@pytest.fixture
def program(world):
    from opsqm.audits import services

    p = services.program_create(actor=world.qm, year=2026, title="2026 年度内审方案", objectives="年中、年末各一次")
    p = services.program_submit(actor=world.qm, program=p)
    return services.program_approve(actor=world.gm, program=p, note="同意")


@pytest.fixture
def plan(world, program, people_version):
    """plan(**overrides) -> a planned internal audit of project B led by the auditor."""
    from opsqm.audits import services

    def _plan(*, projects=None, lead=None, members=(), checklists=None, kind="internal", program_obj=program, **data):
        base = dict(
            title="年中内部审核",
            kind=kind,
            mode="routine",
            program=program_obj if kind == "internal" else None,
            criteria="GB/T 28827.1",
            planned_start=dt.date(2026, 6, 10),
            planned_end=dt.date(2026, 6, 12),
        )
        base.update(data)
        projects = [world.project_b] if projects is None else projects
        return services.audit_plan(
            actor=world.qm,
            data=base,
            projects=projects,
            departments=[],
            checklists=checklists or [(people_version, None)],
            lead=lead or world.auditor,
            members=members,
        )

    return _plan
