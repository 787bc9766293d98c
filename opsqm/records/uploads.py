"""The one upload gate (ENGINEERING.md "Uploads"): every uploaded file passes `upload_check` first.

Public API (evidence, checklist imports, report templates, ticket imports, documents, surveys …):

    from opsqm.records.uploads import UploadRejected, upload_check, generated_name, display_name

    upload_check(file, *, name: str, allowed_extensions: Iterable[str], max_bytes: int | None = None) -> str
        `file` is an UploadedFile or any seekable binary file object; `name` the user's file name.
        Checks, in this order, and raises `UploadRejected` (a ValidationError with a Chinese
        message) at the first failure:
          - the extension of `name` is in `allowed_extensions` (e.g. [".xlsx"]) and known here;
          - 0 < size <= `max_bytes` (default `settings.OPSQM_MAX_UPLOAD_BYTES`);
          - the content matches the extension (magic bytes, OOXML structure; an .exe named .pdf,
            an SVG named .png, a text file named .xlsx are refused, naming what they really are);
          - zip family (.zip .docx .xlsx .pptx): entry count, declared total unpacked size,
            compression ratio, per-part size, no absolute or `..` entry names
            (settings `OPSQM_UPLOAD_MAX_ENTRIES`, `OPSQM_UPLOAD_MAX_UNPACKED_BYTES`,
            `OPSQM_UPLOAD_MAX_RATIO`, `OPSQM_UPLOAD_MAX_PART_BYTES`);
          - OOXML (.docx .xlsx .pptx): every XML part is streamed (never held whole) and must
            have no DOCTYPE/ENTITY declaration (XXE) and no text run longer than
            `OPSQM_UPLOAD_MAX_CELL_CHARS` characters (Excel's own cell limit is 32,767), so a
            header cell that decompresses to 200 MB is refused before any reader sees it; the
            actual unpacked bytes are counted too (declared sizes can lie).
        Returns the sniffed kind: "pdf" "png" "jpeg" "docx" "xlsx" "pptx" "ole2" "zip" "text".
        Leaves the file positioned at 0.

    generated_name(ext: str) -> str      a random storage name like "3f…9a.pdf" (no user text)
    display_name(name: str) -> str       the user's name reduced to a safe base name for display

`opsqm.records.evidence.evidence_store` is built on it; stored files are served only through
an access-checked view as attachments (`evidence_download_response`).
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Extension -> the content kind it must contain.
EXTENSION_KINDS: dict[str, str] = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".pptx": "pptx",
    ".doc": "ole2",
    ".xls": "ole2",
    ".txt": "text",
    ".csv": "text",
    ".zip": "zip",
}
KIND_LABELS = {
    "pdf": gettext_lazy("PDF 文档"),
    "png": gettext_lazy("PNG 图片"),
    "jpeg": gettext_lazy("JPEG 图片"),
    "docx": gettext_lazy("Word 文档（.docx）"),
    "xlsx": gettext_lazy("Excel 工作簿（.xlsx）"),
    "pptx": gettext_lazy("PowerPoint 演示文稿（.pptx）"),
    "ole2": gettext_lazy("旧版 Office 文档（.doc/.xls）"),
    "zip": gettext_lazy("ZIP 压缩包"),
    "text": gettext_lazy("文本文件"),
    "gif": gettext_lazy("GIF 图片"),
    "exe": gettext_lazy("可执行程序"),
    "svg": gettext_lazy("SVG 图像（可含脚本）"),
    "html": gettext_lazy("网页（HTML，可含脚本）"),
    "unknown": gettext_lazy("无法识别的二进制内容"),
    "broken": gettext_lazy("已损坏的压缩文件"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ole2": "application/x-ole-storage",
    "zip": "application/zip",
    "text": "text/plain",
}
OOXML_MAIN_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
ZIP_KINDS = frozenset({"zip", "docx", "xlsx", "pptx"})
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SAMPLE = 64 * 1024
_CHUNK = 1024 * 1024
_MARKUP = re.compile(rb"<\s*(svg|html|script|!doctype\s+html)\b", re.I)
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


class UploadRejected(ValidationError):
    """The upload breaks an upload rule; the message says which and what to do."""


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _size(f: BinaryIO) -> int:
    size = getattr(f, "size", None)
    if size is None:
        pos = f.tell()
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(pos)
    return int(size)


def _raw(f: Any) -> BinaryIO:
    return getattr(f, "file", f)  # an UploadedFile wraps the real file object


def _looks_text(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM ("Unicode text" exports)
        even = sample[: len(sample) // 2 * 2]
        for cut in (0, 2):
            try:
                (even[: len(even) - cut] if cut else even).decode("utf-16")
                return True
            except UnicodeDecodeError:
                continue
        return False
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        for cut in range(4):  # the sample may end inside a multi-byte character
            try:
                (sample[: len(sample) - cut] if cut else sample).decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def _zip_names(f: BinaryIO) -> set[str]:
    try:
        with zipfile.ZipFile(f) as zf:
            return set(zf.namelist())
    finally:
        f.seek(0)


def sniff(f: BinaryIO, expected: str) -> str:
    """The content kind of `f` as far as it matters for `expected` ("unknown" if nothing fits)."""
    f.seek(0)
    head = f.read(TEXT_SAMPLE)
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
    if head.startswith((b"MZ", b"\x7fELF")):
        return "exe"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if expected in OOXML_MAIN_PART:
            try:
                names = _zip_names(f)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return "broken"
            if "[Content_Types].xml" in names:
                for kind, prefix in OOXML_MAIN_PART.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
        return "zip"
    if _looks_text(head):
        found = _MARKUP.search(head[:4096])
        if found and expected != "text":
            return "svg" if found.group(1).lower() == b"svg" else "html"
        return "text"
    return "unknown"


def _unsafe_member(name: str) -> bool:
    name = name.replace("\\", "/")
    return name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":")


def _zip_problem(f: BinaryIO, size: int) -> str | None:
    """Archive-bomb and path-traversal checks on the central directory, without extracting."""
    try:
        with zipfile.ZipFile(f) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return _("压缩包已损坏，无法读取。")
    finally:
        f.seek(0)
    max_entries = _limit("OPSQM_UPLOAD_MAX_ENTRIES", 1000)
    if len(infos) > max_entries:
        return _("压缩包内文件过多（%(n)d 个，上限 %(max)d 个）。") % {"n": len(infos), "max": max_entries}
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), size, 1)
    if total > _limit("OPSQM_UPLOAD_MAX_UNPACKED_BYTES", 1024**3) or total / packed > _limit("OPSQM_UPLOAD_MAX_RATIO", 100):
        return _("压缩包解压后过大或压缩比异常（疑似压缩炸弹），已拒绝。")
    part_cap = _limit("OPSQM_UPLOAD_MAX_PART_BYTES", 512 * 1024 * 1024)
    for info in infos:
        if _unsafe_member(info.filename):
            return _("压缩包内含非法路径“%(name)s”，已拒绝。") % {"name": info.filename[:100]}
        if info.file_size > part_cap:
            return _("压缩包内的“%(name)s”解压后过大（%(size).0f MB），已拒绝。") % {
                "name": info.filename[:100],
                "size": info.file_size / 1048576,
            }
    return None


def _ooxml_problem(f: BinaryIO) -> str | None:
    """Stream every XML part: no DTD/entity declarations (XXE), no over-long text run (cell bomb)."""
    max_chars = _limit("OPSQM_UPLOAD_MAX_CELL_CHARS", 32767)
    max_run = max_chars * 4 + 64  # bytes: UTF-8 needs up to 4 per character (entities are counted as typed)
    total_cap = _limit("OPSQM_UPLOAD_MAX_UNPACKED_BYTES", 1024**3)
    total = 0
    try:
        with zipfile.ZipFile(f) as zf:
            for info in zf.infolist():
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                run, tail = 0, b""
                with zf.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        total += len(chunk)
                        if total > total_cap:
                            return _("压缩包解压后过大或压缩比异常（疑似压缩炸弹），已拒绝。")
                        if _DECLARATION.search(tail + chunk):
                            return _(
                                "文件内含 XML 实体或文档类型声明（DOCTYPE/ENTITY），出于安全原因已拒绝。请用 Office 重新另存后再上传。"
                            )
                        tail = chunk[-16:]
                        pieces = chunk.split(b"<")  # text runs and tags; C speed, no per-tag Python loop
                        if len(pieces) == 1:
                            run += len(chunk)
                        else:
                            longest = max(run + len(pieces[0]), max(map(len, pieces[1:-1]), default=0))
                            run = len(pieces[-1])
                            if longest > max_run:
                                return _cell_message(info.filename, max_chars)
                        if run > max_run:
                            return _cell_message(info.filename, max_chars)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return _("文件已损坏或加密，无法读取。")
    finally:
        f.seek(0)
    return None


def _cell_message(part: str, max_chars: int) -> str:
    return _("文件中“%(part)s”含有超长的单元格或文本（超过 %(max)d 个字符），疑似恶意文件，已拒绝。") % {
        "part": part[:80],
        "max": max_chars,
    }


def _mb(n: float) -> str:
    return f"{n / 1048576:.1f}"


def upload_check(file: Any, *, name: str, allowed_extensions: Iterable[str], max_bytes: int | None = None) -> str:
    """Check one upload against the rules above; return its content kind or raise UploadRejected."""
    base = display_name(name)
    ext = os.path.splitext(base)[1].lower()
    allowed = sorted({(e if e.startswith(".") else "." + e).lower() for e in allowed_extensions} & set(EXTENSION_KINDS))
    if ext not in allowed:
        raise UploadRejected(
            _("不支持的文件类型“%(ext)s”。允许的类型：%(allowed)s。") % {"ext": ext or _("无扩展名"), "allowed": " ".join(allowed)},
            code="extension",
        )
    f = _raw(file)
    size = _size(file)
    cap = max_bytes if max_bytes is not None else settings.OPSQM_MAX_UPLOAD_BYTES
    if size > cap:
        raise UploadRejected(
            _("文件过大（%(size)s MB），上限为 %(cap)s MB，请压缩或拆分后再上传。") % {"size": _mb(size), "cap": _mb(cap)}, code="size"
        )
    if size == 0:
        raise UploadRejected(_("文件是空的，请选择有内容的文件。"), code="empty")
    expected = EXTENSION_KINDS[ext]
    f.seek(0)
    actual = sniff(f, expected)
    if actual != expected:
        raise UploadRejected(
            _("文件内容与扩展名不符（声称 %(ext)s，实际为 %(actual)s），请上传真实的文件。")
            % {"ext": ext, "actual": KIND_LABELS.get(actual, actual)},
            code="mismatch",
        )
    if actual in ZIP_KINDS:
        problem = _zip_problem(f, size)
        if problem is None and actual in OOXML_MAIN_PART:
            problem = _ooxml_problem(f)
        if problem:
            raise UploadRejected(problem, code="archive")
    f.seek(0)
    return actual


def generated_name(ext: str) -> str:
    """A storage name with no user text in it: 32 random hex digits plus the checked extension."""
    ext = ext.lower() if ext.lower() in EXTENSION_KINDS else ""
    return f"{uuid.uuid4().hex}{ext}"


def display_name(name: str) -> str:
    """The user's file name for display only: last path component, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return base[:255]


__all__ = [
    "UploadRejected",
    "upload_check",
    "generated_name",
    "display_name",
    "sniff",
    "EXTENSION_KINDS",
    "CONTENT_TYPES",
    "KIND_LABELS",
    "OLE2_MAGIC",
]
