"""Text encodings of CSV exports: decode what can be decoded correctly, refuse what
would come out garbled (and say so, offering the encoding choice).

Automatic detection: a BOM (UTF-8, UTF-16), UTF-16 without BOM (NUL bytes in every
other position), strict UTF-8, then GB18030 (superset of GBK/GB2312) *if* the text
reads as Chinese: nearly all its non-ASCII characters are common simplified
characters or punctuation. Big5 (traditional) and Windows-1252 (Western) bytes read
as GBK give rare characters instead, so they are refused; Big5 is decoded when the
user chooses it.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO, Final

from opsqm.core.ticket_io.schema import TicketFileError

__all__ = ["ENCODINGS", "detect_encoding", "detect_file_encoding", "to_utf8", "transcode_file"]

ENCODINGS: Final[dict[str, str]] = {
    "auto": "自动识别",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16（Excel“Unicode 文本”）",
    "gb18030": "GBK / GB18030（简体中文）",
    "big5": "Big5（繁体中文）",
}
_SAMPLE: Final = 1 << 20
_CHUNK: Final = 1 << 22
_MIN_COMMON_SHARE: Final = 0.9
GARBLED: Final = (
    "按简体中文（GBK）读取这个文件会出现乱码：它可能是繁体中文 Big5 或西文 Windows-1252 编码。"
    "请在“文件编码”中选择正确的编码（如 Big5）后重新上传，或在 Excel 中将文件另存为“CSV UTF-8”。"
)


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _is_utf8(raw: bytes, chunk: int = 1 << 22) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    view = memoryview(raw)
    try:
        for start in range(0, len(view), chunk):
            decoder.decode(view[start : start + chunk], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _common_simplified(ch: str) -> bool:
    """GB2312 level-1 characters (the 3,755 most common) and GB2312 symbol rows."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and (0xA1 <= code[0] <= 0xA9 or 0xB0 <= code[0] <= 0xD7)


def _reads_as_chinese(raw: bytes) -> bool:
    text = codecs.getincrementaldecoder("gb18030")(errors="replace").decode(raw[:_SAMPLE], final=False)
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    common = sum(1 for ch in wide if _common_simplified(ch))
    return common >= _MIN_COMMON_SHARE * len(wide)


def detect_encoding(raw: bytes) -> str:
    """ "utf-8-sig", "utf-16" (BOM), "utf-16-le"/"utf-16-be" (no BOM), "utf-8" or
    "gb18030"; raises TicketFileError when no encoding reads the bytes correctly."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return utf16
    if _is_utf8(raw):
        return "utf-8"
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TicketFileError("无法识别文件编码，按 UTF-8 和 GBK 读取都会出错。" + GARBLED) from exc
    if not _reads_as_chinese(raw):
        raise TicketFileError(GARBLED)
    return "gb18030"


def to_utf8(raw: bytes, encoding: str = "auto") -> bytes:
    """The text as UTF-8 bytes without a BOM (what polars reads)."""
    if encoding not in ENCODINGS:
        raise TicketFileError(f"不支持的文件编码“{encoding}”，可选：{'、'.join(ENCODINGS.values())}")
    chosen = detect_encoding(raw) if encoding == "auto" else encoding
    if encoding == "utf-16" and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        chosen = _utf16_without_bom(raw) or "utf-16-le"
    if chosen == "utf-8" and encoding == "auto":
        return raw
    try:
        text = raw.decode(chosen)
    except UnicodeDecodeError as exc:
        label = ENCODINGS.get(encoding, chosen)
        raise TicketFileError(
            f"按所选编码 {label} 无法读取该文件（第 {exc.start} 字节处不是有效的字符），请选择其他编码，或将文件另存为“CSV UTF-8”。"
        ) from exc
    return text.lstrip("\ufeff").encode("utf-8")


def _valid(path: Path, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk, final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_file_encoding(path: Path, head: bytes) -> str:
    """detect_encoding for a file on disk, streamed: never holds the whole file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    if _valid(path, "utf-8"):
        return "utf-8"
    if not _valid(path, "gb18030"):
        raise TicketFileError("无法识别文件编码，按 UTF-8 和 GBK 读取都会出错。" + GARBLED)
    if not _reads_as_chinese(head):
        raise TicketFileError(GARBLED)
    return "gb18030"


def transcode_file(path: Path, codec: str, target: BinaryIO, label: str) -> None:
    """Stream ``path`` decoded with ``codec`` into ``target`` as UTF-8 without a BOM."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    first = True
    read = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                text = decoder.decode(chunk, final=False)
                if first and text:
                    text, first = text.lstrip("\ufeff"), False
                target.write(text.encode("utf-8"))
                read += len(chunk)
            target.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TicketFileError(
            f"按所选编码 {label} 无法读取该文件（第 {read + exc.start} 字节处不是有效的字符），请选择其他编码，或将文件另存为“CSV UTF-8”。"
        ) from exc
