"""Controlled document versions: the life cycle, obsolete is final, read confirmations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from opsqm.documents import services
from opsqm.documents.models import DocumentVersion, ReadConfirmation, VersionStatus
from opsqm.documents.mywork import items_for
from opsqm.documents.tests.conftest import pdf, publish
from opsqm.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_publishing_a_new_version_obsoletes_the_previous_one_and_asks_the_distribution_list_to_read(world, procedure):
    first = publish(world, procedure, "A/0")
    second = publish(world, procedure, "A/1", day=dt.date(2026, 6, 1))
    first.refresh_from_db()
    assert first.status == VersionStatus.OBSOLETE and first.obsoleted_at is not None
    assert second.status == VersionStatus.EFFECTIVE and second.approver == world.mgmt
    assert procedure.effective_version == second
    procedure.refresh_from_db()
    assert procedure.next_review_date == dt.date(2027, 6, 1)
    assert Notification.objects.filter(user=world.spec_a, kind="document_read").count() == 2


def test_an_obsolete_version_cannot_be_made_effective_again_by_the_service(world, procedure):
    first = publish(world, procedure, "A/0")
    publish(world, procedure, "A/1")
    first.refresh_from_db()
    for step in (
        lambda: services.version_make_effective(actor=world.qm, version=first, effective_date=dt.date(2026, 7, 1)),
        lambda: services.version_submit(actor=world.qm, version=first),
        lambda: services.version_approve(actor=world.mgmt, version=first),
    ):
        with pytest.raises(ValidationError):
            step()
    first.refresh_from_db()
    assert first.status == VersionStatus.OBSOLETE


def test_an_obsolete_version_cannot_be_made_effective_again_in_the_database(world, procedure):
    first = publish(world, procedure, "A/0")
    services.version_withdraw(actor=world.mgmt, version=first, reason="文件废止")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.filter(pk=first.pk).update(status=VersionStatus.EFFECTIVE)
    first.refresh_from_db()
    first.status = VersionStatus.EFFECTIVE
    with pytest.raises(ValidationError):
        first.full_clean()


def test_only_one_version_of_a_document_is_effective(world, procedure):
    publish(world, procedure, "A/0")
    draft = services.version_create(actor=world.qm, document=procedure, label="A/1", change_note="x", uploaded_file=pdf())
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.filter(pk=draft.pk).update(
            status=VersionStatus.EFFECTIVE, effective_date=dt.date(2026, 1, 1), approver=world.mgmt, approved_at=draft.created_at
        )


def test_the_author_cannot_approve_their_own_version_and_steps_cannot_be_skipped(world, procedure):
    v = services.version_create(actor=world.qm, document=procedure, label="A/0", change_note="x")
    with pytest.raises(ValidationError):
        services.version_submit(actor=world.qm, version=v)  # no file yet
    services.version_attach_file(actor=world.qm, version=v, uploaded_file=pdf())
    with pytest.raises(ValidationError):
        services.version_make_effective(actor=world.qm, version=v, effective_date=dt.date(2026, 1, 1))
    services.version_submit(actor=world.qm, version=v)
    with pytest.raises(PermissionDenied):
        services.version_approve(actor=world.qm, version=v)
    with pytest.raises(PermissionDenied):
        services.version_approve(actor=world.spec_a, version=v)


def test_a_disguised_executable_is_refused_by_the_upload_gate(world, procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.version_create(
            actor=world.qm,
            document=procedure,
            label="A/0",
            change_note="x",
            uploaded_file=SimpleUploadedFile("manual.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        )
    assert not DocumentVersion.objects.exists()


def test_a_distribution_member_confirms_reading_once_and_the_todo_disappears(world, procedure):
    v = publish(world, procedure, "A/0")
    today = dt.date(2026, 3, 2)
    assert [i.kind for i in items_for(world.spec_a, today)].count("确认阅读") == 1
    services.read_confirm(actor=world.spec_a, version=v)
    services.read_confirm(actor=world.spec_a, version=v)
    assert ReadConfirmation.objects.filter(version=v, user=world.spec_a).count() == 1
    assert "确认阅读" not in [i.kind for i in items_for(world.spec_a, today)]
    with pytest.raises(PermissionDenied):
        services.read_confirm(actor=world.spec_b, version=v)  # not on the distribution list


def test_the_owner_is_reminded_once_before_the_next_review_date(world, procedure):
    publish(world, procedure, "A/0", day=dt.date(2025, 3, 1))  # next review 2026-03-01
    assert services.documents_remind_review(today=dt.date(2026, 1, 15)) == []  # 45 days ahead: not yet
    assert len(services.documents_remind_review(today=dt.date(2026, 2, 10))) == 1
    assert services.documents_remind_review(today=dt.date(2026, 2, 11)) == []
    assert Notification.objects.filter(user=world.qm, kind="document_review_due").count() == 1
    assert "文件到期评审" in [i.kind for i in items_for(world.qm, dt.date(2026, 2, 11))]
