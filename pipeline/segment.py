"""Segmentation: header fields and the section tree, each line knowing its section."""

from __future__ import annotations

from pipeline.model import Document

VERSION = "0.0.1"


def segment_document(doc: Document) -> Document:
    """Fill `doc.header` and `doc.sections`; set each line's `section`."""
    doc.stage_versions["segment"] = VERSION
    return doc
