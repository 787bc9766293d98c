from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.tickets.models import ColumnMappingProfile, Ticket, TicketImport
from opsqm.tickets.tests.helpers import CANONICAL_CSV, run_import


@pytest.fixture
def imported(sla_world, django_capture_on_commit_callbacks):
    run_import(django_capture_on_commit_callbacks, sla_world.spec_a, sla_world.project_a, "t.csv", CANONICAL_CSV.encode())
    bad = run_import(
        django_capture_on_commit_callbacks,
        sla_world.spec_a,
        sla_world.project_a,
        "bad.csv",
        (CANONICAL_CSV + "T9,P1,not a time,,,,,,\n").encode(),
    )
    return sla_world, bad


def _project_pages(project, ticket, record):
    return [
        f"/tickets/projects/{project.pk}/tickets/",
        f"/tickets/projects/{project.pk}/tickets/{ticket.pk}/",
        f"/tickets/projects/{project.pk}/sla/",
        f"/tickets/projects/{project.pk}/imports/",
        f"/tickets/projects/{project.pk}/imports/new/",
        f"/tickets/projects/{project.pk}/imports/{record.pk}/",
        f"/tickets/projects/{project.pk}/imports/{record.pk}/report/",
    ]


def test_project_pages_render_for_members(imported, login):
    w, record = imported
    ticket = Ticket.objects.get(number="T1")
    client = login(w.spec_a)
    for url in _project_pages(w.project_a, ticket, record) + ["/tickets/", "/tickets/calendars/"]:
        assert client.get(url).status_code == 200, url


def test_project_pages_are_404_for_outsiders_and_the_wrong_project(imported, login):
    w, record = imported
    ticket = Ticket.objects.get(number="T1")
    for user in (w.outsider, w.spec_b):
        client = login(user)
        for url in _project_pages(w.project_a, ticket, record):
            assert client.get(url).status_code == 404, (user, url)
    # spec_b's own project id with project A's ticket/import ids: still 404
    client = login(w.spec_b)
    assert client.get(f"/tickets/projects/{w.project_b.pk}/tickets/{ticket.pk}/").status_code == 404
    assert client.get(f"/tickets/projects/{w.project_b.pk}/imports/{record.pk}/report/").status_code == 404
    # The project name, not its 2-letter code, which a random CSRF token may contain.
    assert w.project_a.name not in login(w.outsider).get("/tickets/").content.decode()


def test_read_only_roles_cannot_open_the_import_page(imported, login):
    w, _record = imported
    assert login(w.gm).get(f"/tickets/projects/{w.project_a.pk}/imports/new/").status_code == 403
    assert login(w.gm).get(f"/tickets/projects/{w.project_a.pk}/tickets/").status_code == 200


def test_ticket_list_filters_and_query_count(imported, login, django_assert_max_num_queries):
    w, _record = imported
    client = login(w.spec_a)
    with django_assert_max_num_queries(12):
        html = client.get(f"/tickets/projects/{w.project_a.pk}/tickets/").content.decode()
    assert "T1" in html and "0:20" in html and "2:30" in html
    march = client.get(f"/tickets/projects/{w.project_a.pk}/tickets/?period=2026-03").content.decode()
    assert "T1" in march and ">T3<" not in march
    breached = client.get(f"/tickets/projects/{w.project_a.pk}/tickets/?sla=breached").content.decode()
    assert ">T3<" in breached and ">T1<" not in breached


def test_ticket_detail_explains_the_numbers(imported, login):
    w, _record = imported
    ticket = Ticket.objects.get(number="T1")
    html = login(w.spec_a).get(f"/tickets/projects/{w.project_a.pk}/tickets/{ticket.pk}/").content.decode()
    assert "09:00:00 – 09:20:00" in html  # response segment
    assert "09:00:00 – 12:00:00" in html and "13:30:00 – 14:00:00" in html  # resolution segments
    assert "12600 − 3600 = 9000" in html
    t3 = Ticket.objects.get(number="T3")
    html = login(w.spec_a).get(f"/tickets/projects/{w.project_a.pk}/tickets/{t3.pk}/").content.decode()
    assert "2026-02-14" in html and "17:00:00 – 18:00:00" in html


def test_error_report_download_lists_row_column_reason(imported, login):
    w, record = imported
    response = login(w.spec_a).get(f"/tickets/projects/{w.project_a.pk}/imports/{record.pk}/report/")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "attachment" in response["Content-Disposition"]
    assert re.search(r"^5,created_at,not a time,", body, re.M)


def test_two_step_import_with_custom_mapping_and_saved_profile(sla_world, login, django_capture_on_commit_callbacks):
    w = sla_world
    client = login(w.spec_a)
    content = "编号,级别,开单,答复,完成\nC1,P1,2026-03-02 09:00:00,2026-03-02 09:20:00,2026-03-02 14:00:00\n".encode("gbk")
    step1 = client.post(
        f"/tickets/projects/{w.project_a.pk}/imports/new/",
        {"file": SimpleUploadedFile("custom.csv", content), "preset": "canonical", "profile": ""},
    )
    assert step1.status_code == 302
    step2_url = step1["Location"]
    page = client.get(step2_url).content.decode()
    assert "编号" in page and "开单" in page
    missing = client.post(step2_url, {"preset": "canonical", "col_ticket_no": "编号"})
    assert "请为必填字段选择列" in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            step2_url,
            {
                "preset": "canonical",
                "col_ticket_no": "编号",
                "col_priority": "级别",
                "col_created_at": "开单",
                "col_first_response_at": "答复",
                "col_resolved_at": "完成",
                "save_as": "客户导出",
            },
        )
    assert started.status_code == 302 and "/jobs/" in started["Location"]
    assert Ticket.objects.get(number="C1").response_seconds == 1200
    profile = ColumnMappingProfile.objects.get(project=w.project_a, name="客户导出")
    assert profile.mapping["columns"]["ticket_no"] == "编号"
    assert TicketImport.objects.get().status == "succeeded"
    job_page = client.get(started["Location"]).content.decode()
    assert "查看工单" in job_page and "新增 1，更新 0，未变化 0。" in job_page


def test_sla_agreement_page_saves_targets(sla_world, login, django_capture_on_commit_callbacks):
    w = sla_world
    client = login(w.ops_a)
    form = client.get(f"/tickets/projects/{w.project_a.pk}/sla/?edit=1")
    assert "工作时间" in form.content.decode()
    from opsqm.tickets.models import Calendar

    data = {
        "calendar": Calendar.objects.get(code="7x24").pk,
        "pause_statuses": "挂起，等待客户",
        "version": w.project_a.sla.version,
        "p0_code": "P1",
        "p0_name": "紧急",
        "p0_response": "15m",
        "p0_resolution": "2h",
        "p1_code": "P2",
        "p1_name": "高",
        "p1_response": "1h30m",
        "p1_resolution": "8h",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/tickets/projects/{w.project_a.pk}/sla/", data)
    assert response.status_code == 302
    sla = w.project_a.sla.__class__.objects.get(project=w.project_a)
    assert sla.pause_statuses == ["挂起", "等待客户"]
    assert list(sla.priorities.values_list("code", "response_seconds", "resolution_seconds")) == [("P1", 900, 7200), ("P2", 5400, 28800)]
    bad = client.post(f"/tickets/projects/{w.project_a.pk}/sla/", {**data, "version": sla.version, "p0_response": "1d"})
    assert "不支持单位 d" in bad.content.decode()
    assert login(w.gm).post(f"/tickets/projects/{w.project_a.pk}/sla/", data).status_code == 200
    assert sla.__class__.objects.get(pk=sla.pk).version == sla.version  # gm only sees the read-only page
