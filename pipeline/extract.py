"""Extraction: references, deadlines, directives, indicators and entities."""

from __future__ import annotations

from pipeline.model import Document

VERSION = "0.0.1"


def extract_items(doc: Document) -> Document:
    """Fill the extracted item lists of a segmented document."""
    doc.stage_versions["extract"] = VERSION
    return doc
