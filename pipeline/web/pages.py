"""Page images for the document page, rendered at request time from the stored source.

The file is the one the store names for the document, and only when its sha256 is still
the one stored: boxes drawn over another file would point at the wrong words. The image
is turned as OCR turned the page, and sized to the page frame the boxes are in.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image

from pipeline.errors import VanthuError
from pipeline.model import Document, Page

WIDTH = 1200  # pixels across a rendered page
_TURN = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}  # clockwise quarter turns, as PIL names them


class NoPageImage(VanthuError):
    """The page has no image to show (a text source, a moved or changed file)."""


def find_page(doc: Document, number: int) -> Page:
    for page in doc.pages:
        if page.number == number:
            return page
    raise NoPageImage(f"the document has no page {number}")


def page_image(doc: Document, number: int) -> bytes:
    """The page as a JPEG, WIDTH pixels across, in the frame of its boxes."""
    page = find_page(doc, number)
    if doc.source.kind == "text":
        raise NoPageImage("the document was read from a text file: there is no page image")
    path = Path(doc.source.path)
    try:
        stat = path.stat()
    except (OSError, ValueError):
        raise NoPageImage(f"the source file is not at {doc.source.path}") from None
    if _sha256(str(path), stat.st_size, stat.st_mtime_ns) != doc.source.sha256:
        raise NoPageImage(f"the file at {doc.source.path} is not the one that was read")
    return _render(
        str(path),
        doc.source.kind,
        number,
        page.dpi,
        page.width,
        page.height,
        page.rotation,
        stat.st_mtime_ns,
    )


@lru_cache(maxsize=256)
def _sha256(path: str, _size: int, _mtime_ns: int) -> str:
    from pipeline.ingest import sha256_of

    return sha256_of(Path(path))


@lru_cache(maxsize=32)
def _render(
    path: str,
    kind: str,
    number: int,
    dpi: int | None,
    width: int | None,
    height: int | None,
    rotation: int,
    _mtime_ns: int,
) -> bytes:
    try:
        if kind == "pdf":
            img = _pdf_page(path, number, dpi, width)
        else:
            with Image.open(path) as frames:
                frames.seek(number - 1)
                img = frames.convert("RGB")
    except NoPageImage:
        raise
    except Exception as err:  # pdf2image and PIL raise many kinds for a bad file
        raise NoPageImage(f"cannot render page {number}: {err.__class__.__name__}") from None
    if rotation in _TURN:
        img = img.transpose(_TURN[rotation])
    ratio = (height / width) if width and height else img.height / img.width
    img = img.convert("RGB").resize((WIDTH, max(1, round(WIDTH * ratio))), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _pdf_page(path: str, number: int, dpi: int | None, width: int | None) -> Image.Image:
    from pdf2image import convert_from_path

    # the page was read at `dpi` and measured `width` pixels across: render just enough
    render_dpi = round((dpi or 300) * WIDTH / width) if width else 150
    images = convert_from_path(
        path, dpi=max(36, min(render_dpi, 300)), first_page=number, last_page=number
    )
    if not images:
        raise NoPageImage(f"page {number} could not be rendered")
    return images[0]
