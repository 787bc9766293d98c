"""Assessor-package provider: the evidence files chosen for the package (only those inside the scope)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "evidence"
TITLE = _("选定的证据文件")
ORDER = 90


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.records.models import EvidenceFile

    for ev in EvidenceFile.objects.filter(pk__in=list(scope.evidence_ids)).order_by("pk"):
        if not scope.project_ok(ev.project_id):
            continue  # the builder's form refuses them too; this keeps a hand-made scope honest

        def read(ev=ev) -> bytes:
            with ev.file.open("rb") as f:
                return f.read()

        safe = "".join(c if c.isalnum() or c in "._-（）()" else "_" for c in ev.original_name)[-120:]
        yield PackageItem(path=f"evidence/{ev.pk}-{safe}", title=ev.original_name, content=read, note=ev.owner_type)
