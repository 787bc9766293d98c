from __future__ import annotations

import pytest
from django.urls import reverse

from opsqm.findings import services
from opsqm.findings.models import CorrectiveAction, Finding, ImprovementItem
from opsqm.findings.tests.conftest import TODAY


@pytest.fixture
def b_objects(world, make_finding):
    """A finding, an action and an improvement item of project B."""
    f = services.finding_analyze(actor=world.ops_b, finding=make_finding(project=world.project_b), cause="c")
    a = services.action_create(actor=world.ops_b, finding=f, description="B 措施", owner=world.ops_b, due_date=TODAY)
    i = services.improvement_create(
        actor=world.spec_b, title="B 改进", target="t", owner=world.ops_b, due_date=TODAY, project=world.project_b
    )
    return f, a, i


def _b_urls(f, a, i):
    return [
        reverse("findings:detail", args=[f.pk]),
        reverse("findings:edit", args=[f.pk]),
        reverse("findings:analyze", args=[f.pk]),
        reverse("findings:action_create", args=[f.pk]),
        reverse("findings:close", args=[f.pk]),
        reverse("findings:reopen", args=[f.pk]),
        reverse("findings:to_improvement", args=[f.pk]),
        reverse("findings:action_edit", args=[a.pk]),
        reverse("findings:action_implement", args=[a.pk]),
        reverse("findings:action_verify", args=[a.pk]),
        reverse("improvements:detail", args=[i.pk]),
        reverse("improvements:edit", args=[i.pk]),
    ]


def test_spec_a_gets_404_on_every_page_of_a_project_b_finding(world, login, b_objects):
    client = login(world.spec_a)
    for url in _b_urls(*b_objects):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"note": "x", "cause": "x", "version": 0}).status_code == 404, url


def test_spec_a_sees_no_project_b_rows_in_lists_exports_or_api(world, login, api_client, b_objects, make_finding):
    f, a, i = b_objects
    mine = make_finding()
    client = login(world.spec_a)
    body = client.get(reverse("findings:list")).content.decode()
    assert mine.code in body and f.code not in body
    assert f.code not in client.get(reverse("findings:list"), {"project": world.project_b.pk}).content.decode()
    assert i.code not in client.get(reverse("improvements:list")).content.decode()
    export = client.get(reverse("findings:export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    codes = [r[0] for r in load_workbook(BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)]
    assert codes == [mine.code]
    api = api_client(world.spec_a)
    assert [r["code"] for r in api.get("/api/v1/findings/").json()["results"]] == [mine.code]
    assert api.get(f"/api/v1/findings/{f.pk}/").status_code == 404


def test_an_outsider_sees_nothing(world, login, api_client, b_objects, make_finding):
    make_finding()
    client = login(world.outsider)
    body = client.get(reverse("findings:list")).content.decode()
    assert "NC-" not in body
    assert "B 改进" not in client.get(reverse("improvements:list")).content.decode()
    assert api_client(world.outsider).get("/api/v1/findings/").json()["count"] == 0
    assert client.get(reverse("findings:create")).status_code == 403
    for url in _b_urls(*b_objects):
        assert client.get(url).status_code == 404


def test_org_level_findings_are_visible_to_quality_staff_and_auditors_only(world, login):
    f = services.finding_create(actor=world.qm, title="制度文件未受控", description="d", severity="minor", source="manual")
    for user, visible in ((world.spec_a, True), (world.auditor, True), (world.gm, True), (world.ops_a, False), (world.outsider, False)):
        assert login(user).get(reverse("findings:detail", args=[f.pk])).status_code == (200 if visible else 404), user


def test_the_api_creates_a_finding_by_hand_and_refuses_foreign_projects(world, api_client):
    api = api_client(world.spec_a)
    r = api.post("/api/v1/findings/", {"title": "t", "description": "d", "severity": "minor", "project": world.project_a.pk}, format="json")
    assert r.status_code == 201 and r.json()["code"].startswith("NC-") and r.json()["owner"] == "ops_a"
    r = api.post("/api/v1/findings/", {"title": "t", "description": "d", "severity": "minor", "project": world.project_b.pk}, format="json")
    assert r.status_code == 400 and Finding.objects.filter(project=world.project_b).count() == 0
    r = api_client(world.outsider).post("/api/v1/findings/", {"title": "t", "description": "d", "severity": "minor"}, format="json")
    assert r.status_code == 403
    assert api_client().get("/api/v1/findings/").status_code in (401, 403)


def test_the_detail_page_offers_only_the_allowed_next_steps(world, login, implemented, make_finding):
    f = make_finding()
    page = login(world.ops_a).get(reverse("findings:detail", args=[f.pk])).content.decode()
    assert reverse("findings:analyze", args=[f.pk]) in page and reverse("findings:action_create", args=[f.pk]) not in page
    f2, a = implemented()
    ops_page = login(world.ops_a).get(reverse("findings:detail", args=[f2.pk])).content.decode()
    assert reverse("findings:action_verify", args=[a.pk]) not in ops_page  # the implementer cannot verify
    spec_page = login(world.spec_a).get(reverse("findings:detail", args=[f2.pk])).content.decode()
    assert reverse("findings:action_verify", args=[a.pk]) in spec_page


def test_the_pages_walk_the_process_and_refuse_a_skipped_step(world, login):
    client = login(world.spec_a)
    r = client.post(
        reverse("findings:create"),
        {
            "title": "巡检记录缺失",
            "severity": "minor",
            "source": "manual",
            "project": world.project_a.pk,
            "description": "十月巡检记录缺 3 天",
        },
    )
    f = Finding.objects.get(title="巡检记录缺失")
    assert r.status_code == 302
    r = client.post(
        reverse("findings:action_create", args=[f.pk]),
        {"description": "补录", "owner": world.ops_a.pk, "due_date": "2026-12-01", "version": f.version},
    )
    assert r.status_code == 200 and "请先完成原因分析" in r.content.decode()
    ops = login(world.ops_a)
    ops.post(reverse("findings:analyze", args=[f.pk]), {"cause": "交接班遗漏", "version": f.version})
    f.refresh_from_db()
    ops.post(
        reverse("findings:action_create", args=[f.pk]),
        {"description": "补录并修订交接班表", "owner": world.ops_a.pk, "due_date": "2026-12-01", "version": f.version},
    )
    a = f.actions.get()
    ops.post(reverse("findings:action_implement", args=[a.pk]), {"note": "已修订", "evidence_ref": "QR-2026-11", "version": a.version})
    a.refresh_from_db()
    r = ops.post(reverse("findings:action_verify", args=[a.pk]), {"effective": "1", "version": a.version})
    assert r.status_code == 403
    spec = login(world.spec_a)
    spec.post(reverse("findings:action_verify", args=[a.pk]), {"effective": "1", "note": "已核对", "version": a.version})
    f.refresh_from_db()
    assert f.status == Finding.Status.CLOSED


def test_two_editors_of_a_finding_get_a_conflict_not_a_lost_update(world, login, make_finding):
    f = make_finding()
    url = reverse("findings:edit", args=[f.pk])
    first, second = login(world.spec_a), None
    form_version = f.version  # both editors loaded the form at this version
    data = {"title": "甲的修改", "severity": "minor", "description": "d", "owner": world.ops_a.pk, "version": form_version}
    assert first.post(url, data).status_code == 302
    second = login(world.qm)
    r = second.post(url, {**data, "title": "乙的修改"})
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    assert Finding.objects.get(pk=f.pk).title == "甲的修改"


def test_two_editors_of_an_action_get_a_conflict_not_a_lost_update(world, login, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="c")
    a = services.action_create(actor=world.ops_a, finding=f, description="原措施", owner=world.ops_a, due_date=TODAY)
    url = reverse("findings:action_edit", args=[a.pk])
    loaded = {"owner": world.ops_a.pk, "due_date": "2026-12-01", "version": a.version}
    assert login(world.ops_a).post(url, {**loaded, "description": "运维经理的修改"}).status_code == 302
    r = login(world.spec_a).post(url, {**loaded, "description": "专员的修改"})
    assert "已被他人修改" in r.content.decode()
    assert CorrectiveAction.objects.get(pk=a.pk).description == "运维经理的修改"


def test_the_stale_verify_form_is_refused(world, login, implemented):
    _, a = implemented()
    stale = a.version
    # Two verifiers opened the form at the same version; the first one's verdict stands.
    login(world.qm).post(reverse("findings:action_verify", args=[a.pk]), {"effective": "0", "note": "无效", "version": stale})
    r = login(world.spec_a).post(reverse("findings:action_verify", args=[a.pk]), {"effective": "1", "note": "有效", "version": stale})
    assert "已被他人修改" in r.content.decode()
    assert CorrectiveAction.objects.get(pk=a.pk).status == CorrectiveAction.Status.VERIFIED_INEFFECTIVE


def test_improvement_register_tracks_progress_from_a_finding(world, login, make_finding):
    f = make_finding()
    client = login(world.spec_a)
    r = client.post(
        reverse("findings:to_improvement", args=[f.pk]), {"target": "备份成功率 ≥ 99.9%", "owner": world.ops_a.pk, "due_date": "2026-12-31"}
    )
    item = ImprovementItem.objects.get(finding=f)
    assert r.status_code == 302 and item.project == world.project_a
    ops = login(world.ops_a)
    ops.post(
        reverse("improvements:detail", args=[item.pk]),
        {"date": "2026-11-23", "progress": 40, "note": "完成告警配置", "version": item.version},
    )
    item.refresh_from_db()
    assert item.progress == 40 and item.status == ImprovementItem.Status.IN_PROGRESS and item.updates.count() == 1
    r = ops.post(
        reverse("improvements:detail", args=[item.pk]), {"date": "2026-11-23", "progress": 140, "note": "x", "version": item.version}
    )
    assert r.status_code == 200 and ImprovementItem.objects.get(pk=item.pk).progress == 40
    page = client.get(reverse("improvements:list")).content.decode()
    assert item.code in page and "width: 40%" in page


def test_list_pages_use_a_fixed_number_of_queries(world, login, make_finding, django_assert_max_num_queries):
    for i in range(12):
        f = make_finding(title=f"问题{i}")
        services.improvement_create(
            actor=world.spec_a, title=f"改进{i}", target="t", owner=world.ops_a, due_date=TODAY, project=world.project_a, finding=f
        )
    client = login(world.spec_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("findings:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("improvements:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("findings:list"), {"overdue": "1", "severity": "minor"}).status_code == 200


def test_the_dashboard_shows_open_major_findings_to_gm_office_only(world, login, make_finding):
    f = make_finding(severity=Finding.Severity.MAJOR, title="数据中心断电事故未上报")
    page = login(world.gm).get(reverse("dashboards:home")).content.decode()
    assert "重大问题（已上报总经办）" in page and f.code in page
    assert "重大问题（已上报总经办）" not in login(world.spec_a).get(reverse("dashboards:home")).content.decode()


def test_implementation_evidence_is_uploaded_checked_and_downloadable_only_within_the_project(world, login, make_finding):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opsqm.records.models import EvidenceFile

    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="c")
    a = services.action_create(actor=world.ops_a, finding=f, description="x", owner=world.ops_a, due_date=TODAY)
    ops = login(world.ops_a)
    url = reverse("findings:action_implement", args=[a.pk])
    fake = SimpleUploadedFile("整改记录.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = ops.post(url, {"note": "已整改", "evidence_file": fake, "version": a.version})
    assert r.status_code == 200 and CorrectiveAction.objects.get(pk=a.pk).status == CorrectiveAction.Status.PLANNED
    pdf = SimpleUploadedFile("整改记录.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")
    assert ops.post(url, {"note": "已整改", "evidence_file": pdf, "version": a.version}).status_code == 302
    ev = EvidenceFile.objects.get(owner_type="findings.correctiveaction", owner_id=str(a.pk))
    download = reverse("records:evidence_download", args=[ev.pk])
    assert download in login(world.spec_a).get(reverse("findings:detail", args=[f.pk])).content.decode()
    r = login(world.spec_a).get(download)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert login(world.spec_b).get(download).status_code == 404
    assert login(world.outsider).get(download).status_code == 404
