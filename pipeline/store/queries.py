"""The store's questions, each answered as a pandas DataFrame."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa

from pipeline.errors import UsageError
from pipeline.store import schema
from pipeline.store.days import iso_day
from pipeline.store.keys import agency_key, number_key, word_key

_d = schema.documents


def frame(conn: sa.Connection, statement: sa.Select[Any]) -> pd.DataFrame:
    """Run a select; the frame's columns are its labels, in order, even when empty."""
    result = conn.execute(statement)
    return pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))


def _day(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    day = iso_day(value)
    if day is None:
        raise UsageError(f"{name}: expected a date YYYY-MM-DD, got {value!r}")
    return day


def documents(conn: sa.Connection) -> pd.DataFrame:
    directives = (
        sa.select(sa.func.count())
        .where(schema.directives.c.document_id == _d.c.id)
        .scalar_subquery()
    )
    return frame(
        conn,
        sa.select(
            _d.c.id,
            _d.c.source_path.label("path"),
            _d.c.sha256,
            _d.c.kind,
            _d.c.number,
            _d.c.type,
            _d.c.date,
            _d.c.issuer,
            _d.c.subject,
            _d.c.page_count.label("pages"),
            _d.c.line_count.label("lines"),
            directives.label("directives"),
            _d.c.pipeline_version,
            _d.c.saved_at,
        ).order_by(_d.c.id),
    )


def tasks(
    conn: sa.Connection,
    responsible: str | None = None,
    due_before: str | date | None = None,
    overdue: bool = False,
    today: str | date | None = None,
) -> pd.DataFrame:
    """Directives with their document and anchor; `due` is the deadline's day, or the last
    day of its period. `due_before` keeps those due on or before that day; `overdue` those
    due before `today`."""
    t = schema.directives
    statement = (
        sa.select(
            t.c.document_id,
            _d.c.number.label("document_number"),
            _d.c.source_path.label("path"),
            t.c.page,
            t.c.line,
            t.c.responsible,
            t.c.cooperating,
            t.c.action,
            t.c.deadline,
            sa.cast(t.c.due, sa.String).label("due"),
            t.c.kind,
            t.c.section,
        )
        .join(_d, _d.c.id == t.c.document_id)
        .order_by(t.c.due.is_(None), t.c.due, t.c.document_id, t.c.position)
    )
    if responsible:
        statement = statement.where(
            t.c.responsible_key.contains(agency_key(responsible), autoescape=True)
        )
    before = _day(due_before, "due_before")
    if before is not None:
        statement = statement.where(t.c.due <= before)
    if overdue:
        statement = statement.where(t.c.due < (_day(today, "today") or date.today()))
    return frame(conn, statement)


def indicators(
    conn: sa.Connection, unit: str | None = None, since: str | date | None = None
) -> pd.DataFrame:
    """Indicators with their document; `since` keeps those as of (or, without a date of
    their own, from a document dated) that day or later."""
    i = schema.indicators
    as_of = sa.func.coalesce(i.c.as_of_value, _d.c.date_value)
    statement = (
        sa.select(
            i.c.document_id,
            _d.c.number.label("document_number"),
            i.c.page,
            i.c.line,
            i.c.name,
            i.c.value,
            i.c.total,
            i.c.percent,
            i.c.unit,
            sa.func.coalesce(i.c.as_of, _d.c.date).label("as_of"),
            i.c.text,
        )
        .join(_d, _d.c.id == i.c.document_id)
        .order_by(i.c.document_id, i.c.position)
    )
    if unit:
        statement = statement.where(i.c.unit_key == word_key(unit))
    start = _day(since, "since")
    if start is not None:
        statement = statement.where(as_of >= start)
    return frame(conn, statement)


def cites(conn: sa.Connection, number: str | None = None) -> pd.DataFrame:
    """Citation edges: which stored document cites which number, where, and the stored
    document bearing that number if there is one. All edges when `number` is None."""
    r = schema.references
    cited = _d.alias("cited")
    statement = (
        sa.select(
            r.c.document_id.label("citing_id"),
            _d.c.number.label("citing_number"),
            _d.c.source_path.label("citing_path"),
            r.c.number.label("cited_number"),
            r.c.type.label("cited_type"),
            r.c.date.label("cited_date"),
            r.c.issuer.label("cited_issuer"),
            cited.c.id.label("cited_id"),
            r.c.page,
            r.c.line,
        )
        .join(_d, _d.c.id == r.c.document_id)
        .outerjoin(cited, cited.c.number_key == r.c.number_key)
        .order_by(r.c.document_id, r.c.position)
    )
    if number is not None:
        statement = statement.where(r.c.number_key == number_key(number))
    return frame(conn, statement)


def errors(conn: sa.Connection) -> pd.DataFrame:
    e = schema.errors
    return frame(
        conn,
        sa.select(e.c.id, e.c.path, e.c.sha256, e.c.stage, e.c.reason, e.c.at, e.c.run_id).order_by(
            e.c.id
        ),
    )


def runs(conn: sa.Connection) -> pd.DataFrame:
    r = schema.runs
    return frame(
        conn,
        sa.select(
            r.c.id,
            r.c.started_at,
            r.c.finished_at,
            r.c.saved,
            r.c.failed,
            r.c.pipeline_version,
            r.c.stage_versions,
            r.c.note,
        ).order_by(r.c.id),
    )


def revisions(conn: sa.Connection, doc_id: int | None = None) -> pd.DataFrame:
    r = schema.line_revisions
    statement = sa.select(
        r.c.id,
        r.c.document_id,
        r.c.line_no.label("line"),
        r.c.raw,
        r.c.old_text,
        r.c.new_text,
        r.c.author,
        r.c.revised_at,
    ).order_by(r.c.revised_at, r.c.id)
    if doc_id is not None:
        statement = statement.where(r.c.document_id == doc_id)
    return frame(conn, statement)
