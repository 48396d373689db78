"""The `Store`: documents in, documents and DataFrames out, one transaction per document."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from pipeline import __version__
from pipeline.errors import StoreError
from pipeline.model import Document
from pipeline.store import queries, revisions, schema
from pipeline.store.engine import writer
from pipeline.store.keys import storable
from pipeline.store.rows import document_row, item_rows, line_rows, page_rows
from pipeline.store.search import search_lines

_DERIVED = (
    schema.pages,
    schema.lines,
    schema.sections,
    schema.references,
    schema.deadlines,
    schema.directives,
    schema.indicators,
    schema.entities,
)


class NotStoredError(StoreError, LookupError):
    """No document (or line) with that id is stored."""


def _now() -> datetime:
    """The current time as naive UTC, the store's convention on every backend."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class _Run:
    id: int
    saved: int = 0
    failed: int = 0
    stage_versions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredVersions:
    """A stored document's source and the stage versions that made it."""

    doc_id: int
    path: str
    sha256: str
    kind: str
    pages: int
    stage_versions: dict[str, str]


class Store:
    """Documents and what was extracted from them, in SQLite or PostgreSQL."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._run: _Run | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------

    def save(self, doc: Document) -> int:
        """Store a document (replacing the one with the same sha256, keeping its id and its
        line corrections, which win over the new text); returns its id."""
        doc = doc.model_copy(deep=True)
        d = schema.documents
        try:
            with self._writer.begin() as conn:
                doc_id: int | None = conn.execute(
                    sa.select(d.c.id).where(d.c.sha256 == doc.source.sha256)
                ).scalar_one_or_none()
                if doc_id is not None:
                    revisions.apply(doc, revisions.latest(conn, doc_id))
                row = document_row(doc, saved_at=_now(), run_id=self._run.id if self._run else None)
                if doc_id is None:
                    doc_id = conn.execute(d.insert().values(row).returning(d.c.id)).scalar_one()
                else:
                    for table in _DERIVED:
                        conn.execute(table.delete().where(table.c.document_id == doc_id))
                    conn.execute(d.update().where(d.c.id == doc_id).values(row))
                self._insert(conn, schema.pages, page_rows(doc, doc_id))
                self._insert(conn, schema.lines, line_rows(doc, doc_id))
                for table, rows in item_rows(doc, doc_id).items():
                    self._insert(conn, table, rows)
        except SQLAlchemyError as err:
            raise StoreError(f"{doc.source.path}: cannot save: {_first_line(err)}") from err
        if self._run is not None:
            self._run.saved += 1
            self._run.stage_versions.update(doc.stage_versions)
        return doc_id

    @staticmethod
    def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, object]]) -> None:
        if rows:
            conn.execute(table.insert(), rows)

    def revise_line(self, doc_id: int, line_no: int, text: str, author: str) -> None:
        """Correct a line's text as `author`; the OCR text and every earlier text are kept."""
        with self._writer.begin() as conn:
            if not revisions.revise(
                conn, doc_id, line_no, storable(text), storable(author), _now()
            ):
                raise NotStoredError(f"document {doc_id} has no line {line_no}")

    def record_error(
        self, path: str, reason: str, stage: str = "ingest", *, sha256: str | None = None
    ) -> None:
        """Note that a file failed at a stage (its sha256 is read when the file is there)."""
        if sha256 is None:
            sha256 = _sha256_if_file(path)
        with self._writer.begin() as conn:
            conn.execute(
                schema.errors.insert().values(
                    path=storable(path),
                    sha256=sha256,
                    stage=stage,
                    reason=storable(reason),
                    at=_now(),
                    run_id=self._run.id if self._run else None,
                )
            )
        if self._run is not None:
            self._run.failed += 1

    @contextmanager
    def run(self, note: str = "") -> Iterator[int]:
        """A processing run: documents saved and errors recorded inside it are counted and
        linked to it; yields the run id."""
        if self._run is not None:
            raise StoreError("a run is already in progress on this store")
        r = schema.runs
        with self._writer.begin() as conn:
            run_id = conn.execute(
                r.insert()
                .values(
                    started_at=_now(),
                    pipeline_version=__version__,
                    stage_versions={},
                    note=storable(note),
                )
                .returning(r.c.id)
            ).scalar_one()
        self._run = _Run(run_id)
        try:
            yield run_id
        finally:
            done, self._run = self._run, None
            with self._writer.begin() as conn:
                conn.execute(
                    r.update()
                    .where(r.c.id == run_id)
                    .values(
                        finished_at=_now(),
                        saved=done.saved,
                        failed=done.failed,
                        stage_versions=done.stage_versions,
                    )
                )

    # -- reading ----------------------------------------------------------------------

    def has_source(self, sha256: str) -> bool:
        d = schema.documents
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(d.c.id).where(d.c.sha256 == sha256)).first()
        return found is not None

    def stored_versions(
        self,
        *,
        since: date | None = None,
        where: list[tuple[str, str]] | None = None,
        only_ids: set[int] | None = None,
    ) -> list[StoredVersions]:
        """Stored documents, oldest id first: dated `since` or later (the document's own
        date), with each `(column, value)` of `where` matching (`*` matches any text),
        among `only_ids` when given."""
        d = schema.documents
        statement = sa.select(
            d.c.id, d.c.source_path, d.c.sha256, d.c.kind, d.c.page_count, d.c.stage_versions
        )
        if since is not None:
            statement = statement.where(d.c.date_value >= since)
        for name, value in where or []:
            column = d.c[name]
            if "*" in value:
                escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                statement = statement.where(column.like(escaped.replace("*", "%"), escape="\\"))
            else:
                statement = statement.where(column == value)
        if only_ids is not None:
            statement = statement.where(d.c.id.in_(sorted(only_ids)))
        with self.engine.connect() as conn:
            return [
                StoredVersions(
                    row.id,
                    row.source_path,
                    row.sha256,
                    row.kind,
                    row.page_count,
                    row.stage_versions or {},
                )
                for row in conn.execute(statement.order_by(d.c.id))
            ]

    def open_failures(self) -> list[tuple[str, int | None]]:
        """The newest failure of each path, unless a document from that path or with that
        content was saved after it: (path, id of the stored document with the failed
        content, when there is one)."""
        e, d = schema.errors, schema.documents
        with self.engine.connect() as conn:
            by_sha: dict[str, tuple[int, datetime]] = {}
            by_path: dict[str, datetime] = {}
            for row in conn.execute(sa.select(d.c.id, d.c.sha256, d.c.source_path, d.c.saved_at)):
                by_sha[row.sha256] = (row.id, row.saved_at)
                by_path[row.source_path] = max(
                    row.saved_at, by_path.get(row.source_path, row.saved_at)
                )
            latest: dict[str, tuple[str | None, datetime]] = {}
            for error in conn.execute(sa.select(e.c.path, e.c.sha256, e.c.at).order_by(e.c.id)):
                latest[error.path] = (error.sha256, error.at)
        out: list[tuple[str, int | None]] = []
        for path, (sha, at) in latest.items():
            stored = by_sha.get(sha) if sha is not None else None
            saved = max(
                filter(None, [stored[1] if stored else None, by_path.get(path)]), default=None
            )
            if saved is None or saved <= at:
                out.append((path, stored[0] if stored else None))
        return out

    def load(self, doc_id: int) -> Document:
        """The stored document, with line corrections made since it was saved."""
        d = schema.documents
        with self.engine.connect() as conn:
            data = conn.execute(sa.select(d.c.document).where(d.c.id == doc_id)).scalar()
            if data is None:
                raise NotStoredError(f"no document {doc_id} in the store")
            doc = Document.model_validate(data)
            revisions.overlay(conn, doc, doc_id)
        return doc

    def documents(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return queries.documents(conn)

    def tasks(
        self,
        responsible: str | None = None,
        due_before: str | date | None = None,
        overdue: bool = False,
        today: str | date | None = None,
    ) -> pd.DataFrame:
        """Directives, soonest due first; see `queries.tasks`."""
        with self.engine.connect() as conn:
            return queries.tasks(conn, responsible, due_before, overdue, today)

    def indicators(self, unit: str | None = None, since: str | date | None = None) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return queries.indicators(conn, unit, since)

    def cites(self, number: str | None = None) -> pd.DataFrame:
        """Documents citing `number` (every citation edge when None)."""
        with self.engine.connect() as conn:
            return queries.cites(conn, number)

    def search(self, text: str | bytes, limit: int = 20) -> pd.DataFrame:
        """Lines matching `text` without regard to diacritics, best first."""
        with self.engine.connect() as conn:
            return search_lines(conn, text, limit)

    def errors(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return queries.errors(conn)

    def runs(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return queries.runs(conn)

    def revisions(self, doc_id: int | None = None) -> pd.DataFrame:
        """Line corrections, oldest first: who changed which line from what to what."""
        with self.engine.connect() as conn:
            return queries.revisions(conn, doc_id)


def _first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [err.__class__.__name__])[0]


def _sha256_if_file(path: str) -> str | None:
    from pipeline.ingest import sha256_of

    try:
        p = Path(path)
        return sha256_of(p) if p.is_file() else None
    except (OSError, ValueError):
        return None
