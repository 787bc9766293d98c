"""Records past retention are listed for disposal; disposal is recorded in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opsqm.archive import services
from opsqm.archive.models import Disposal, RecordClass
from opsqm.findings import services as findings
from opsqm.findings.models import Finding
from opsqm.records.models import AuditEvent
from opsqm.reviews.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new(world):
    old = findings.finding_create(
        actor=world.qm,
        title="三年前的问题",
        description="x",
        severity="observation",
        source="manual",
        project=world.project_a,
        now=at(dt.date(2022, 5, 1)),
    )
    new = findings.finding_create(
        actor=world.qm,
        title="今年的问题",
        description="x",
        severity="observation",
        source="manual",
        project=world.project_a,
        now=at(dt.date(2026, 5, 1)),
    )
    return old, new


def test_only_records_past_their_retention_are_listed(world, old_and_new):
    old, new = old_and_new
    due = {row["record_class"].code: row for row in services.records_due_for_disposal(today=dt.date(2026, 6, 1))}
    assert [r.pk for r in due["findings"]["records"]] == [old.pk]
    assert due["findings"]["cutoff"] == dt.date(2023, 6, 1)


def test_disposal_removes_the_record_and_lands_in_the_audit_trail(world, old_and_new):
    old, new = old_and_new
    rc = RecordClass.objects.get(code="findings")
    disposal = services.record_dispose(
        actor=world.qm, record_class=rc, object_id=old.pk, reason="超过保存期限，碎纸销毁", today=dt.date(2026, 6, 1)
    )
    assert not Finding.objects.filter(pk=old.pk).exists() and disposal.object_repr.endswith("三年前的问题")
    assert AuditEvent.objects.filter(model="archive.disposal", object_id=str(disposal.pk), action="create").exists()
    assert AuditEvent.objects.filter(model="findings.finding", object_id=str(old.pk), action="delete").exists()
    with pytest.raises(ValidationError):
        services.record_dispose(actor=world.qm, record_class=rc, object_id=new.pk, reason="x", today=dt.date(2026, 6, 1))
    with pytest.raises(PermissionDenied):
        services.record_dispose(actor=world.spec_a, record_class=rc, object_id=new.pk, reason="x")
    assert Disposal.objects.count() == 1


def test_the_retention_page_is_for_the_quality_manager_only(world, login, old_and_new):
    assert login(world.qm).get(reverse("archive:retention")).status_code == 200
    for user in (world.outsider, world.spec_a, world.mgmt):
        assert login(user).get(reverse("archive:retention")).status_code == 404
    rc = RecordClass.objects.get(code="findings")
    login(world.outsider).post(reverse("archive:dispose", args=[rc.pk, old_and_new[0].pk]), {"reason": "x"})
    assert Finding.objects.filter(pk=old_and_new[0].pk).exists()
