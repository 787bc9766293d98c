from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.documents import services
from opsqm.documents.models import DocumentType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "procedure.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


@pytest.fixture
def procedure(world):
    """A procedure owned by the quality manager, distributed to spec_a and ops_a."""
    return services.document_create(
        actor=world.qm,
        code="QP-07",
        title="内部审核程序",
        doc_type=DocumentType.PROCEDURE,
        owner=world.qm,
        department=world.department,
        distribution=[world.spec_a, world.ops_a],
    )


def publish(world, document, label: str, *, day: dt.date = dt.date(2026, 3, 1), content: bytes = b""):
    """Draft → in review → approved (by the management rep) → effective."""
    v = services.version_create(
        actor=world.qm, document=document, label=label, change_note=f"发布 {label}", uploaded_file=pdf(extra=content)
    )
    v = services.version_submit(actor=world.qm, version=v)
    v = services.version_approve(actor=world.mgmt, version=v)
    return services.version_make_effective(actor=world.qm, version=v, effective_date=day)
