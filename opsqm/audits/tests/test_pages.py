"""Pages: lists, the stage stepper, the plan form with independence errors, htmx row saves, query counts."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsqm.audits.models import AuditItemResult, AuditProgram, AuditStage
from opsqm.audits.tests.helpers import pdf_bytes, png_bytes, run_to


def test_the_audit_list_shows_visible_audits_with_bounded_queries(world, plan, login, django_assert_max_num_queries):
    for n in range(3):
        plan(title=f"审核 {n}")
    client = login(world.qm)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("audits:audit_list"))
    assert response.status_code == 200 and response.content.decode().count("IA-2026-0") >= 3


def test_the_results_page_has_bounded_queries(world, plan, login, django_assert_max_num_queries, people_version, process_version):
    audit = run_to(world, plan(checklists=[(people_version, None), (process_version, None)]), "onsite")
    client = login(world.auditor)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("audits:audit_results", args=[audit.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and body.count('result-form"') == 6 and "0 / 6" in body
    assert "符合率 = (符合 + 观察项) ÷ (符合 + 观察项 + 严重不符合 + 一般不符合)" in body


def test_a_row_saves_through_htmx_and_a_stale_row_says_so(world, plan, login):
    audit = run_to(world, plan(), "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    url = reverse("audits:audit_item_save", args=[audit.pk, item.pk])
    client = login(world.auditor)
    response = client.post(url, {"result": "minor_nc", "notes": "缺少记录", "version": item.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已保存" in response.content.decode() and response["HX-Trigger"] == "audit-progress"
    response = client.post(url, {"result": "conform", "notes": "", "version": item.version})
    assert "请刷新后重新录入" in response.content.decode()
    item.refresh_from_db()
    assert (item.result, item.assessed_by) == ("minor_nc", world.auditor)


def test_evidence_uploads_through_the_row_and_a_lie_is_shown(world, plan, login):
    audit = run_to(world, plan(), "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    url = reverse("audits:audit_item_upload", args=[audit.pk, item.pk])
    client = login(world.auditor)
    ok = client.post(url, {"file": SimpleUploadedFile("照片.png", png_bytes())}).content.decode()
    assert "照片.png" in ok and "SHA-256" in ok
    lie = client.post(url, {"file": SimpleUploadedFile("制度.pdf", png_bytes())}).content.decode()
    assert "文件内容与扩展名不符（声称 .pdf，实际为 PNG 图片）" in lie
    assert "制度.pdf" in client.post(url, {"file": SimpleUploadedFile("制度.pdf", pdf_bytes())}).content.decode()


def test_the_detail_page_shows_the_stepper_with_who_and_when(world, plan, login):
    audit = run_to(world, plan(), "onsite")
    body = login(world.ops_b).get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    for label in ("审核策划", "首次会议", "现场审核", "审核结论", "末次会议", "审核报告", "跟踪整改", "已关闭"):
        assert label in body
    assert "周内审 ·" in body and "王质量 ·" in body
    assert 'name="conclude"' not in body  # only the lead sees the action


def test_the_plan_form_shows_independence_errors_next_to_the_field(world, program, people_version, login):
    client = login(world.qm)
    data = {
        "kind": "internal",
        "mode": "routine",
        "program": program.pk,
        "title": "内审",
        "criteria": "GB/T 28827.1",
        "planned_start": "2026-06-01",
        "planned_end": "2026-06-02",
        "projects": [world.project_a.pk],
        "checklists": [people_version.pk],
        "lead": world.spec_a.pk,
    }
    body = client.post(reverse("audits:audit_create"), data).content.decode()
    assert "李专员是被审核项目 PA 的成员，不能审核本人所在项目。" in body
    data["lead"] = world.auditor.pk
    response = client.post(reverse("audits:audit_create"), data)
    assert response.status_code == 302


def test_a_stage_skip_through_the_page_shows_the_chinese_error(world, plan, login):
    audit = run_to(world, plan(), "opening")
    client = login(world.auditor)
    response = client.post(reverse("audits:audit_conclude", args=[audit.pk]), {"rating": "effective", "conclusion": "x"}, follow=True)
    assert "请先完成“现场审核”" in response.content.decode()
    audit.refresh_from_db()
    assert audit.stage == AuditStage.OPENING


def test_the_program_is_drafted_submitted_and_approved_through_the_pages(world, login):
    qm = login(world.qm)
    response = qm.post(reverse("audits:program_create"), {"year": 2030, "title": "2030 方案", "objectives": "年中、年末"})
    program = AuditProgram.objects.get(year=2030)
    assert response.status_code == 302
    qm.post(reverse("audits:program_submit", args=[program.pk]))
    gm = login(world.gm)
    gm.post(reverse("audits:program_decide", args=[program.pk]), {"decision": "approve", "note": "同意"})
    program.refresh_from_db()
    assert (program.status, program.approved_by) == ("approved", world.gm)


def test_my_work_lists_the_steps_waiting_for_me(world, plan):
    from opsqm.audits.mywork import items_for

    audit = run_to(world, plan(), "onsite")
    items = items_for(world.auditor, dt.date(2026, 6, 10))
    assert [(i.kind, i.note) for i in items] == [("待录入检查结果", "4 条未评估")]
    p = AuditProgram.objects.create(year=2031, title="2031", drafted_by=world.qm, status="submitted")
    assert [i.title for i in items_for(world.gm, dt.date(2026, 6, 10))] == [p.title]
    assert items_for(world.outsider, dt.date(2026, 6, 10)) == []
    assert audit.code in items[0].title


def test_the_api_list_has_bounded_queries(world, plan, api_client, django_assert_max_num_queries):
    for n in range(3):
        plan(title=f"审核 {n}")
    client = api_client(world.qm)
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/audits/").json()
    assert data["count"] == 3


def test_the_detail_and_conformance_pages_have_bounded_queries(world, plan, login, django_assert_max_num_queries):
    from opsqm.audits.tests.helpers import assess

    for n in range(3):
        audit = run_to(world, plan(title=f"审核 {n}"), "onsite")
        assess(world, audit, {"1.1": "conform", "1.2": "minor_nc"})
    client = login(world.qm)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("audits:audit_detail", args=[audit.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        body = client.get(reverse("audits:conformance") + "?year=2026").content.decode()
    assert body.count("50.0%") == 4  # three audits and project B, each 1 conform of 2 counted
