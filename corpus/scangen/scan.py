"""From document text to scanned pages with their ground truth: the steps run in order.

read (text → `AdminDocument`) → lay out (pages of set lines) → paint (clean grey page)
→ sign and seal (the page that has the signature block) → degrade (level) → move boxes.
The recorded lines are those of `corpus.scangen.layout` in its reading order; the ring
text of the seal and the signature are ink, not text lines, and are not recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from corpus.scangen.degrade import Box, degrade, move_box, scan_level
from corpus.scangen.document import AdminDocument
from corpus.scangen.errors import FontCoverageError, InputFileError, UsageError
from corpus.scangen.fonts import Face, missing_glyphs
from corpus.scangen.ink import sign_and_seal
from corpus.scangen.layout import PageLayout, lay_out
from corpus.scangen.paint import paint_page
from corpus.scangen.reader import read_document

DPI_RANGE = (72, 600)


@dataclass(frozen=True)
class GroundLine:
    """One rendered line as it reads, and its box (x, y, w, h) on the scanned page."""

    text: str
    box: Box


@dataclass
class ScannedPage:
    """A scanned page image (RGB, or grey after a photocopy) and its lines in reading order."""

    number: int
    image: Image.Image
    dpi: int
    lines: list[GroundLine] = field(default_factory=list)


@dataclass
class Scan:
    """A scanned document: its pages and how they were made."""

    pages: list[ScannedPage]
    level: int
    seed: int
    dpi: int
    source: str = ""


def scan_text(
    text: str,
    *,
    level: int = 0,
    seed: int = 0,
    dpi: int | None = None,
    pages: slice | None = None,
    source: str = "",
) -> Scan:
    """Lay out, paint and degrade `text`; the same arguments give the same pixels.

    `pages` picks pages of the laid-out document (`slice(0, 2)`: the first two,
    `slice(-1, None)`: the last); a page is degraded the same way whichever are picked.
    """
    params = scan_level(level)
    choose = np.random.default_rng(np.random.SeedSequence([seed, level, 0]))
    page_dpi = int(dpi if dpi is not None else choose.choice(params.dpis))
    if not DPI_RANGE[0] <= page_dpi <= DPI_RANGE[1]:
        raise UsageError(f"dpi {page_dpi} is outside {DPI_RANGE[0]}..{DPI_RANGE[1]}")
    doc = read_document(text)
    if not text.strip():
        raise InputFileError(f"{source or 'input'}: no text to lay out")
    _check_glyphs(text, doc)
    layouts = lay_out(doc, page_dpi)
    picked = range(len(layouts))[pages if pages is not None else slice(None)]
    if not picked:
        raise UsageError(f"no pages picked of {len(layouts)}")
    clean: dict[int, Image.Image] = {}

    def painted(index: int) -> Image.Image:
        if index not in clean:
            clean[index] = paint_page(layouts[index])
        return clean[index]

    scanned = []
    for index in picked:
        rng = np.random.default_rng(np.random.SeedSequence([seed, level, index + 1]))
        scanned.append(_scan_page(layouts, index, painted, doc, page_dpi, level, rng))
    return Scan(pages=scanned, level=level, seed=seed, dpi=page_dpi, source=source)


def _scan_page(
    layouts: list[PageLayout],
    index: int,
    painted: Callable[[int], Image.Image],
    doc: AdminDocument,
    dpi: int,
    level: int,
    rng: np.random.Generator,
) -> ScannedPage:
    layout = layouts[index]
    rgb = np.array(painted(index).convert("RGB"))
    for order, area in enumerate(layout.signature_areas):
        sign_and_seal(rgb, area, doc.seal_text if order == 0 else None, dpi, rng)
    back_index = index + 1 if index + 1 < len(layouts) else index - 1
    if back_index >= 0:
        back = np.asarray(painted(back_index))
    else:
        back = np.full(rgb.shape[:2], 255, dtype=np.uint8)
    result = degrade(rgb, back, scan_level(level), dpi, rng)
    height, width = result.image.shape[:2]
    lines = [
        GroundLine(line.text, move_box(line.box, result.matrix, width, height))
        for line in layout.lines
    ]
    return ScannedPage(layout.number, Image.fromarray(result.image), dpi, lines)


def _check_glyphs(text: str, doc: AdminDocument) -> None:
    """Refuse text with characters the fonts cannot draw, rather than draw boxes."""
    serif = (Face.REGULAR, Face.BOLD, Face.ITALIC, Face.BOLD_ITALIC)
    gaps = {ch for face in serif for ch in missing_glyphs(face, text)}
    gaps |= set(missing_glyphs(Face.SEAL, doc.seal_text.upper()))
    if gaps:
        shown = " ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in sorted(gaps))
        raise FontCoverageError(f"no glyph for {shown}")
