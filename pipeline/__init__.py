"""vanthu: OCR and extraction for scanned Vietnamese administrative documents.

Public API::

    from pipeline import restore, extract, open_store
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.model import Document
    from pipeline.store import Store

__version__ = "0.1.0"


def restore(text: str) -> str:
    """Restored Vietnamese text, one output line per input line."""
    from pipeline.restore import restore_text

    return restore_text(text)


def extract(path: str) -> Document:
    """Run every stage on a file (PDF, image or text) and return the document."""
    from pipeline.run import process_file

    return process_file(path)


def open_store(url: str | None = None) -> Store:
    """Open (and create or migrate) the store at a SQLAlchemy URL or SQLite path."""
    from pipeline.store import open_store as _open

    return _open(url)
