"""The review's inputs are assembled from the records of the period (1 January to the as-of date) and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from opsqm.findings import services as findings
from opsqm.findings.models import Finding, ImprovementItem
from opsqm.reviews import services
from opsqm.reviews.models import InputKey
from opsqm.reviews.tests.conftest import at, make_audit

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)
# (raised day, severity, source, inside the period?)
FINDINGS = [
    (dt.date(2025, 12, 31), "minor", "audit", False),
    (dt.date(2026, 1, 1), "minor", "audit", True),
    (dt.date(2026, 3, 15), "major", "complaint", True),
    (dt.date(2026, 6, 30), "observation", "kpi", True),
    (dt.date(2026, 7, 1), "minor", "complaint", False),
    (dt.date(2026, 11, 2), "major", "audit", False),
]


@pytest.fixture
def records(world):
    made = []
    for day, severity, source, inside in FINDINGS:
        f = findings.finding_create(
            actor=world.qm, title=f"问题 {day}", description="d", severity=severity, source=source, project=world.project_a, now=at(day)
        )
        made.append((f, inside))
    for day, title in ((dt.date(2025, 11, 1), "旧改进"), (dt.date(2026, 2, 1), "期内改进"), (dt.date(2026, 8, 1), "期后改进")):
        item = findings.improvement_create(actor=world.qm, title=title, target="t", owner=world.spec_a, due_date=dt.date(2026, 12, 31))
        ImprovementItem.objects.filter(pk=item.pk).update(created_at=at(day))
    make_audit(world, "IA-2025-02", dt.date(2025, 11, 10), [world.project_a])
    make_audit(world, "IA-2026-01", dt.date(2026, 6, 10), [world.project_a])
    make_audit(world, "IA-2026-02", dt.date(2026, 11, 10), [world.project_b])
    return made


@pytest.fixture
def last_year(world):
    """The 2025 review with three actions: one done before the as-of date, one done after it, one open and overdue."""
    from opsqm import clock

    old = services.review_create(actor=world.mgmt, year=2025, planned_date=dt.date(2025, 12, 20), place="会议室", chair=world.gm)
    actions = []
    for i, due in enumerate((dt.date(2026, 3, 31), dt.date(2026, 5, 31), dt.date(2026, 4, 30))):
        with clock.frozen_at(at(dt.date(2025, 12, 20))):
            actions.append(
                services.review_action_create(
                    actor=world.mgmt, review=old, kind="improvement", decision=f"措施 {i}", owner=world.qm, due_date=due
                )
            )
    with clock.frozen_at(at(dt.date(2026, 3, 20))):
        services.review_action_complete(actor=world.qm, action=actions[0], note="已完成")
    with clock.frozen_at(at(dt.date(2026, 7, 15))):
        services.review_action_complete(actor=world.qm, action=actions[1], note="期后完成")
    return old


def _table(section, title):
    return next(t for t in section.data["tables"] if t["title"] == title)


def test_findings_section_counts_exactly_the_findings_raised_in_the_period(world, review, records, last_year):
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    section = review.inputs.get(key=InputKey.FINDINGS)
    by_severity = _table(section, "问题按等级与状态")
    total = sum(int(row[-1]) for row in by_severity["rows"])
    expected = [f for f, inside in records if inside]
    assert total == len(expected) == 3
    per_severity = {row[0]: int(row[-1]) for row in by_severity["rows"]}
    for severity in Finding.Severity:
        assert per_severity[str(severity.label)] == sum(1 for f in expected if f.severity == severity)
    ages = [int(n) for n in _table(section, "未关闭问题的账龄（至输入截止日）")["rows"][0]]
    second = [0, 0, 0]
    for f, inside in records:
        if inside:
            age = (AS_OF - f.raised_at.date()).days
            second[0 if age <= 30 else 1 if age <= 90 else 2] += 1
    assert ages == second


def test_complaints_audits_and_improvements_are_only_those_of_the_period(world, review, records, last_year):
    from django.apps import apps

    if apps.is_installed("opsqm.surveys"):  # the complaint register of the surveys area is the one list of complaints
        from opsqm.surveys.services import complaint_create

        for day in (dt.date(2025, 12, 31), dt.date(2026, 3, 15), dt.date(2026, 7, 1)):
            complaint_create(
                actor=world.qm,
                data={
                    "received_at": at(day),
                    "channel": "phone",
                    "project": world.project_a,
                    "contact": "客户",
                    "content": f"投诉 {day}",
                    "severity": "general",
                    "handler": world.qm,
                    "deadline_days": 3,
                },
            )
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    title = "客户投诉及处理" if apps.is_installed("opsqm.surveys") else "客户投诉"
    complaints = _table(review.inputs.get(key=InputKey.SATISFACTION), title)["rows"]
    assert [r[1] for r in complaints] == ["2026-03-15"]
    audits = _table(review.inputs.get(key=InputKey.AUDITS), "审核结果与符合率")["rows"]
    assert [r[0] for r in audits] == ["IA-2026-01"]
    improvements = _table(review.inputs.get(key=InputKey.IMPROVEMENTS), "服务改进计划")["rows"]
    assert [r[1] for r in improvements] == ["期内改进"]


def test_previous_actions_show_their_status_as_of_the_chosen_date(world, review, last_year):
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    section = review.inputs.get(key=InputKey.PREVIOUS_ACTIONS)
    states = {row[3]: row[6] for row in section.data["tables"][0]["rows"]}
    assert states == {"措施 0": "已完成", "措施 1": "逾期未完成", "措施 2": "逾期未完成"}
    assert "已完成 1 项" in section.data["summary"]
    # Reassembled later, the action completed in July counts as done.
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 8, 1))
    states = {row[3]: row[6] for row in review.inputs.get(key=InputKey.PREVIOUS_ACTIONS).data["tables"][0]["rows"]}
    assert states["措施 1"] == "已完成"


def test_the_satisfaction_section_says_when_the_surveys_area_is_not_installed(world, review):
    from django.apps import apps

    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    section = review.inputs.get(key=InputKey.SATISFACTION)
    if not apps.is_installed("opsqm.surveys"):
        assert section.data["unavailable"] is True and "尚未启用" in section.data["summary"]


def test_every_input_is_present_in_order_and_notes_survive_reassembly(world, review):
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    assert list(review.inputs.values_list("key", flat=True)) == [k.value for k in InputKey]
    section = review.inputs.get(key=InputKey.KPIS)
    services.input_annotate(actor=world.qm, section=section, text="响应及时率需要分项目看")
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 7, 31))
    assert review.inputs.get(key=InputKey.KPIS).notes.get().text == "响应及时率需要分项目看"


def test_the_as_of_date_must_lie_in_the_review_year(world, review):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2027, 1, 5))
