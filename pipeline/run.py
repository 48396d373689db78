"""The chain of stages: ingest → OCR → restore → segment → extract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.ingest import ingest
from pipeline.model import Document

Stage = Callable[[Document], Document]


def text_stages() -> list[tuple[str, Stage]]:
    """The stages that run on a document's text, in order, by name."""
    from pipeline.extract import extract_items
    from pipeline.restore import restore_document
    from pipeline.segment import segment_document

    return [
        ("restore", restore_document),
        ("segment", segment_document),
        ("extract", extract_items),
    ]


def run_text_stages(doc: Document, only: set[str] | None = None) -> Document:
    """Apply the text stages (or those named in `only`) to a document."""
    for name, stage in text_stages():
        if only is None or name in only:
            doc = stage(doc)
    return doc


def process_file(path: str | Path) -> Document:
    """A file in, a fully processed document out."""
    return run_text_stages(ingest(path))
