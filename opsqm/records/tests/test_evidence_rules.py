"""Upload rules of evidence files (records.evidence), independent of any owner."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.records.evidence import OLE2_MAGIC, EvidenceRejected, validate_upload


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, b"<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("a.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "jpeg"),
        ("a.doc", OLE2_MAGIC + b"\0" * 20, "ole2"),
        ("a.xls", OLE2_MAGIC + b"\0" * 20, "ole2"),
        ("a.docx", _zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
        ("a.pptx", _zip(["[Content_Types].xml", "ppt/presentation.xml"]), "pptx"),
        ("a.txt", "中文记录".encode("gb18030"), "text"),
        ("a.zip", _zip(["logs/a.txt"]), "zip"),
    ],
)
def test_real_files_pass(name, content, kind):
    assert validate_upload(SimpleUploadedFile(name, content)) == (name[name.rindex(".") :], kind)


@pytest.mark.parametrize(
    "name, content, actual",
    [
        ("a.docx", _zip(["[Content_Types].xml", "ppt/presentation.xml"]), "PowerPoint"),
        ("a.docx", _zip(["word/document.xml"]), "ZIP 压缩包"),  # no [Content_Types].xml: not OOXML
        ("a.png", b"GIF89a" + b"\0" * 10, "GIF 图片"),
        ("a.txt", b"abc\x00def", "无法识别的二进制内容"),
        ("a.xls", b"a,b\n", "文本文件"),
        ("a.pdf", b"MZ\x90\x00" + b"\0" * 10, "可执行程序"),
    ],
)
def test_lying_files_are_rejected_naming_what_they_are(name, content, actual):
    with pytest.raises(EvidenceRejected) as exc:
        validate_upload(SimpleUploadedFile(name, content))
    assert "文件内容与扩展名不符" in exc.value.messages[0] and actual in exc.value.messages[0]


def test_too_many_entries_are_rejected():
    with pytest.raises(EvidenceRejected) as exc:
        validate_upload(SimpleUploadedFile("a.zip", _zip([f"f{i}.txt" for i in range(1001)])))
    assert "文件过多" in exc.value.messages[0]


def test_empty_files_and_names_without_extension_are_rejected():
    with pytest.raises(EvidenceRejected):
        validate_upload(SimpleUploadedFile("a.pdf", b""))
    with pytest.raises(EvidenceRejected):
        validate_upload(SimpleUploadedFile("README", b"text"))
