"""OCR: page images to lines of tokens with boxes and confidences (Tesseract `vie`)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pipeline.errors import InputFileError, MissingDependencyError
from pipeline.model import Box, Document, Line, Page, Source, Token

VERSION = "0.0.1"
DPI = 300


def page_images(path: Path, kind: str) -> list[Image.Image]:
    """Rasterise a PDF (or open an image) into page images."""
    if kind == "pdf":
        from pdf2image import convert_from_path
        from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError

        try:
            return list(convert_from_path(str(path), dpi=DPI, grayscale=True))
        except PDFInfoNotInstalledError:
            raise MissingDependencyError("poppler-utils is not installed") from None
        except PDFPageCountError as err:
            raise InputFileError(str(path), f"unreadable PDF ({err})") from None
    try:
        img = Image.open(path)
        img.load()
    except Exception as err:  # PIL raises many kinds for a bad image
        raise InputFileError(str(path), f"not a readable image ({err})") from None
    return [img]


def ocr_page(image: Image.Image, page_no: int, first_line: int) -> Page:
    """OCR one page image into lines; a page with no text still gets one empty line."""
    import pytesseract

    data = pytesseract.image_to_data(
        image, lang="vie", config="--psm 3", output_type=pytesseract.Output.DICT
    )
    groups: dict[tuple[int, int, int], list[Token]] = {}
    for i, word in enumerate(data["text"]):
        if not word.strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        box = Box(x=data["left"][i], y=data["top"][i], w=data["width"][i], h=data["height"][i])
        conf = max(0.0, float(data["conf"][i])) / 100.0
        groups.setdefault(key, []).append(Token(raw=word, text=word, box=box, ocr_conf=conf))
    page = Page(number=page_no, width=image.width, height=image.height, dpi=DPI)
    number = first_line
    for tokens in groups.values():
        text = " ".join(t.raw for t in tokens)
        box = tokens[0].box
        for t in tokens[1:]:
            if box is not None and t.box is not None:
                box = box.union(t.box)
        confs = [t.ocr_conf for t in tokens if t.ocr_conf is not None]
        page.lines.append(
            Line(
                number=number,
                page=page_no,
                raw=text,
                text=text,
                box=box,
                conf=sum(confs) / len(confs) if confs else None,
                tokens=tokens,
            )
        )
        number += 1
    if not page.lines:
        page.lines.append(Line(number=number, page=page_no, raw="", text=""))
    return page


def ocr_document(path: Path, source: Source) -> Document:
    """OCR every page of a PDF or image file."""
    doc = Document(source=source)
    next_line = 1
    for page_no, image in enumerate(page_images(path, source.kind), start=1):
        page = ocr_page(image, page_no, next_line)
        next_line += len(page.lines)
        doc.pages.append(page)
    doc.stage_versions["ocr"] = VERSION
    return doc
