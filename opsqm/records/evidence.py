"""Evidence files: stored after the one upload gate (`opsqm.records.uploads.upload_check`).

`evidence_store` accepts a file only when it passes the gate with the evidence size cap
`settings.OPSQM_MAX_EVIDENCE_BYTES` (allowlist, content sniffing, archive and cell bombs, XXE).
The stored name is generated; the user's name is kept only as text. Downloads go through
`evidence_download_response`, which asks the owner model who may see the owner record.

An owner model opts in with a classmethod `evidence_owner_queryset(user) -> QuerySet` that
returns the owner rows `user` may see (through the access policy).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import FileResponse, Http404

from opsqm.records.models import EvidenceFile
from opsqm.records.uploads import CONTENT_TYPES, EXTENSION_KINDS, OLE2_MAGIC, UploadRejected, display_name, sniff, upload_check

ALLOWED_EXTENSIONS: dict[str, str] = dict(EXTENSION_KINDS)  # evidence accepts every kind the gate knows
EvidenceRejected = UploadRejected  # the old name, kept for callers and tests


def validate_upload(uploaded_file: Any) -> tuple[str, str]:
    """The evidence rules (the upload gate with the evidence size cap); return (extension, content kind)."""
    kind = upload_check(
        uploaded_file, name=uploaded_file.name or "", allowed_extensions=ALLOWED_EXTENSIONS, max_bytes=settings.OPSQM_MAX_EVIDENCE_BYTES
    )
    return os.path.splitext(display_name(uploaded_file.name))[1].lower(), kind


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
        original_name=display_name(uploaded_file.name) or f"upload{ext}",
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
    response = FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


__all__ = [
    "EvidenceRejected",
    "evidence_store",
    "evidence_for",
    "evidence_visible_or_404",
    "evidence_download_response",
    "validate_upload",
    "sniff",
    "ALLOWED_EXTENSIONS",
    "OLE2_MAGIC",
]
