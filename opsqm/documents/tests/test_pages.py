"""Document pages: who sees and does what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import make_user
from opsqm.accounts.models import ExternalGrant
from opsqm.accounts.roles import Role
from opsqm.documents.models import ControlledDocument, VersionStatus
from opsqm.documents.tests.conftest import PDF, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(world):
    user = make_user("ext", Role.EXTERNAL_REVIEWER, "外审")
    from django.utils import timezone

    grant = ExternalGrant.objects.create(
        user=user,
        purpose="ITSS 评审",
        valid_from=timezone.now() - dt.timedelta(days=1),
        valid_until=timezone.now() + dt.timedelta(days=30),
        granted_by=world.qm,
    )
    grant.projects.set([world.project_a])
    return user


def test_the_quality_manager_registers_a_document_through_the_page(world, login):
    c = login(world.qm)
    response = c.post(
        reverse("documents:create"),
        {"code": "QM-01", "title": "运维服务管理手册", "doc_type": "manual", "owner": world.qm.pk, "distribution": [world.spec_a.pk]},
    )
    doc = ControlledDocument.objects.get(code="QM-01")
    assert response.status_code == 302 and doc.created_by == world.qm
    assert "请选择" in c.get(reverse("documents:create")).content.decode()


def test_staff_without_the_editor_role_cannot_register_or_edit_documents(world, login, procedure):
    c = login(world.outsider)
    assert c.get(reverse("documents:create")).status_code == 404
    assert c.get(reverse("documents:edit", args=[procedure.pk])).status_code == 404
    c.post(reverse("documents:version_create", args=[procedure.pk]), {"label": "X", "change_note": "x"})
    assert not procedure.versions.exists()


def test_a_member_publishes_and_a_reader_confirms_through_the_pages(world, login, procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = login(world.qm)
    c.post(
        reverse("documents:version_create", args=[procedure.pk]),
        {"label": "A/0", "change_note": "首次发布", "file": SimpleUploadedFile("p.pdf", PDF)},
    )
    v = procedure.versions.get()
    c.post(reverse("documents:version_step", args=[procedure.pk, v.pk, "submit"]))
    login(world.mgmt).post(reverse("documents:version_step", args=[procedure.pk, v.pk, "approve"]))
    login(world.qm).post(reverse("documents:version_step", args=[procedure.pk, v.pk, "effective"]), {"effective_date": "2026-03-01"})
    v.refresh_from_db()
    assert v.status == VersionStatus.EFFECTIVE
    c = login(world.spec_a)
    assert "确认已阅读" in c.get(reverse("documents:detail", args=[procedure.pk])).content.decode()
    c.post(reverse("documents:version_step", args=[procedure.pk, v.pk, "confirm"]))
    assert v.read_confirmations.filter(user=world.spec_a).exists()
    download = c.get(reverse("records:evidence_download", args=[v.file_id]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_an_external_reviewer_sees_no_document_page_and_cannot_download_a_document_file(world, login, procedure, reviewer):
    v = publish(world, procedure, "A/0")
    c = login(reviewer)
    for url in (
        reverse("documents:list"),
        reverse("documents:detail", args=[procedure.pk]),
        reverse("documents:feedback_list"),
        reverse("records:evidence_download", args=[v.file_id]),
    ):
        assert c.get(url).status_code == 404, url


def test_an_obsolete_version_is_shown_read_only_and_marked(world, login, procedure):
    publish(world, procedure, "A/0")
    publish(world, procedure, "A/1")
    html = login(world.qm).get(reverse("documents:detail", args=[procedure.pk])).content.decode()
    row = html.split('data-version="A/0"')[1].split("</tr>")[0]
    assert "已作废" in row and "只读保留" in row and "<form" not in row


def test_a_duplicate_code_is_a_clear_form_error_not_a_500(world, login, procedure):
    response = login(world.qm).post(
        reverse("documents:create"), {"code": "qp-07", "title": "重复", "doc_type": "procedure", "owner": world.qm.pk}
    )
    assert response.status_code == 200 and "已存在" in response.content.decode()
    assert ControlledDocument.objects.count() == 1
