"""Evidence files on audit items: upload rules, hashes, revisions, access-checked downloads."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsqm.audits import services
from opsqm.audits.models import AuditItemResult
from opsqm.audits.tests.helpers import pdf_bytes, png_bytes, run_to, xlsx_bytes
from opsqm.records.evidence import EvidenceRejected, evidence_for, evidence_store


@pytest.fixture
def item(world, plan):
    audit = run_to(world, plan(), "onsite")
    return AuditItemResult.objects.filter(audit=audit, assessable=True).select_related("audit").first()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def store(world, item, name, content):
    return services.audit_item_add_evidence(actor=world.auditor, item=item, uploaded_file=upload(name, content))


def test_a_good_file_is_stored_with_its_hash_under_a_generated_name(world, item):
    ev = store(world, item, "现场照片.png", png_bytes())
    assert ev.sha256 == hashlib.sha256(png_bytes()).hexdigest()
    assert (ev.original_name, ev.content_type, ev.size, ev.project_id) == (
        "现场照片.png",
        "image/png",
        len(png_bytes()),
        world.project_b.pk,
    )
    assert ev.file.name.startswith("evidence/") and "现场照片" not in ev.file.name and ev.file.name.endswith(".png")


def test_a_pdf_that_is_really_a_png_is_rejected(world, item):
    with pytest.raises(EvidenceRejected) as exc:
        store(world, item, "报告.pdf", png_bytes())
    assert exc.value.messages[0].startswith("文件内容与扩展名不符（声称 .pdf，实际为 PNG 图片）")


def test_an_xlsx_that_is_a_renamed_text_file_is_rejected(world, item):
    with pytest.raises(EvidenceRejected) as exc:
        store(world, item, "台账.xlsx", "编号,名称\n1,服务器\n".encode())
    assert "声称 .xlsx，实际为 文本文件" in exc.value.messages[0]


def test_a_real_xlsx_and_a_real_pdf_pass(world, item):
    assert store(world, item, "台账.xlsx", xlsx_bytes()).content_type.endswith("spreadsheetml.sheet")
    assert store(world, item, "制度.pdf", pdf_bytes()).content_type == "application/pdf"


def test_a_zip_bomb_is_rejected(world, item):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.txt", b"\0" * (5 * 1024 * 1024))  # compresses ~1000:1
    with pytest.raises(EvidenceRejected) as exc:
        store(world, item, "日志.zip", buf.getvalue())
    assert "压缩炸弹" in exc.value.messages[0]


def test_a_zip_with_path_traversal_is_rejected(world, item):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../etc/cron.d/x", b"hello")
    with pytest.raises(EvidenceRejected) as exc:
        store(world, item, "日志.zip", buf.getvalue())
    assert "非法路径" in exc.value.messages[0]


def test_disallowed_extensions_and_oversize_files_are_rejected(world, item, settings):
    with pytest.raises(EvidenceRejected):
        store(world, item, "tool.exe", b"MZ\x90\x00")
    settings.OPSQM_MAX_EVIDENCE_BYTES = 10
    with pytest.raises(EvidenceRejected) as exc:
        store(world, item, "p.png", png_bytes())
    assert "文件过大" in exc.value.messages[0]


def test_a_new_upload_keeps_the_earlier_revision(world, item):
    first = store(world, item, "记录.txt", "第一版".encode())
    second = store(world, item, "记录.txt", "第二版".encode("gb18030"))
    assert [e.pk for e in evidence_for(item)] == [second.pk, first.pk]


def test_download_is_an_attachment_with_nosniff_for_the_team_and_project_people(world, item, login):
    ev = store(world, item, "现场照片.png", png_bytes())
    url = reverse("records:evidence_download", args=[ev.pk])
    for user in (world.auditor, world.qm, world.ops_b, world.spec_b):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == png_bytes()


def test_download_is_404_for_another_projects_specialist_and_an_outsider(world, item, login):
    ev = store(world, item, "现场照片.png", png_bytes())
    url = reverse("records:evidence_download", args=[ev.pk])
    assert login(world.spec_a).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404


def test_uploads_are_refused_outside_the_onsite_stage(world, plan):
    audit = plan()
    audit = run_to(world, audit, "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    run_to(world, audit, "closing")
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        store(world, item, "p.png", png_bytes())


def test_evidence_store_can_be_used_for_any_owner(world):
    ev = evidence_store(
        uploaded_file=upload("说明.csv", b"a,b\n1,2\n"), actor=world.qm, owner=world.project_a, project_id=world.project_a.pk
    )
    assert (ev.owner_type, ev.owner_id) == ("org.project", str(world.project_a.pk))
