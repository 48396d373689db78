"""The store: documents and everything extracted from them, in SQLite or PostgreSQL.

`open_store(None)` opens $VANTHU_DB or ./vanthu.db; `store.save(doc)` returns the
document's id; `store.tasks(responsible="Sở KH&CN", overdue=True)` and
`store.search("quang ngai")` answer with DataFrames.
"""

from __future__ import annotations

from pipeline.store.engine import connect
from pipeline.store.store import NotStoredError, Store

__all__ = ["NotStoredError", "Store", "open_store"]


def open_store(url: str | None = None) -> Store:
    """Open the store at a SQLite path or a PostgreSQL URL (None: $VANTHU_DB, else
    ./vanthu.db), creating it or migrating it to the newest schema."""
    return Store(connect(url))
