"""Ingest: recognise what a file is and turn it into a `Document`.

Text files become pages of lines directly; PDFs and images go through OCR.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pipeline.errors import InputFileError
from pipeline.model import Document, Line, Page, Source, SourceKind, Token

_MAGIC: list[tuple[bytes, SourceKind]] = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"GIF8", "image"),
    (b"BM", "image"),
]
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"}
_WORD = re.compile(r"\S+")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_kind(path: Path) -> SourceKind:
    """Tell a PDF, an image and a text file apart by their first bytes, not their name."""
    if not path.exists():
        raise InputFileError(str(path), "no such file")
    if path.is_dir():
        raise InputFileError(str(path), "is a directory, not a file")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise InputFileError(str(path), "file is empty")
    stripped = head.lstrip()
    for magic, kind in _MAGIC:
        if stripped.startswith(magic) if kind == "pdf" else head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise InputFileError(str(path), "named .pdf but is not a PDF (no %PDF header)")
    if suffix in _IMAGE_SUFFIXES:
        raise InputFileError(str(path), f"named {suffix} but is not a readable image")
    return "text"


def read_text(path: Path) -> str:
    """Read a text file as Unicode, with line endings normalised to `\\n`."""
    from pipeline.encoding import decode_text

    data = path.read_bytes()
    return decode_text(data, str(path))


def text_document(text: str, source: Source) -> Document:
    """Pages of lines from plain text; a form feed starts a new page."""
    pages: list[Page] = []
    number = 0
    for page_no, chunk in enumerate(text.split("\f"), start=1):
        page = Page(number=page_no)
        for raw in chunk.split("\n"):
            number += 1
            tokens = [Token(raw=m.group(), text=m.group()) for m in _WORD.finditer(raw)]
            page.lines.append(Line(number=number, page=page_no, raw=raw, text=raw, tokens=tokens))
        pages.append(page)
    return Document(source=source, pages=pages)


def ingest(path: str | Path) -> Document:
    """Read any supported file into a `Document` (OCR'ing PDFs and images)."""
    p = Path(path)
    kind = detect_kind(p)
    source = Source(path=str(p), sha256=sha256_of(p), kind=kind)
    if kind == "text":
        return text_document(read_text(p), source)
    from pipeline.ocr import ocr_document

    return ocr_document(p, source)
