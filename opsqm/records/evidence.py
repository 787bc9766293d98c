"""Secure evidence uploads (ENGINEERING.md upload rules).

`evidence_store` accepts a file only when its extension is on the allowlist, its size is under
`settings.OPSQM_MAX_EVIDENCE_BYTES`, and its content (magic bytes, zip structure) matches the
extension. Zip archives are checked for bombs and path traversal without being extracted. The
stored name is generated; the user's name is kept only as text. Downloads go through
`evidence_download_response`, which asks the owner model who may see the owner record.

An owner model opts in with a classmethod `evidence_owner_queryset(user) -> QuerySet` that
returns the owner rows `user` may see (through the access policy).
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.records.models import EvidenceFile

# Extension -> the content kind it must contain.
ALLOWED_EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg",
    ".docx": "docx", ".xlsx": "xlsx", ".pptx": "pptx",
    ".doc": "ole2", ".xls": "ole2",
    ".txt": "text", ".csv": "text", ".zip": "zip",
}
KIND_LABELS = {
    "pdf": gettext_lazy("PDF 文档"), "png": gettext_lazy("PNG 图片"), "jpeg": gettext_lazy("JPEG 图片"), "docx": gettext_lazy("Word 文档（.docx）"),
    "xlsx": gettext_lazy("Excel 工作簿（.xlsx）"), "pptx": gettext_lazy("PowerPoint 演示文稿（.pptx）"), "ole2": gettext_lazy("旧版 Office 文档（.doc/.xls）"),
    "zip": gettext_lazy("ZIP 压缩包"), "text": gettext_lazy("文本文件"), "gif": gettext_lazy("GIF 图片"), "exe": gettext_lazy("可执行程序"), "unknown": gettext_lazy("无法识别的二进制内容"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ole2": "application/x-ole-storage", "zip": "application/zip", "text": "text/plain",
}
OOXML_MAIN_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}

ZIP_MAX_TOTAL = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 1000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class EvidenceRejected(ValidationError):
    """The upload breaks an upload rule; the message says which and what to do."""


def _read_all(f: BinaryIO) -> bytes:
    f.seek(0)
    data = f.read()
    f.seek(0)
    return data


def _zip_problem(f: BinaryIO) -> str | None:
    """Archive-bomb and path-traversal checks on the central directory, without extracting."""
    try:
        with zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _("压缩包已损坏，无法读取。")
    finally:
        f.seek(0)
    if len(infos) > ZIP_MAX_ENTRIES:
        return _("压缩包内文件过多（%(n)d 个，上限 %(max)d 个）。") % {"n": len(infos), "max": ZIP_MAX_ENTRIES}
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > ZIP_MAX_TOTAL or total / packed > ZIP_MAX_RATIO:
        return _("压缩包解压后过大或压缩比异常（疑似压缩炸弹），已拒绝。")
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":"):
            return _("压缩包内含非法路径“%(name)s”，已拒绝。") % {"name": info.filename[:100]}
    return None


def _zip_names(f: BinaryIO) -> set[str]:
    with zipfile.ZipFile(f) as zf:
        names = set(zf.namelist())
    f.seek(0)
    return names


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff(f: BinaryIO, expected: str) -> str:
    """The content kind of `f` as far as it matters for `expected` ("unknown" if nothing fits)."""
    head = f.read(16)
    f.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"MZ"):
        return "exe"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if expected in OOXML_MAIN_PART:
            try:
                names = _zip_names(f)
            except (zipfile.BadZipFile, OSError, ValueError):
                return "unknown"
            if "[Content_Types].xml" in names:
                for kind, prefix in OOXML_MAIN_PART.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
        return "zip"
    if _is_text(_read_all(f)):
        return "text"
    return "unknown"


def validate_upload(uploaded_file: Any) -> tuple[str, str]:
    """Check the upload rules; return (extension, content kind). Raises EvidenceRejected."""
    name = os.path.basename(uploaded_file.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        allowed = " ".join(sorted(ALLOWED_EXTENSIONS))
        raise EvidenceRejected(_("不支持的文件类型“%(ext)s”。允许的类型：%(allowed)s。") % {"ext": ext or _("无扩展名"), "allowed": allowed}, code="extension")
    cap = settings.OPSQM_MAX_EVIDENCE_BYTES
    if uploaded_file.size > cap:
        raise EvidenceRejected(_("文件过大（%(size).1f MB），证据文件上限为 %(cap).0f MB，请压缩或拆分后再上传。")
                               % {"size": uploaded_file.size / 1048576, "cap": cap / 1048576}, code="size")
    if uploaded_file.size == 0:
        raise EvidenceRejected(_("文件是空的，请选择有内容的文件。"), code="empty")
    expected = ALLOWED_EXTENSIONS[ext]
    f = uploaded_file.file
    f.seek(0)
    actual = sniff(f, expected)
    if actual != expected:
        raise EvidenceRejected(_("文件内容与扩展名不符（声称 %(ext)s，实际为 %(actual)s），请上传真实的文件。")
                               % {"ext": ext, "actual": KIND_LABELS.get(actual, actual)}, code="mismatch")
    if actual in ("zip", "docx", "xlsx", "pptx"):
        problem = _zip_problem(f)
        if problem:
            raise EvidenceRejected(problem, code="zip")
    return ext, actual


def owner_label(owner: models.Model) -> str:
    return owner._meta.label_lower


@transaction.atomic
def evidence_store(*, uploaded_file: Any, actor: Any, owner: models.Model, project_id: int | None) -> EvidenceFile:
    """Validate and store one evidence file for `owner`; earlier files of the owner are kept."""
    ext, kind = validate_upload(uploaded_file)
    digest = hashlib.sha256()
    f = uploaded_file.file
    f.seek(0)
    for chunk in iter(lambda: f.read(1024 * 1024), b""):
        digest.update(chunk)
    f.seek(0)
    evidence = EvidenceFile(
        original_name=os.path.basename(uploaded_file.name)[:255],
        content_type=CONTENT_TYPES[kind],
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        project_id=project_id,
        owner_type=owner_label(owner),
        owner_id=str(owner.pk),
    )
    evidence.file.save(f"upload{ext}", uploaded_file, save=False)
    try:
        evidence.full_clean()
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def evidence_for(owner: models.Model) -> models.QuerySet:
    return EvidenceFile.objects.filter(owner_type=owner_label(owner), owner_id=str(owner.pk)).select_related("uploaded_by")


def evidence_visible_or_404(user: Any, pk: int) -> EvidenceFile:
    """The evidence row if `user` may see its owner record; otherwise 404 like a missing file."""
    try:
        evidence = EvidenceFile.objects.get(pk=pk)
        model = apps.get_model(evidence.owner_type)
    except (EvidenceFile.DoesNotExist, LookupError, ValueError) as exc:
        raise Http404 from exc
    owners = getattr(model, "evidence_owner_queryset", None)
    if owners is None or not owners(user).filter(pk=evidence.owner_id).exists():
        raise Http404
    return evidence


def evidence_download_response(evidence: EvidenceFile) -> FileResponse:
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


__all__ = ["EvidenceRejected", "evidence_store", "evidence_for", "evidence_visible_or_404", "evidence_download_response",
           "validate_upload", "sniff", "ALLOWED_EXTENSIONS"]
