"""OCR: page images to lines of tokens with boxes and confidences (Tesseract `vie`).

One page is one unit of work: rasterise, preprocess, recognise, lay out (`read_page`).
`ocr_document` runs the pages on a pool (one Tesseract process per core), reports
progress on stderr for long files, and numbers the lines across the document.

Layout: Tesseract's lines are cut where a wide gap separates two columns, the pieces are
gathered into rows, and where rows split into a left and a right column — the header of
an administrative document (issuing body | national motto, number | place and date) and
its signature block (Nơi nhận | signer) — the left column is read before the right one.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import cv2

from pipeline.errors import InputFileError, MissingDependencyError
from pipeline.ingest import PageRef, load_page, text_pages
from pipeline.model import Box, Document, Line, Page, Source, Token
from pipeline.preprocess import DEFAULT_CHAIN, PageImage, is_blank, prepare

VERSION = "0.1.0"
LANG = "vie"
TESSERACT_CONFIG = "--psm 3"
# Two pieces of one Tesseract line are separate columns when this many line heights apart.
COLUMN_GAP = 3.0
# A gap above a line taller than this many line heights is a blank line.
BLANK_LINE = 1.2
PROGRESS_MIN_PAGES = 4

Progress = Callable[[int, int, float], None]


@dataclass
class Piece:
    """Words of one text line that stand together (no column gap between them)."""

    tokens: list[Token] = field(default_factory=list)

    @property
    def box(self) -> Box:
        boxes = [t.box for t in self.tokens if t.box is not None]
        out = boxes[0]
        for b in boxes[1:]:
            out = out.union(b)
        return out

    @property
    def left(self) -> int:
        return self.box.x

    @property
    def right(self) -> int:
        return self.box.x + self.box.w

    @property
    def middle(self) -> float:
        return self.box.y + self.box.h / 2


def _words(image_path: str, dpi: int) -> list[tuple[tuple[int, int, int], Token]]:
    """Tesseract's words with their (block, paragraph, line) and boxes, in its order."""
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            image_path,
            lang=LANG,
            config=f"{TESSERACT_CONFIG} --dpi {dpi}",
            output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractNotFoundError:
        raise MissingDependencyError("tesseract is not installed (tesseract-ocr)") from None
    except pytesseract.TesseractError as err:
        if "language" in str(err.message).lower() or "traineddata" in str(err.message):
            raise MissingDependencyError(
                f"Tesseract language data '{LANG}' is not installed (tesseract-ocr-{LANG})"
            ) from None
        raise
    words: list[tuple[tuple[int, int, int], Token]] = []
    for i, text in enumerate(data["text"]):
        word = text.strip()
        if not word:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        box = Box(x=data["left"][i], y=data["top"][i], w=data["width"][i], h=data["height"][i])
        conf = max(0.0, float(data["conf"][i])) / 100.0
        words.append((key, Token(raw=word, text=word, box=box, ocr_conf=conf)))
    return words


def pieces_of(words: list[tuple[tuple[int, int, int], Token]]) -> list[Piece]:
    """Tesseract's lines, each cut where a gap wider than `COLUMN_GAP` line heights opens."""
    lines: dict[tuple[int, int, int], list[Token]] = {}
    for key, token in words:
        lines.setdefault(key, []).append(token)
    pieces: list[Piece] = []
    for tokens in lines.values():
        tokens.sort(key=lambda t: t.box.x if t.box else 0)
        height = median(t.box.h for t in tokens if t.box)
        current = Piece([tokens[0]])
        for token in tokens[1:]:
            assert token.box is not None
            if token.box.x - current.right > COLUMN_GAP * height:
                pieces.append(current)
                current = Piece()
            current.tokens.append(token)
        pieces.append(current)
    return pieces


def rows_of(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces gathered into rows (vertically overlapping), top to bottom, left to right."""
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.middle):
        if rows:
            first = rows[-1][0]
            if abs(piece.middle - first.middle) < 0.5 * min(piece.box.h, first.box.h):
                rows[-1].append(piece)
                continue
        rows.append([piece])
    for row in rows:
        row.sort(key=lambda p: p.left)
    return rows


def _split(row: list[Piece], left_edge: int, right_edge: int) -> tuple[list[Piece], list[Piece]]:
    """The pieces of a row in the left and the right column; raises ValueError when a piece
    reaches across from one column into the other."""
    left: list[Piece] = []
    right: list[Piece] = []
    for piece in row:
        if piece.right < right_edge:
            left.append(piece)
        elif piece.left > left_edge:
            right.append(piece)
        else:
            raise ValueError("piece spans both columns")
    return left, right


def _bottom(pieces: list[Piece]) -> int:
    return max(p.box.y + p.box.h for p in pieces)


def _ends_band(piece: Piece, own: int, other: int) -> bool:
    """Whether a piece alone in its row starts something new below a two-column band: a
    blank line parts it from its own column, and the other column has already ended."""
    return piece.box.y - own > BLANK_LINE * piece.box.h and piece.box.y > other


def reading_order(rows: list[list[Piece]]) -> list[list[Piece]]:
    """Lines to read, in order: a two-column band gives its left lines, then its right ones.

    A band starts at a row of exactly two pieces. It runs on while rows have at most two
    pieces, each wholly left of where the right column starts or right of where the left
    column ends, and stops at a lone piece set off by a blank line below a column that has
    ended ("Kính gửi:" under the header). Outside bands, a row is a line.
    """
    out: list[list[Piece]] = []
    i = 0
    while i < len(rows):
        left_edge, right_edge = rows[i][0].right, rows[i][-1].left
        if len(rows[i]) != 2 or left_edge >= right_edge:
            out.append(rows[i])
            i += 1
            continue
        left: list[list[Piece]] = [rows[i][:1]]
        right: list[list[Piece]] = [rows[i][1:]]
        i += 1
        while i < len(rows) and len(rows[i]) <= 2:
            try:
                on_left, on_right = _split(rows[i], left_edge, right_edge)
            except ValueError:
                break
            left_bottom, right_bottom = _bottom(left[-1]), _bottom(right[-1])
            if not on_right and _ends_band(on_left[0], left_bottom, right_bottom):
                break
            if not on_left and _ends_band(on_right[0], right_bottom, left_bottom):
                break
            if on_left:
                left.append(on_left)
                left_edge = max(left_edge, *(p.right for p in on_left))
            if on_right:
                right.append(on_right)
                right_edge = min(right_edge, *(p.left for p in on_right))
            i += 1
        out.extend(left + right)
    return out


def _line(pieces: list[Piece], page_no: int) -> Line:
    tokens = [t for p in pieces for t in p.tokens]
    text = " ".join(t.raw for t in tokens)
    box = pieces[0].box
    for p in pieces[1:]:
        box = box.union(p.box)
    confs = [t.ocr_conf for t in tokens if t.ocr_conf is not None]
    return Line(
        number=0,
        page=page_no,
        raw=text,
        text=text,
        box=box,
        conf=sum(confs) / len(confs) if confs else None,
        tokens=tokens,
    )


def _to_page_frame(token: Token, scale: float) -> None:
    if token.box is not None and scale != 1.0:
        b = token.box
        token.box = Box(
            x=round(b.x / scale), y=round(b.y / scale), w=round(b.w / scale), h=round(b.h / scale)
        )


def ocr_image(page: PageImage, page_no: int) -> list[Line]:
    """Lines (numbered 0, in reading order) of a prepared page; boxes in the page's frame."""
    if is_blank(page.pixels):
        return []
    with tempfile.TemporaryDirectory(prefix="vanthu-ocr-") as tmp:
        path = str(Path(tmp) / "page.bmp")  # BMP: written in milliseconds, read by leptonica
        cv2.imwrite(path, page.pixels)
        words = _words(path, page.dpi or 300)
    for _, token in words:
        _to_page_frame(token, page.scale)
    return [_line(pieces, page_no) for pieces in reading_order(rows_of(pieces_of(words)))]


def read_page(ref: PageRef, page_no: int, steps: Sequence[str] = DEFAULT_CHAIN) -> Page:
    """Rasterise, preprocess and OCR one page (lines not yet numbered)."""
    import pytesseract

    pixels, dpi = load_page(ref)
    prepared = prepare(pixels, dpi, steps)
    del pixels
    try:
        lines = ocr_image(prepared, page_no)
    except pytesseract.TesseractError as err:
        problem = " ".join(str(err.message).split())[:160]
        raise InputFileError(ref.path, f"page {page_no}: Tesseract failed ({problem})") from None
    height, width = prepared.pixels.shape
    return Page(
        number=page_no,
        width=round(width / prepared.scale),
        height=round(height / prepared.scale),
        dpi=dpi,
        rotation=prepared.rotation,
        lines=lines,
    )


def stderr_progress(done: int, total: int, elapsed: float) -> None:
    """`page i/n` with an estimate of the time left: one line rewritten on a terminal,
    at most about twenty lines in a log."""
    tty = sys.stderr.isatty()
    if not tty and done != total and done % max(1, total // 20):
        return
    left = elapsed / done * (total - done)
    end = "\n" if done == total or not tty else ""
    print(
        "\r" if tty else "",
        f"vanthu: OCR page {done}/{total}, {elapsed / done:.1f} s/page, ETA {left:.0f} s",
        sep="",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def number_lines(pages: list[Page], first: int = 1) -> None:
    """Number lines 1.. across the document; a page without text gets one empty line."""
    number = first
    for page in pages:
        if not page.lines:
            page.lines.append(Line(number=0, page=page.number, raw="", text=""))
        for line in page.lines:
            line.number = number
            line.page = page.number
            number += 1


def ocr_pages(
    refs: list[PageRef],
    *,
    skip: set[int] | None = None,
    jobs: int | None = None,
    steps: Sequence[str] = DEFAULT_CHAIN,
    progress: Progress | None = None,
) -> dict[int, Page]:
    """OCR the pages (0-based indexes not in `skip`) in parallel; pages keyed by index."""
    # Tesseract's OpenMP threads fight each other when one Tesseract runs per core.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    todo = [i for i in range(len(refs)) if i not in (skip or set())]
    if progress is None and len(todo) >= PROGRESS_MIN_PAGES:
        progress = stderr_progress
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    start = time.monotonic()
    pages: dict[int, Page] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Future[Page], int] = {
            pool.submit(read_page, refs[i], i + 1, steps): i for i in todo
        }
        try:
            for future in as_completed(futures):
                pages[futures[future]] = future.result()
                if progress is not None:
                    progress(len(pages), len(todo), time.monotonic() - start)
        except BaseException:
            for pending in futures:
                pending.cancel()
            raise
    return pages


def ocr_document(
    refs: list[PageRef],
    source: Source,
    *,
    known_text: dict[int, str] | None = None,
    jobs: int | None = None,
    steps: Sequence[str] = DEFAULT_CHAIN,
    progress: Progress | None = None,
) -> Document:
    """A document from page references: OCR'd, except pages whose text is `known_text`
    (0-based page index → text from a good PDF text layer)."""
    if not refs:
        raise InputFileError(source.path, "no pages")
    known = known_text or {}
    pages = ocr_pages(refs, skip=set(known), jobs=jobs, steps=steps, progress=progress)
    for index, text in known.items():
        pages[index] = text_pages([text])[0]
        pages[index].number = index + 1
    doc = Document(source=source, pages=[pages[i] for i in range(len(refs))])
    number_lines(doc.pages)
    doc.stage_versions["ocr"] = VERSION
    return doc
