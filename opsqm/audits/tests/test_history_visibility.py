"""The project history tab shows only events of records the viewer may see: the notes and evidence
of an audit the viewer may not open (it also covers a foreign project) are not in it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.accounts.access import scope_history
from opsqm.audits import services
from opsqm.audits.models import AuditItemResult
from opsqm.audits.selectors import visible_audits
from opsqm.audits.tests.helpers import pdf_bytes, run_to
from opsqm.records.models import AuditEvent

SECRET_NOTE = "机密审核记录-乙方数据中心门禁失效"


@pytest.fixture
def shared_audit(world, plan, people_version):
    """An audit of projects A and B, with a checklist on each; notes and evidence on A's items."""
    audit = plan(
        projects=[world.project_a, world.project_b], checklists=[(people_version, world.project_a), (people_version, world.project_b)]
    )
    audit = run_to(world, audit, "onsite")
    item = AuditItemResult.objects.filter(audit=audit, project=world.project_a, assessable=True).order_by("position").first()
    services.audit_item_assess(actor=world.auditor, item=item, result="minor_nc", notes=SECRET_NOTE, expected_version=item.version)
    services.audit_item_add_evidence(
        actor=world.auditor, item=item, uploaded_file=SimpleUploadedFile("门禁照片-机密.pdf", pdf_bytes(), content_type="application/pdf")
    )
    return audit


def _history_page(client, project) -> str:
    return client.get(f"/org/projects/{project.pk}/?tab=history").content.decode()


def test_a_specialist_of_project_a_cannot_open_the_audit_and_sees_none_of_its_history(world, login, shared_audit):
    assert not visible_audits(world.spec_a).filter(pk=shared_audit.pk).exists()
    body = _history_page(login(world.spec_a), world.project_a)
    assert SECRET_NOTE not in body and "门禁照片-机密" not in body
    assert login(world.spec_a).get(f"/audits/{shared_audit.pk}/").status_code == 404


def test_the_quality_manager_and_the_audit_team_see_those_events(world, login, shared_audit):
    for user in (world.qm, world.auditor):
        body = _history_page(login(user), world.project_a)
        assert SECRET_NOTE in body or "门禁照片-机密" in body


def test_the_rule_lives_in_the_access_module_and_keeps_other_project_events(world, shared_audit):
    all_a = AuditEvent.objects.filter(project_id=world.project_a.pk)
    mine = scope_history(all_a, world.spec_a)
    hidden = set(all_a.values_list("model", flat=True)) - set(mine.values_list("model", flat=True))
    assert {"audits.audititemresult", "records.evidencefile"} <= hidden
    # Second computation: every event spec_a still sees is of a record outside the audit.
    audit_item_ids = {str(pk) for pk in AuditItemResult.objects.filter(audit=shared_audit).values_list("pk", flat=True)}
    assert not mine.filter(model="audits.audititemresult", object_id__in=audit_item_ids).exists()
    assert scope_history(all_a, world.qm).count() == all_a.count()
    assert not scope_history(all_a, world.outsider).exists()
    assert not scope_history(AuditEvent.objects.filter(project_id=world.project_b.pk), world.spec_a).exists()


def test_an_audit_of_project_a_alone_stays_in_project_as_history_for_its_people(world, login, plan, people_version):
    audit = plan(projects=[world.project_a], checklists=[(people_version, world.project_a)])
    audit = run_to(world, audit, "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).order_by("position").first()
    services.audit_item_assess(actor=world.auditor, item=item, result="minor_nc", notes="甲方自己的审核记录", expected_version=item.version)
    assert "甲方自己的审核记录" in _history_page(login(world.spec_a), world.project_a)
    assert login(world.outsider).get(f"/org/projects/{world.project_a.pk}/?tab=history").status_code == 404
