"""The cockpit across every area: annual plan, upcoming activities, quarterly summaries, satisfaction,
complaints, controlled documents and management-review actions — per role what shows and what does
not, numbers checked by a second computation, every number a link to a page the user can open, and
a query count that does not grow with the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opsqm.dashboards.panels import Scope, all_panels
from opsqm.kpis.tests.conftest import kpi_world  # noqa: F401, F811  (a fixture used by name)


def _panel(response, key):
    return next((p for p in response.context["panels"] if p["panel"].key == key), None)


def _keys(response):
    return {p["panel"].key for p in response.context["panels"]}


NEW = {"plan_progress", "plan_upcoming", "quarterly_due", "satisfaction", "complaints", "documents_due", "review_actions"}


def _activity(plan, world, title, owner, due, projects=(), done=False):
    from opsqm.plans.models import PlanActivity

    a = PlanActivity.objects.create(
        plan=plan,
        type="project_check",
        title=title,
        owner=owner,
        due_date=due,
        scope_org=not projects,
        status="done" if done else "planned",
        done_at=timezone.now() if done else None,
    )
    a.projects.set(projects)
    return a


def _complaint(world, project, handler, received):
    from opsqm.surveys import services

    return services.complaint_create(
        actor=world.qm,
        data={
            "channel": "phone",
            "project": project,
            "contact": "张先生",
            "content": "故障处理慢",
            "severity": "general",
            "handler": handler,
            "deadline_days": 3,
            "received_at": received,
        },
    )


def _answers(world, project, values):
    from opsqm.surveys import services
    from opsqm.surveys.tests.helpers import answer_data, campaign

    c = campaign(world, project=project, contacts=len(values))
    for inv, v in zip(c.invitations.order_by("pk"), values):
        services.response_submit(token=services.invitation_token(inv), data=answer_data(c.template, v, text="希望响应更快"))


def _more(world, today, plan, n):
    """n more records of every kind (for the query-count test)."""
    for i in range(n):
        _activity(plan, world, f"补充检查 {i}", world.ops_a, today - dt.timedelta(days=2 + i), [world.project_a])
        _activity(plan, world, f"补充活动 {i}", world.qm, today + dt.timedelta(days=3 + i))
        _complaint(world, world.project_b, world.ops_b, timezone.now() - dt.timedelta(days=20 + i))


@pytest.fixture
def areas(world):
    from opsqm.documents import services as docs
    from opsqm.documents.tests.conftest import publish
    from opsqm.plans.models import QualityPlan
    from opsqm.quarterly import services as quarterly
    from opsqm.reviews import services as reviews

    today = timezone.localdate()
    plan = QualityPlan.objects.create(
        year=today.year, title="年度质量计划", drafted_by=world.qm, status="approved", approved_by=world.gm, approved_at=timezone.now()
    )
    acts = {
        "pa_overdue": _activity(plan, world, "甲项目月度巡检", world.ops_a, today - dt.timedelta(days=5), [world.project_a]),
        "pb_overdue": _activity(plan, world, "乙项目月度巡检", world.ops_b, today - dt.timedelta(days=9), [world.project_b]),
        "org_soon": _activity(plan, world, "管理评审准备", world.qm, today + dt.timedelta(days=10)),
        "pa_soon": _activity(plan, world, "甲项目应急演练", world.ops_a, today + dt.timedelta(days=20), [world.project_a]),
        "org_far": _activity(plan, world, "年度内审", world.qm, today + dt.timedelta(days=45)),
        "pa_done": _activity(plan, world, "甲项目客户回访", world.ops_a, today - dt.timedelta(days=1), [world.project_a], done=True),
    }
    q = (today.month - 1) // 3 + 1
    review = quarterly.review_open(actor=world.qm, year=today.year, quarter=q, today=today)
    type(review).objects.filter(pk=review.pk).update(due_date=today - dt.timedelta(days=2))
    sub_a = review.submissions.get(project=world.project_a)
    quarterly.submission_save(
        actor=world.ops_a,
        submission=sub_a,
        submit=True,
        data=dict(tickets_handled=10, major_incidents=0, summary="运行平稳", next_plan="应急演练"),
    )
    complaints = [
        _complaint(world, world.project_a, world.ops_a, timezone.now()),
        _complaint(world, world.project_b, world.ops_b, timezone.now() - dt.timedelta(days=20)),
    ]
    mr = reviews.review_create(
        actor=world.mgmt,
        year=today.year,
        planned_date=today + dt.timedelta(days=30),
        place="会议室",
        chair=world.gm,
        attendees=[world.qm, world.ops_a, world.mgmt],
    )
    r_actions = [
        reviews.review_action_create(actor=world.mgmt, review=mr, kind=kind, decision=text, owner=owner, due_date=due)
        for kind, text, owner, due in [
            ("improvement", "完善应急预案", world.ops_a, today + dt.timedelta(days=1)),
            ("resource", "增加备件库存", world.qm, today + dt.timedelta(days=60)),
        ]
    ]
    from opsqm.reviews.models import ReviewAction

    ReviewAction.objects.filter(pk=r_actions[0].pk).update(due_date=today - dt.timedelta(days=3))  # overdue
    doc = docs.document_create(
        actor=world.qm,
        code="QP-07",
        title="内部审核程序",
        doc_type="procedure",
        owner=world.qm,
        department=world.department,
        distribution=[world.spec_a, world.ops_a],
        next_review_date=today + dt.timedelta(days=10),
    )
    publish(world, doc, "A/0", day=today - dt.timedelta(days=30))
    type(doc).objects.filter(pk=doc.pk).update(next_review_date=today + dt.timedelta(days=10))  # publishing set a year ahead
    _answers(world, world.project_a, [[5, 8], [5, 8]])  # (100·1 + 80·3) / 4 = 85
    _answers(world, world.project_b, [[3, 6]])  # (50·1 + 60·3) / 4 = 57.5
    return {"today": today, "plan": plan, "acts": acts, "review": review, "complaints": complaints, "doc": doc}


def test_the_quality_manager_sees_every_area_with_numbers_of_a_second_computation(world, login, areas):
    response = login(world.qm).get("/")
    assert NEW <= _keys(response)
    today, acts = areas["today"], areas["acts"]
    plan = _panel(response, "plan_progress")["ctx"]
    due = [a for a in acts.values() if a.due_date <= today]
    assert plan["total"].due == len(due) and plan["total"].done == sum(1 for a in due if a.status == "done")
    assert plan["overdue"] == sum(1 for a in due if a.status != "done") == 2
    upcoming = _panel(response, "plan_upcoming")["ctx"]
    assert {a.title for a in upcoming["rows"]} == {
        a.title for a in acts.values() if today <= a.due_date <= today + dt.timedelta(days=30) and a.status != "done"
    }
    quarterly = _panel(response, "quarterly_due")["ctx"]
    assert quarterly["total"] == 2 and quarterly["submitted"] == 1
    assert [r["s"].project.code for r in quarterly["missing"]] == ["PB"] and quarterly["missing"][0]["overdue"]
    complaints = _panel(response, "complaints")["ctx"]
    assert complaints["open"] == 2 and complaints["overdue"] == 1 and complaints["rows"][0].project == world.project_b
    sat = _panel(response, "satisfaction")["ctx"]
    scores = {r["project"].code: r["score"] for r in sat["rows"]}
    assert scores["PA"] == 85.0 and scores["PB"] == 57.5
    assert sat["company"] == round((85.0 + 57.5) / 2, 1)  # the default company method: equal weights
    actions = _panel(response, "review_actions")["ctx"]
    assert actions["open"] == 2 and actions["overdue"] == 1
    docs = _panel(response, "documents_due")["ctx"]
    assert docs["due"] == 1 and docs["overdue"] == 0 and docs["unread"] == 0


@pytest.mark.parametrize("who", ["qm", "gm", "mgmt"])
def test_every_number_of_the_new_panels_links_to_a_list_the_user_can_open_showing_that_many(world, login, areas, who):
    client = login(getattr(world, who))
    response = client.get("/")
    plan = _panel(response, "plan_progress")["ctx"]
    page = client.get(plan["overdue_url"])
    assert page.status_code == 200 and len(page.context["activities"]) == plan["overdue"]
    upcoming = _panel(response, "plan_upcoming")["ctx"]
    page = client.get(upcoming["list_url"])
    assert page.status_code == 200 and len(page.context["activities"]) == upcoming["count"]
    complaints = _panel(response, "complaints")["ctx"]
    for url, n in ((complaints["open_url"], complaints["open"]), (complaints["overdue_url"], complaints["overdue"])):
        page = client.get(url)
        assert page.status_code == 200 and page.context["page"].paginator.count == n
    actions = _panel(response, "review_actions")["ctx"]
    for url, n in ((actions["open_url"], actions["open"]), (actions["overdue_url"], actions["overdue"])):
        page = client.get(url)
        assert page.status_code == 200 and len(page.context["actions"]) == n
    docs = _panel(response, "documents_due")["ctx"]
    page = client.get(docs["due_url"])
    assert page.status_code == 200 and page.context["page"].paginator.count == docs["due"]
    quarterly = _panel(response, "quarterly_due")["ctx"]
    assert client.get(quarterly["url"]).status_code == 200
    assert all(client.get(r["url"]).status_code == 200 for r in quarterly["missing"])
    sat = _panel(response, "satisfaction")["ctx"]
    assert client.get(sat["results_url"]).status_code == 200 and all(client.get(r["url"]).status_code == 200 for r in sat["rows"])


def test_the_om_manager_sees_what_he_owes_overdue_first_and_nothing_of_project_b(world, login, areas):
    client = login(world.ops_a)
    response = client.get("/")
    body = response.content.decode()
    assert "乙项目月度巡检" not in body and "PB" not in body
    quarterly = _panel(response, "quarterly_due")["ctx"]
    assert quarterly["mode"] == "owe" and quarterly["count"] == 0  # PA's summary is submitted
    actions = _panel(response, "review_actions")["ctx"]
    assert [a.decision for a in actions["rows"]] == ["完善应急预案"] and actions["overdue"] == 1
    assert client.get(actions["overdue_url"]).context["actions"].count() == 1
    plan = _panel(response, "plan_progress")["ctx"]
    assert [a.title for a in plan["overdue_rows"]] == ["甲项目月度巡检"]
    assert len(client.get(plan["overdue_url"]).context["activities"]) == plan["overdue"] == 1
    upcoming = _panel(response, "plan_upcoming")["ctx"]  # his project's drill, not the quality manager's own activities
    assert [a.title for a in upcoming["rows"]] == ["甲项目应急演练"]
    assert len(client.get(upcoming["list_url"]).context["activities"]) == upcoming["count"]
    docs = _panel(response, "documents_due")["ctx"]
    assert docs["unread"] == 1 and docs["due"] == 0  # he owes the reading, the review is the owner's
    sat = _panel(response, "satisfaction")["ctx"]
    assert [r["project"].code for r in sat["rows"]] == ["PA"] and not sat["show_company"]
    complaints = _panel(response, "complaints")["ctx"]
    assert complaints["open"] == 1 and complaints["overdue"] == 0


def test_the_om_manager_of_project_b_sees_his_overdue_summary_first(world, login, areas):
    ctx = _panel(login(world.ops_b).get("/"), "quarterly_due")["ctx"]
    assert ctx["count"] == 1 and ctx["overdue"] == 1 and ctx["rows"][0]["s"].project == world.project_b


def test_a_specialist_sees_only_her_projects(world, login, areas):
    response = login(world.spec_a).get("/")
    body = response.content.decode()
    assert "乙项目月度巡检" not in body and "PB " not in body
    sat = _panel(response, "satisfaction")["ctx"]
    assert [r["project"].code for r in sat["rows"]] == ["PA"] and sat["company"] is None
    assert _panel(response, "complaints")["ctx"]["open"] == 1


def test_an_auditor_sees_audits_and_none_of_the_area_panels(world, login, areas):
    keys = _keys(login(world.auditor).get("/"))
    assert not (keys & NEW)


def test_an_outsider_sees_nothing_of_a_project(world, login, areas):
    response = login(world.outsider).get("/")
    keys = _keys(response)
    assert not keys & {"satisfaction", "quarterly_due"} or _panel(response, "quarterly_due")["ctx"]["count"] == 0
    body = response.content.decode()
    assert "甲项目" not in body and "乙项目" not in body and "PA " not in body and "PB " not in body
    if "complaints" in keys:
        assert _panel(response, "complaints")["ctx"]["open"] == 0
    plan = _panel(response, "plan_progress")["ctx"]  # he owns nothing and runs no project
    assert plan["overdue"] == 0 and plan["total"].planned == 0
    assert login(world.outsider).get(f"/cockpit/projects/{world.project_a.pk}/").status_code == 404


def test_the_project_page_shows_that_project_only(world, login, areas):
    response = login(world.qm).get(f"/cockpit/projects/{world.project_a.pk}/")
    keys = _keys(response)
    assert {"plan_progress", "plan_upcoming", "quarterly_due", "satisfaction", "complaints"} <= keys
    assert not keys & {"documents_due", "review_actions"}
    body = response.content.decode()
    assert "乙项目月度巡检" not in body
    sat = _panel(response, "satisfaction")["ctx"]
    assert [r["project"].code for r in sat["rows"]] == ["PA"] and sat["rows"][0]["score"] == 85.0
    plan = _panel(response, "plan_progress")["ctx"]
    assert plan["overdue"] == 1 and len(login(world.qm).get(plan["overdue_url"]).context["activities"]) == 1
    complaints = _panel(response, "complaints")["ctx"]
    assert complaints["open"] == 1 and login(world.qm).get(complaints["open_url"]).context["page"].paginator.count == 1
    assert login(world.spec_a).get(f"/cockpit/projects/{world.project_b.pk}/").status_code == 404


def test_the_kpi_panel_reads_kpi_results_and_matches_a_count_of_the_tickets(world, kpi_world):  # noqa: F811 (the imported kpi_world fixture)
    from opsqm.core.kpi import KpiCode, Period
    from opsqm.dashboards.panels.kpi_source import kpi_cells
    from opsqm.kpis.tests.conftest import TARGETS
    from opsqm.tickets.models import Ticket

    q1 = Period(2026, quarter=1)
    cells = kpi_cells(world.qm, [world.project_a.pk], [q1])[q1][world.project_a.pk]
    response = next(c for c in cells if c.code == KpiCode.RESPONSE_TIMELINESS)
    tickets = [t for t in Ticket.objects.filter(project=world.project_a) if t.priority in TARGETS]
    met = sum(1 for t in tickets if (t.first_response_at - t.created_at).total_seconds() <= TARGETS[t.priority][0])
    assert response.value == pytest.approx(met / len(tickets))
    assert response.display == f"{met / len(tickets) * 100:.1f}%"
    # Another user's projects are not read: spec_a asking for PB gets nothing.
    assert kpi_cells(world.spec_a, [world.project_b.pk], [q1])[q1] == {}


def _queries(user, today):
    scope = Scope(user=user, today=today)
    with CaptureQueriesContext(connection) as ctx:
        for p in all_panels():
            if p.key in NEW and (p.roles is None or scope.role in p.roles):
                p.build(scope)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["qm", "ops_a", "spec_a"])
def test_the_new_panels_run_the_same_number_of_queries_with_three_times_the_records(world, areas, who):
    user = getattr(world, who)
    before = _queries(user, areas["today"])
    _more(world, areas["today"], areas["plan"], 3)
    assert _queries(user, areas["today"]) == before


def test_the_whole_cockpit_stays_within_a_query_budget_per_role(world, login, areas, django_assert_max_num_queries):
    for who in ("qm", "gm", "spec_a", "ops_a", "auditor", "outsider"):
        client = login(getattr(world, who))
        with django_assert_max_num_queries(90):
            assert client.get("/").status_code == 200


def test_an_external_reviewer_sees_only_the_granted_project(world, login, areas):
    from conftest import make_user
    from opsqm.accounts.models import ExternalGrant
    from opsqm.accounts.roles import Role

    reviewer = make_user("reviewer", Role.EXTERNAL_REVIEWER)
    now = timezone.now()
    grant = ExternalGrant.objects.create(
        user=reviewer,
        purpose="认证评审",
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(days=1),
        granted_by=world.qm,
    )
    grant.projects.set([world.project_a])
    client = login(reviewer)
    home = client.get("/")
    assert _keys(home) == {"granted_scope"}
    page = client.get(f"/cockpit/projects/{world.project_a.pk}/")
    keys = _keys(page)
    assert "satisfaction" in keys and not keys & {"plan_progress", "plan_upcoming", "quarterly_due", "documents_due", "review_actions"}
    assert [r["project"].code for r in _panel(page, "satisfaction")["ctx"]["rows"]] == ["PA"]
    assert "乙项目" not in page.content.decode()
    assert client.get(f"/cockpit/projects/{world.project_b.pk}/").status_code == 404
