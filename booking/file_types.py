"""What an uploaded file really is, read from its bytes.

The name and the Content-Type header are the sender's claims; only the content decides. A file
whose first bytes say "program" (ELF, MZ, Mach-O, a shebang) is refused whatever else it looks like.
"""

from __future__ import annotations

import zipfile
from typing import IO

from django.utils.translation import gettext_lazy as _

#: Every type a file question may accept, by key, with the name a person reads.
FILE_TYPES = {
    "pdf": _("PDF"),
    "png": _("PNG image"),
    "jpeg": _("JPEG image"),
    "gif": _("GIF image"),
    "webp": _("WebP image"),
    "text": _("Plain text"),
    "docx": _("Word document (.docx)"),
    "xlsx": _("Excel workbook (.xlsx)"),
}

_PROGRAMS = (
    b"\x7fELF",
    b"MZ",
    b"#!",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_MAGIC = (
    ("pdf", b"%PDF-"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpeg", b"\xff\xd8\xff"),
    ("gif", b"GIF87a"),
    ("gif", b"GIF89a"),
)
_OFFICE = (("docx", "word/document.xml"), ("xlsx", "xl/workbook.xml"))
#: Plain text is read whole to prove it is text; larger "text" is refused.
MAX_TEXT_BYTES = 2 * 1024 * 1024


def sniff(stream: IO[bytes]) -> str | None:
    """The key in :data:`FILE_TYPES` that ``stream``'s content is, or ``None`` when it is none
    of them (or is a program). Leaves the stream at its start."""
    try:
        stream.seek(0)
        head = stream.read(16)
        if not head or head.startswith(_PROGRAMS):
            return None
        for kind, magic in _MAGIC:
            if head.startswith(magic):
                return kind
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "webp"
        if head.startswith(b"PK\x03\x04"):
            return _office_kind(stream)
        return _text_kind(stream)
    finally:
        stream.seek(0)


def _office_kind(stream: IO[bytes]) -> str | None:
    stream.seek(0)
    try:
        # Only the central directory is read: nothing is extracted, so a zip bomb costs nothing.
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for kind, member in _OFFICE:
        if member in names:
            return kind
    return None


def _text_kind(stream: IO[bytes]) -> str | None:
    stream.seek(0)
    data = stream.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES or b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text"
