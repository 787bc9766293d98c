"""The management review across areas: the satisfaction input from the surveys area (complaints listed once),
KPI results against the annual plan's quality objectives, and the approved review completing the plan's
管理评审 activity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from opsqm.plans import services as plans
from opsqm.plans.models import ActivityStatus
from opsqm.reviews import services
from opsqm.reviews.models import InputKey
from opsqm.surveys.tests.quarter_data import make

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 30)


def _tables(section):
    return {t["title"]: t for t in section.data["tables"]}


@pytest.fixture
def approved_plan(world):
    plan = plans.plan_submit(actor=world.qm, plan=plans.plan_generate(actor=world.qm, year=2026))
    return plans.plan_approve(actor=world.gm, plan=plan, note="同意")


def test_the_satisfaction_input_holds_the_surveys_scores_and_lists_complaints_once(world, review):
    data = make(world)
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    section = review.inputs.get(key=InputKey.SATISFACTION)
    assert section.data["unavailable"] is False
    tables = _tables(section)
    projects = {row[0]: row for row in tables["各项目满意度（百分制，括号内为答卷份数）"]["rows"]}
    assert projects["PA"][-2] == f"{data['scores']['project_a']:.1f}" and projects["PB"][-2] == f"{data['scores']['project_b']:.1f}"
    complaint_tables = [t for t in section.data["tables"] if "投诉" in t["title"]]
    assert len(complaint_tables) == 1  # the register; the finding-based list is not repeated
    assert [r[4] for r in complaint_tables[0]["rows"]] == [
        "甲项目夜间响应慢",
        "乙项目报告延迟",
    ]  # the July complaint is after the as-of date
    assert "答卷 3 份" in section.data["summary"] and "客户投诉 2 起" in section.data["summary"]
    assert f"{data['company_equal']:.1f}" in section.data["summary"]
    assert section.data["chart"]["labels"] == ["PA", "PB"]


def test_kpis_are_judged_against_the_years_plan_objectives_when_a_plan_exists(world, review, approved_plan):
    from opsqm.plans.models import QualityObjective

    QualityObjective.objects.filter(plan=approved_plan, indicator="客户投诉次数").update(manual_actual=Decimal(3))
    QualityObjective.objects.filter(plan=approved_plan, kpi="sla_attainment").update(target=Decimal("0.97"))
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    section = review.inputs.get(key=InputKey.KPIS)
    tables = _tables(section)
    objectives = tables[f"年度质量目标达成情况（{approved_plan.title}）"]["rows"]
    by_name = {row[0]: row for row in objectives}
    assert list(by_name) == [o.indicator for o in approved_plan.objectives.all()]
    assert by_name["客户投诉次数"][2:5] == ["≤ 2 次", "3 次", "未达成"]  # lower is better: 3 > 2
    assert by_name["SLA 达成率"][2] == "≥ 97.0%"  # the plan's target, not the catalogue's
    catalogue = {row[0] for row in tables["其他服务质量指标（指标库目标值）"]["rows"]}
    assert "SLA 达成率" not in catalogue and "响应及时率" not in catalogue  # judged once, against the plan
    assert approved_plan.title in section.data["summary"] and "未达成 1 项" in section.data["summary"]


def test_without_a_plan_the_kpis_fall_back_to_the_catalogue_targets(world, review):
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=AS_OF)
    section = review.inputs.get(key=InputKey.KPIS)
    assert list(_tables(section)) == ["指标结果与年度目标"] and "尚无年度质量管理计划" in section.data["summary"]


def _approve(world, review, django_capture_on_commit_callbacks):
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 11, 30))
    review = services.review_record_meeting(actor=world.mgmt, review=review, attended=[world.mgmt], minutes={}, conclusion="体系有效")
    review = services.review_issue_report(actor=world.qm, review=review)
    with django_capture_on_commit_callbacks(execute=True):
        return services.review_approve_report(actor=world.mgmt, review=review)


def test_approving_the_review_completes_the_years_management_review_activity(
    world, review, approved_plan, django_capture_on_commit_callbacks
):
    activity = approved_plan.activities.get(type="management_review")
    assert activity.status != ActivityStatus.DONE
    review = _approve(world, review, django_capture_on_commit_callbacks)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and activity.linked_id == review.pk and "管理评审" in activity.linked_label
    linked = plans.linked_record(activity)
    assert linked is not None and linked[0] == review and linked[1] == f"/reviews/{review.pk}/"


def test_an_activity_already_linked_is_left_alone_and_no_plan_is_no_error(world, review, approved_plan, django_capture_on_commit_callbacks):
    activity = approved_plan.activities.get(type="management_review")
    activity = plans.activity_complete(actor=world.qm, activity=activity, note="纸质记录存档")
    review = _approve(world, review, django_capture_on_commit_callbacks)
    activity.refresh_from_db()
    assert activity.linked_id is None and activity.linked_label.startswith("完成说明")
    other = services.review_create(actor=world.mgmt, year=2025, planned_date=dt.date(2025, 12, 20), place="会议室", chair=world.gm)
    other = services.review_record_meeting(
        actor=world.mgmt,
        review=services.review_assemble_inputs(actor=world.mgmt, review=other, as_of=dt.date(2025, 11, 30)),
        attended=[world.mgmt],
        minutes={},
        conclusion="有效",
    )
    with django_capture_on_commit_callbacks(execute=True):  # no 2025 plan: the approval goes through, nothing linked
        other = services.review_approve_report(actor=world.mgmt, review=services.review_issue_report(actor=world.qm, review=other))
    assert other.status == "approved"


def test_the_supervision_round_links_to_the_supervision_activity_and_an_outsider_cannot(world, approved_plan):
    from django.core.exceptions import PermissionDenied, ValidationError

    from opsqm.documents.models import FeedbackRound
    from opsqm.plans.linking import kind_of_model

    kind = kind_of_model(FeedbackRound)
    assert kind is not None and "supervision" in kind.types
    from opsqm.documents import services as documents

    rnd = documents.round_open(
        actor=world.qm, period="2026-03", due_date=dt.date(2026, 3, 31), participants=[world.ops_a], title="三月体系运行反馈征集"
    )
    activity = approved_plan.activities.filter(type="supervision").order_by("due_date").first()
    with pytest.raises((PermissionDenied, ValidationError)):
        plans.activity_link(actor=world.outsider, activity=activity, record=rnd)
    done = plans.activity_link(actor=world.qm, activity=activity, record=rnd)
    assert done.status == ActivityStatus.DONE and "三月体系运行反馈征集" in done.linked_label
