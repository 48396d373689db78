"""Ingest: recognise what a file is and turn it into a `Document`.

Text files become pages of lines directly. PDFs and images are checked here (damaged,
encrypted, empty, oversized), split into `PageRef`s, and handed to OCR; a PDF whose text
layer is already good Vietnamese is read from that layer instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

from pipeline.errors import InputFileError, MissingDependencyError
from pipeline.model import Document, Line, Page, Source, SourceKind, Token

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

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

RASTER_DPI = 300  # for pages without a scan in them
# Scanned pages are rasterised at the scan's own resolution, within these bounds.
MIN_RASTER_DPI = 100
MAX_RASTER_DPI = 400
# A page is refused above either limit, from the file's header, before any pixel is decoded.
MAX_PIXELS = 200_000_000
MAX_SIDE = 20_000
# PIL's own guard against decompression bombs, at the same limit (it errors at twice this).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

TextLayer = Literal["none", "good", "legacy"]


@dataclass(frozen=True)
class PageRef:
    """One page to read: a page of a PDF or a frame of an image file (0-based `index`)."""

    path: str
    kind: Literal["pdf", "image"]
    index: int
    dpi: int | None = None


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
    """Read a text file as Unicode, with line endings normalised to `\\n`; a conversion
    from a legacy Vietnamese encoding is logged as a warning (`vanthu: FILE: converted …`)."""
    from pipeline.encoding import decode_text_with_note

    text, note = decode_text_with_note(path.read_bytes(), str(path))
    if note:
        logging.getLogger(__name__).warning("vanthu: %s", note)
    return text


def text_document(text: str, source: Source) -> Document:
    """Pages of lines from plain text; a form feed starts a new page."""
    return Document(source=source, pages=text_pages(text.split("\f")))


def text_pages(page_texts: list[str]) -> list[Page]:
    """One `Page` per text, one `Line` per text line, numbered from 1."""
    pages: list[Page] = []
    number = 0
    for page_no, chunk in enumerate(page_texts, start=1):
        page = Page(number=page_no)
        for raw in chunk.split("\n"):
            number += 1
            tokens = [Token(raw=m.group(), text=m.group()) for m in _WORD.finditer(raw)]
            page.lines.append(Line(number=number, page=page_no, raw=raw, text=raw, tokens=tokens))
        pages.append(page)
    return pages


# --- images -----------------------------------------------------------------------------


def _check_size(path: Path, width: int, height: int, what: str) -> None:
    if width <= 0 or height <= 0:
        raise InputFileError(str(path), f"{what} has no pixels ({width}×{height})")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise InputFileError(
            str(path),
            f"{what} too large ({width}×{height} px, {width * height / 1e6:.0f} megapixels; "
            f"limit {MAX_SIDE} px a side and {MAX_PIXELS // 1_000_000} megapixels)",
        )


def _image_dpi(img: Image.Image) -> int | None:
    dpi = img.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and isinstance(dpi[0], int | float) and 50 <= dpi[0] <= 2400:
        return round(float(dpi[0]))
    return None


def image_pages(path: Path) -> list[PageRef]:
    """Every frame of an image file as a page (a multi-page TIFF gives several).

    Sizes are read from the headers only: an oversized frame is refused before decoding.
    """
    refs: list[PageRef] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we judge size
            img = Image.open(path)
        with img:
            frames = int(getattr(img, "n_frames", 1))
            for index in range(frames):
                img.seek(index)
                what = f"frame {index + 1}" if frames > 1 else "image"
                _check_size(path, img.width, img.height, what)
                refs.append(PageRef(str(path), "image", index, _image_dpi(img)))
    except InputFileError:
        raise
    except Image.DecompressionBombError:
        raise InputFileError(str(path), "image too large (decompression bomb guard)") from None
    except Exception as err:  # PIL raises many kinds for a bad image
        raise InputFileError(str(path), f"not a readable image ({_one_line(err)})") from None
    return refs


Pixels = npt.NDArray[np.uint8]


def _as_pixels(img: Image.Image) -> Pixels:
    """Grey or RGB pixels of any PIL mode (1-bit, 16-bit, palette, alpha, CMYK)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(img, dtype=np.int64)
        top = max(int(wide.max()), 1)
        return (wide * 255 // top).astype(np.uint8) if top > 255 else wide.astype(np.uint8)
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L"), dtype=np.uint8)
    if img.mode in ("RGBA", "LA", "P", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(paper, rgba).convert("RGB"), dtype=np.uint8)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def load_page(ref: PageRef) -> tuple[Pixels, int | None]:
    """The pixels (grey or RGB) and dpi of one page; PDF pages are rasterised at 300 dpi."""
    path = Path(ref.path)
    if ref.kind == "pdf":
        dpi = ref.dpi or RASTER_DPI
        return _rasterise_pdf_page(path, ref.index, dpi), dpi
    try:
        with Image.open(path) as img:
            img.seek(ref.index)
            _check_size(path, img.width, img.height, f"frame {ref.index + 1}")
            img.load()
            return _as_pixels(img), ref.dpi
    except InputFileError:
        raise
    except Exception as err:
        raise InputFileError(str(path), f"unreadable image data ({_one_line(err)})") from None


# --- PDFs -------------------------------------------------------------------------------


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:160] if text else type(err).__name__


def _rasterise_pdf_page(path: Path, index: int, dpi: int) -> Pixels:
    from pdf2image import convert_from_path
    from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError

    try:
        images = convert_from_path(str(path), dpi=dpi, first_page=index + 1, last_page=index + 1)
    except PDFInfoNotInstalledError:
        raise MissingDependencyError("poppler-utils is not installed") from None
    except (PDFPageCountError, PDFSyntaxError) as err:
        raise InputFileError(str(path), f"unreadable PDF ({_one_line(err)})") from None
    if not images:
        raise InputFileError(str(path), f"page {index + 1} could not be rasterised")
    return _as_pixels(images[0])


def _repair_pdf(path: Path, workdir: Path) -> Path | None:
    """A copy of a damaged PDF rebuilt by qpdf (xref and streams), or None if it cannot."""
    out = workdir / "repaired.pdf"
    try:
        done = subprocess.run(
            ["qpdf", str(path), str(out)], capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    # qpdf exits 3 when it repaired with warnings, 2 when it could not.
    return out if done.returncode in (0, 3) and out.is_file() else None


def _poppler_page_count(path: Path) -> int | None:
    from pdf2image import pdfinfo_from_path

    try:
        return int(pdfinfo_from_path(str(path), timeout=60)["Pages"])
    except Exception:
        return None


@dataclass
class OpenedPdf:
    """A PDF ready to read: where to rasterise it from, its page count and text layer."""

    path: Path
    pages: int
    texts: list[str]  # the text layer, one string per page ('' where there is none)
    scan_dpi: list[int | None]  # resolution of the scan on each page; None: no image on it

    def refs(self) -> list[PageRef]:
        """The pages to rasterise, each at its scan's resolution (300 dpi without one)."""
        return [
            PageRef(
                str(self.path),
                "pdf",
                i,
                min(max(dpi, MIN_RASTER_DPI), MAX_RASTER_DPI) if dpi else RASTER_DPI,
            )
            for i, dpi in enumerate(self.scan_dpi)
        ]


def open_pdf(path: Path, workdir: Path) -> OpenedPdf:
    """Check a PDF and read its text layer, repairing a damaged file through qpdf.

    Refuses, as `InputFileError`, an encrypted PDF that needs a password, a PDF with no
    pages, and a damaged PDF that neither qpdf nor poppler can read.
    """
    from pypdf import PdfReader

    problem = ""
    for candidate in (path, None):
        source = candidate or _repair_pdf(path, workdir)
        if source is None:
            break
        try:
            reader = PdfReader(str(source), strict=False)
            if reader.is_encrypted and not _opens_without_password(reader):
                raise InputFileError(str(path), "encrypted PDF (password required)")
            count = len(reader.pages)
        except InputFileError:
            raise
        except Exception as err:  # pypdf raises many kinds for a damaged file
            problem = problem or _one_line(err)
            continue
        if count == 0:
            raise InputFileError(str(path), "empty PDF (0 pages)")
        texts, scan_dpi, sizes = _read_pages(reader, count)
        pdf = OpenedPdf(source, count, texts, scan_dpi)
        for ref, (width, height) in zip(pdf.refs(), sizes, strict=True):
            what = f"page {ref.index + 1} at {ref.dpi} dpi"
            _check_size(path, round(width * (ref.dpi or 0)), round(height * (ref.dpi or 0)), what)
        return pdf
    pages = _poppler_page_count(path)
    if pages:
        return OpenedPdf(path, pages, [""] * pages, [None] * pages)
    raise InputFileError(str(path), f"corrupt PDF, cannot be repaired ({problem or 'unreadable'})")


def read_text_layer(path: str | Path) -> list[str]:
    """A PDF's own text layer, one string per page.

    The layer stays in the source file (its sha256 is in `Source`), so a legacy layer that
    OCR replaced can be read back here and compared with the new text.
    """
    p = Path(path)
    with tempfile.TemporaryDirectory(prefix="vanthu-") as workdir:
        return open_pdf(p, Path(workdir)).texts


def _opens_without_password(reader: PdfReader) -> bool:
    """Whether an encrypted PDF opens with the empty user password (owner-only protection)."""
    from pypdf import PasswordType

    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except Exception:
        return False


def _read_pages(
    reader: PdfReader, count: int
) -> tuple[list[str], list[int | None], list[tuple[float, float]]]:
    """Per page: the text layer, the resolution of the scan on it, its size in inches."""
    texts: list[str] = []
    scan_dpi: list[int | None] = []
    sizes: list[tuple[float, float]] = []
    for index in range(count):
        try:
            page = reader.pages[index]
            size = (float(page.mediabox.width) / 72, float(page.mediabox.height) / 72)
            dpi = _scan_dpi(page, max(size))
            text = page.extract_text() or ""
        except Exception:  # one unreadable page: OCR it rather than fail the file
            size, dpi, text = (0.0, 0.0), None, ""
        texts.append(text)
        scan_dpi.append(dpi)
        sizes.append(size)
    return texts, scan_dpi, sizes


def _scan_dpi(page: PageObject, long_side: float) -> int | None:
    """Pixels per inch of the largest image drawn on the page, None when it has none."""
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None or long_side <= 0:
        return None
    xobjects = xobjects.get_object()
    sides = [
        max(int(obj.get("/Width", 0)), int(obj.get("/Height", 0)))
        for obj in (xobjects[name].get_object() for name in xobjects)
        if obj.get("/Subtype") == "/Image"
    ]
    return round(max(sides) / long_side) if sides and max(sides) > 0 else None


# --- judging a text layer ---------------------------------------------------------------

_LETTERS = re.compile(r"[^\W\d_]+")
MIN_LAYER_WORDS = 20
MIN_VIETNAMESE_SHARE = 0.5  # words with a letter only Vietnamese uses (ơ, ư, đ, ạ, ế …)
MIN_SYLLABLE_SHARE = 0.6  # words that are well-formed Vietnamese syllables
MIN_PAGE_WORDS_OVER_SCAN = 30  # fewer words on a scanned page: a stamp, not a text layer


def judge_text_layer(texts: list[str]) -> TextLayer:
    """'good' for a layer of real Vietnamese, 'legacy' for one that is not (typically an
    English-model OCR with the diacritics lost: `so`, `d6i`), 'none' for too little text.

    In Vietnamese text most words carry a mark (85-90% in our dev corpus); an English-model
    OCR of it keeps under a fifth of them, and those only the Latin-1 accents (é, á).
    """
    from pipeline.vietnamese import has_vietnamese_marks, is_syllable_shape

    words = [w for text in texts for w in _LETTERS.findall(text)]
    if len(words) < MIN_LAYER_WORDS:
        return "none"
    marked = sum(has_vietnamese_marks(w) for w in words) / len(words)
    well_formed = sum(is_syllable_shape(w.lower()) for w in words) / len(words)
    if marked >= MIN_VIETNAMESE_SHARE and well_formed >= MIN_SYLLABLE_SHARE:
        return "good"
    return "legacy"


def layer_pages_to_use(pdf: OpenedPdf, layer: TextLayer) -> list[bool]:
    """Per page, whether its text layer stands in for OCR.

    Only a good layer is used, and on a scanned page only when it holds real text: a
    digital-signature stamp over a scan is not the page's text.
    """
    if layer != "good":
        return [False] * pdf.pages
    return [
        bool(text.strip())
        and (dpi is None or len(_LETTERS.findall(text)) >= MIN_PAGE_WORDS_OVER_SCAN)
        for text, dpi in zip(pdf.texts, pdf.scan_dpi, strict=True)
    ]


def _clean_layer_text(text: str) -> str:
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", text).split("\n")]
    return "\n".join(line for line in lines if line)


def ingest(path: str | Path, *, jobs: int | None = None) -> Document:
    """Read any supported file into a `Document` (OCR'ing PDFs and images).

    `jobs`: pages OCR'd at once (default: one per core); pass 1 when documents are
    already processed in parallel.
    """
    from pipeline.ocr import ocr_document

    p = Path(path)
    kind = detect_kind(p)
    source = Source(path=str(p), sha256=sha256_of(p), kind=kind)
    if kind == "text":
        return text_document(read_text(p), source)
    if kind == "image":
        source.text_layer = "none"
        return ocr_document(image_pages(p), source, jobs=jobs)
    with tempfile.TemporaryDirectory(prefix="vanthu-") as workdir:
        pdf = open_pdf(p, Path(workdir))
        source.text_layer = judge_text_layer(pdf.texts)
        use = layer_pages_to_use(pdf, source.text_layer)
        known = {i: _clean_layer_text(pdf.texts[i]) for i in range(pdf.pages) if use[i]}
        return ocr_document(pdf.refs(), source, known_text=known, jobs=jobs)
