"""The pages that take uploads answer a Chinese refusal (never a 500) for hostile files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from opsqm.audits.models import ReportTemplate
from opsqm.records.tests.test_upload_gate import xlsx_with_huge_header

pytestmark = pytest.mark.django_db


def _docx(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _post_template(client, content: bytes, name: str = "模板.docx"):
    return client.post(reverse("audits:report_template"), {"file": SimpleUploadedFile(name, content), "note": ""})


def test_the_issue_payload_is_refused_on_the_template_page_naming_the_tag(world, login):
    response = _post_template(login(world.qm), _docx("{{ cycler.__init__.__globals__.os.popen('id').read() }}"))
    page = response.content.decode()
    assert response.status_code == 200 and "不被允许" in page and "cycler" in page
    assert not ReportTemplate.objects.exists()


def test_a_template_that_is_an_exe_is_refused(world, login):
    response = _post_template(login(world.qm), b"MZ\x90\x00" + b"\0" * 64)
    assert "可执行程序" in response.content.decode() and not ReportTemplate.objects.exists()


def test_a_clean_template_is_accepted(world, login):
    response = _post_template(login(world.qm), _docx("{{ audit.code }} {% for f in findings %}{{ f.title }}{% endfor %}"))
    assert response.status_code == 302 and ReportTemplate.objects.filter(active=True).count() == 1


def test_an_outsider_and_a_specialist_cannot_reach_the_template_page(world, login):
    for user in (world.outsider, world.spec_a):
        assert _post_template(login(user), _docx("{{ audit.code }}")).status_code == 404
    assert not ReportTemplate.objects.exists()


def test_a_stored_hostile_template_makes_issuing_the_report_fail_cleanly(world, login, monkeypatch):
    """A template stored before validation existed: rendering refuses it with a message, nothing runs."""
    import os

    from django.core.files.base import ContentFile

    from opsqm.audits import report

    calls = []
    monkeypatch.setattr(os, "popen", lambda *a, **k: calls.append(a))
    stored = ReportTemplate(original_name="旧模板.docx", sha256="0" * 64, uploaded_by=world.qm, active=True)
    stored.file.save("template.docx", ContentFile(_docx("{{ cycler.__init__.__globals__.os.popen('id').read() }}")), save=False)
    stored.save()
    from opsqm.reports import TemplateRejected

    with pytest.raises(TemplateRejected):
        report.render_docx(report.sample_context())
    assert calls == []


def test_the_checklist_import_page_refuses_the_xlsx_bomb(world, login):
    response = login(world.qm).post(
        reverse("checklists:import"), {"step": "upload", "file": SimpleUploadedFile("检查单.xlsx", xlsx_with_huge_header())}
    )
    assert response.status_code == 400 and "压缩炸弹" in response.content.decode()


def test_an_outsider_cannot_import_checklists(world, login):
    response = login(world.outsider).post(
        reverse("checklists:import"), {"step": "upload", "file": SimpleUploadedFile("检查单.xlsx", b"PK")}
    )
    assert response.status_code in (403, 404)
