"""The findings API cannot link a finding to a source (`source_type`/`source_id`/`source_url` are
server-set): a specialist cannot occupy an audit item of an audit she cannot see, nor block a
KPI-miss finding. Every API serializer keeps server-set fields read-only."""

from __future__ import annotations

import pytest

from opsqm.audits import services
from opsqm.audits.models import AuditItemResult
from opsqm.audits.tests.helpers import run_to
from opsqm.findings.models import Finding
from opsqm.notifications.models import Notification


def _post(client, **extra):
    body = {"title": "接口登记", "description": "通过接口登记的问题", "severity": "minor", "project": extra.pop("project")}
    body.update(extra)
    return client.post("/api/v1/findings/", body, format="json")


def test_a_specialist_cannot_link_a_finding_to_an_item_of_an_audit_she_cannot_see(world, api_client, plan):
    audit = run_to(world, plan(projects=[world.project_b]), "onsite")  # project B only: spec_a cannot see it
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).order_by("position").first()
    response = _post(
        api_client(world.spec_a),
        project=world.project_a.pk,
        source_type="audits.audititemresult",
        source_id=str(item.pk),
        source_url="/audits/x/",
        source="audit",
        status="closed",
        code="NC-2026-9999",
        version=7,
        raised_at="2020-01-01T00:00:00Z",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["source_type"] == "" and data["source_id"] == "" and data["source_url"] == ""
    assert data["status"] == "open" and data["code"] != "NC-2026-9999" and data["version"] == 0
    assert not Finding.objects.filter(source_type="audits.audititemresult", source_id=str(item.pk)).exists()
    # The audit's major nonconformity still raises its finding and reaches 总经办.
    services.audit_item_assess(actor=world.auditor, item=item, result="major_nc", notes="核心机房无备份", expected_version=item.version)
    run_to(world, audit, "concluded")
    raised = Finding.objects.get(source_type="audits.audititemresult", source_id=str(item.pk))
    assert raised.severity == Finding.Severity.MAJOR and raised.project_id == world.project_b.pk
    assert Notification.objects.filter(user=world.gm, kind="finding_major").exists()


def test_a_kpi_miss_finding_cannot_be_blocked_through_the_api(world, api_client):
    from opsqm.core.kpi import KpiCode, Period
    from opsqm.kpis.services import KPI_MISS_SOURCE_TYPE, kpi_raise_finding, kpi_source_id

    code = list(KpiCode)[0]
    period = Period(2026, month=3)
    _post(
        api_client(world.spec_a),
        project=world.project_a.pk,
        source_type=KPI_MISS_SOURCE_TYPE,
        source_id=kpi_source_id(world.project_a, code, period),
    )
    finding, created = kpi_raise_finding(
        actor=world.qm,
        project=world.project_a,
        code=code,
        period=period,
        value_text="80%",
        target_text="95%",
        detail="未达标",
        source_url="/kpis/",
    )
    assert created and finding.source_type == KPI_MISS_SOURCE_TYPE and finding.title != "接口登记"


def test_a_finding_of_a_foreign_project_cannot_be_registered_through_the_api(world, api_client):
    response = _post(api_client(world.spec_a), project=world.project_b.pk)
    assert response.status_code == 400 and not Finding.objects.filter(project=world.project_b).exists()


SERVER_SET = {
    "id",
    "code",
    "project",
    "checklist",
    "username",
    "name",
    "owner",
    "department",
    "status",
    "stage",
    "source_type",
    "source_id",
    "source_url",
    "raised_by",
    "raised_at",
    "created_at",
    "updated_at",
    "created_by",
    "closed_at",
    "version",
    "assessed_at",
    "assessed_by",
    "implemented_at",
    "verified_at",
    "escalated_to_gm_at",
    "escalation_level",
    "conformance_rate",
    "checksum",
    "number",
    "finished_at",
    "uploaded_by",
}
# Master data whose code and status people set themselves (the quality manager keeps them).
USER_SET = {
    ("ProjectSerializer", "code"),
    ("ProjectSerializer", "status"),
    ("CustomerSerializer", "code"),
    ("CustomerSerializer", "name"),
    ("ProjectSerializer", "name"),
    ("ProjectSerializer", "department"),
    # A finding registered by hand names its project (checked against the visible ones), owner and department.
    ("FindingSerializer", "project"),
    ("FindingSerializer", "owner"),
    ("FindingSerializer", "department"),
    ("UserRefSerializer", "username"),
}


def _serializers():
    from rest_framework import serializers as s

    from opsqm.api.urls import router

    seen = {}
    for _prefix, viewset, _basename in router.registry:
        cls = getattr(viewset, "serializer_class", None)
        if cls is not None:
            seen[cls.__name__] = cls
    # Also every serializer class defined in the API modules (detail serializers chosen at runtime).
    import importlib

    for module in ("opsqm.api.serializers", "opsqm.findings.api", "opsqm.audits.api", "opsqm.checklists.api", "opsqm.tickets.api"):
        mod = importlib.import_module(module)
        for value in vars(mod).values():
            if isinstance(value, type) and issubclass(value, s.ModelSerializer) and value.__module__ == mod.__name__:
                seen[value.__name__] = value
    return seen


@pytest.mark.django_db
def test_every_api_serializer_keeps_server_set_fields_read_only():
    offenders = []
    for name, cls in _serializers().items():
        for field_name, field in cls().fields.items():
            if field_name in SERVER_SET and (name, field_name) not in USER_SET and not field.read_only:
                offenders.append(f"{name}.{field_name}")
    assert offenders == []
