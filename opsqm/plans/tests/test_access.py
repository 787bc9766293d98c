"""Who sees the plan, its activities, QA plans and quarterly reviews (outsider / wrong project = 404)."""

from __future__ import annotations

import datetime as dt

import pytest

from opsqm import clock
from opsqm.plans import services
from opsqm.plans.models import ActivityType


@pytest.fixture
def b_activity(world, approved_plan):
    with clock.frozen_at(dt.datetime(2026, 5, 4, 9)):  # added to the plan before its due date (a past date is refused)
        return services.activity_save(
            actor=world.qm,
            plan=approved_plan,
            projects=[world.project_b],
            reason="增加项目乙检查",
            data=dict(
                type=ActivityType.PROJECT_CHECK, title="PB 项目检查", owner=world.spec_b, due_date=dt.date(2026, 5, 11), output="检查记录"
            ),
        )


def test_a_foreign_projects_activity_is_404_for_the_wrong_project_and_the_outsider(world, login, b_activity):
    for user in (world.spec_a, world.outsider, world.ops_a):
        assert login(user).get(f"/plans/activities/{b_activity.pk}/").status_code == 404
    assert login(world.spec_b).get(f"/plans/activities/{b_activity.pk}/").status_code == 200
    assert login(world.qm).get(f"/plans/activities/{b_activity.pk}/").status_code == 200


def test_the_plan_list_of_the_wrong_project_does_not_show_the_foreign_activity(world, login, approved_plan, b_activity):
    page = login(world.spec_a).get(f"/plans/{approved_plan.pk}/").content.decode()
    assert "PB 项目检查" not in page
    assert "PB 项目检查" in login(world.spec_b).get(f"/plans/{approved_plan.pk}/").content.decode()


def test_only_the_quality_manager_edits_and_only_org_wide_roles_download_the_document(world, login, approved_plan):
    assert login(world.spec_a).get(f"/plans/{approved_plan.pk}/edit/").status_code == 404
    assert login(world.outsider).post("/plans/generate/", {"year": 2030}).status_code == 404
    assert login(world.spec_a).get(f"/plans/{approved_plan.pk}/document/").status_code == 404
    assert login(world.gm).get(f"/plans/{approved_plan.pk}/document/").status_code == 200


def test_a_foreign_projects_qa_plan_and_quarterly_submission_are_404(world, login, approved_plan):
    from opsqm.quarterly import services as qs

    qa = services.qa_plan_create(actor=world.qm, project=world.project_b, start=dt.date(2026, 2, 2))
    assert login(world.ops_a).get(f"/plans/qa/{qa.pk}/").status_code == 404
    assert login(world.ops_b).get(f"/plans/qa/{qa.pk}/").status_code == 200
    review = qs.review_open(actor=world.qm, year=2026, quarter=1, today=dt.date(2026, 3, 31))
    sub_b = review.submissions.get(project=world.project_b)
    assert login(world.ops_a).get(f"/quarterly/submissions/{sub_b.pk}/").status_code == 404
    assert login(world.outsider).get(f"/quarterly/{review.pk}/").status_code == 404
    assert login(world.ops_a).get(f"/quarterly/{review.pk}/").status_code == 404
    assert login(world.gm).get(f"/quarterly/{review.pk}/").status_code == 200
    # the wrong O&M manager cannot post into it either
    assert (
        login(world.ops_a)
        .post(f"/quarterly/submissions/{sub_b.pk}/", {"summary": "x", "next_plan": "y", "version": 1, "submit": "1"})
        .status_code
        == 404
    )


def test_the_pages_render_for_the_quality_manager(world, login, approved_plan):
    c = login(world.qm)
    for url in (
        "/plans/",
        f"/plans/{approved_plan.pk}/",
        f"/plans/{approved_plan.pk}/calendar/?month=10",
        f"/plans/{approved_plan.pk}/stats/",
        "/plans/qa/",
        "/plans/calendar-feed/",
        "/quarterly/",
        f"/plans/{approved_plan.pk}/activities/new/",
        f"/plans/{approved_plan.pk}/objectives/new/",
    ):
        assert c.get(url).status_code == 200, url
