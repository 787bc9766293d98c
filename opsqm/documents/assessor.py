"""Assessor-package provider: the controlled documents effective at the end of the period (company documents)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "documents"
TITLE = _("现行有效的受控文件")
ORDER = 50


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.documents.models import DocumentVersion, VersionStatus

    versions = (
        DocumentVersion.objects.filter(status=VersionStatus.EFFECTIVE, effective_date__lte=scope.end, file__isnull=False)
        .select_related("document", "file")
        .order_by("document__code")
    )
    for v in versions:

        def read(v=v) -> bytes:
            with v.file.file.open("rb") as f:
                return f.read()

        ext = v.file.original_name.rsplit(".", 1)[-1].lower() if "." in v.file.original_name else "bin"
        safe_code = "".join(c if c.isalnum() or c in "-_" else "_" for c in v.document.code)
        yield PackageItem(
            path=f"documents/{safe_code}-{v.label.replace('/', '_')}.{ext}",
            title=f"{v.document.code} {v.document.title}（{v.label}）",
            content=read,
            note=f"{v.document.get_doc_type_display()} · {_('生效')} {v.effective_date.isoformat()}",
        )
