"""A survey campaign fulfils the annual plan's 客户满意度调查 activity: it is a linkable kind, and creating a
campaign from the activity (?plan_activity=ID) links it in the same transaction as the campaign."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opsqm.plans import services as plans
from opsqm.plans.linking import kind_of_model
from opsqm.plans.models import ActivityStatus, PlanActivity
from opsqm.surveys.models import Campaign, SurveyTemplate
from opsqm.surveys.tests.helpers import simple_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_plan(world):
    plan = plans.plan_submit(actor=world.qm, plan=plans.plan_generate(actor=world.qm, year=2026))
    return plans.plan_approve(actor=world.gm, plan=plan, note="同意")


@pytest.fixture
def activity(approved_plan):
    return approved_plan.activities.get(type="satisfaction")


def _post(world, activity, **extra):
    if not SurveyTemplate.objects.filter(level="project").exists():
        simple_template("project")
    data = {
        "level": "project",
        "project": world.project_a.pk,
        "customer": "",
        "template": "",
        "title": "甲项目年度满意度调查",
        "period_label": "2026 年度",
        "expires_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        "contacts": "张经理, zhang@example.com, 13800000000",
        "plan_activity": activity.pk,
    }
    data.update(extra)
    return data


def test_a_survey_campaign_is_a_linkable_kind_offered_first_for_the_satisfaction_activity(world, activity):
    from opsqm.surveys.tests.helpers import campaign

    kind = kind_of_model(Campaign)
    assert kind is not None and kind.types == ("satisfaction",)
    c = campaign(world, project=world.project_a)
    assert list(kind.candidates(world.spec_b)) == [] and list(kind.candidates(world.qm)) == [c]  # project B's specialist cannot see it
    done = plans.activity_link(actor=world.qm, activity=activity, record=c)
    assert done.status == ActivityStatus.DONE and c.code in done.linked_label
    assert plans.linked_record(done) == (c, f"/surveys/campaigns/{c.pk}/")


def test_the_activity_page_offers_the_campaign_form_prefilled_from_the_activity(world, login, activity):
    page = login(world.qm).get(f"/plans/activities/{activity.pk}/").content.decode()
    assert f"/surveys/campaigns/new/?plan_activity={activity.pk}" in page
    form = login(world.qm).get(f"/surveys/campaigns/new/?plan_activity={activity.pk}").content.decode()
    assert f'<option value="{activity.pk}" selected>' in form and activity.title in form


def test_creating_the_campaign_with_the_activity_links_it_and_marks_the_activity_done(world, login, activity):
    resp = login(world.qm).post("/surveys/campaigns/new/", _post(world, activity))
    assert resp.status_code == 302
    c = Campaign.objects.get(title="甲项目年度满意度调查")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE and activity.linked_id == c.pk and activity.done_by == world.qm


def test_only_the_activity_owner_or_the_quality_manager_is_offered_the_activity(world, login, activity):
    # spec_a may start project A's campaign but neither owns the activity nor plans: not offered, and a forged field is ignored
    assert activity.owner != world.spec_a
    form = login(world.spec_a).get(f"/surveys/campaigns/new/?plan_activity={activity.pk}").content.decode()
    assert activity.title not in form and 'name="plan_activity"' not in form
    resp = login(world.spec_a).post("/surveys/campaigns/new/", _post(world, activity))
    assert resp.status_code == 302 and Campaign.objects.filter(title="甲项目年度满意度调查").exists()
    assert PlanActivity.objects.get(pk=activity.pk).linked_id is None
    PlanActivity.objects.filter(pk=activity.pk).update(owner=world.spec_a)  # the owner is offered it
    form = login(world.spec_a).get(f"/surveys/campaigns/new/?plan_activity={activity.pk}").content.decode()
    assert f'<option value="{activity.pk}" selected>' in form


def test_a_refused_link_creates_no_campaign_either(world, activity):
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from opsqm.surveys import services
    from opsqm.surveys.tests.helpers import simple_template as tpl

    template = tpl("project")
    with pytest.raises(PermissionDenied), transaction.atomic():  # the view's unit: campaign + link
        c = services.campaign_create(
            actor=world.spec_a,
            level="project",
            customer=world.customer_a,
            project=world.project_a,
            template=template,
            title="回滚的调查",
            period_label="2026",
            expires_at=timezone.now() + dt.timedelta(days=5),
            contacts=[{"name": "张", "email": "", "phone": "1"}],
        )
        plans.activity_link(actor=world.spec_a, activity=activity, record=c)
    assert not Campaign.objects.filter(title="回滚的调查").exists()
    activity.refresh_from_db()
    assert activity.status != ActivityStatus.DONE and activity.linked_id is None


def test_without_an_activity_the_campaign_is_created_alone_and_an_outsider_is_offered_nothing(world, login, activity):
    assert login(world.qm).post("/surveys/campaigns/new/", _post(world, activity, plan_activity="")).status_code == 302
    assert PlanActivity.objects.get(pk=activity.pk).status != ActivityStatus.DONE
    page = login(world.outsider).get(f"/surveys/campaigns/new/?plan_activity={activity.pk}").content.decode()
    assert activity.title not in page
    assert login(world.outsider).post("/surveys/campaigns/new/", _post(world, activity)).status_code == 200  # refused with a form error
    assert Campaign.objects.count() == 1
