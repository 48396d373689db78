"""Human corrections of line text: recorded once, never lost when a document is re-saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from pipeline.model import Document
from pipeline.store import schema
from pipeline.store.keys import folded


@dataclass(frozen=True)
class Revision:
    line_no: int
    raw: str
    text: str


def latest(conn: sa.Connection, doc_id: int) -> list[Revision]:
    """The newest correction of each revised line of a document."""
    r = schema.line_revisions
    rows = conn.execute(
        sa.select(r.c.line_no, r.c.raw, r.c.new_text)
        .where(r.c.document_id == doc_id)
        .order_by(r.c.line_no, r.c.revised_at, r.c.id)
    ).all()
    newest = {row[0]: Revision(row[0], row[1], row[2]) for row in rows}
    return list(newest.values())


def apply(doc: Document, revisions: list[Revision]) -> None:
    """Put corrections onto the lines they were made on: the line with the same number and
    OCR text, else the one line anywhere with that OCR text; a correction whose line is
    gone is kept in the store but not applied."""
    lines = doc.lines
    by_number = {ln.number: ln for ln in lines}
    by_raw: dict[str, list[int]] = {}
    for ln in lines:
        by_raw.setdefault(ln.raw, []).append(ln.number)
    for rev in revisions:
        line = by_number.get(rev.line_no)
        if line is None or line.raw != rev.raw:
            same = by_raw.get(rev.raw, [])
            line = by_number[same[0]] if len(same) == 1 else None
        if line is not None:
            line.text = rev.text
            line.revised = True


def revise(
    conn: sa.Connection, doc_id: int, line_no: int, text: str, author: str, at: datetime
) -> bool:
    """Record a correction and make it the line's current text; False if no such line."""
    ln = schema.lines
    row = conn.execute(
        sa.select(ln.c.id, ln.c.raw, ln.c.text).where(
            ln.c.document_id == doc_id, ln.c.number == line_no
        )
    ).first()
    if row is None:
        return False
    conn.execute(
        schema.line_revisions.insert().values(
            document_id=doc_id,
            line_no=line_no,
            raw=row.raw,
            old_text=row.text,
            new_text=text,
            author=author,
            revised_at=at,
        )
    )
    conn.execute(
        ln.update().where(ln.c.id == row.id).values(text=text, folded=folded(text), revised=True)
    )
    return True


def overlay(conn: sa.Connection, doc: Document, doc_id: int) -> None:
    """Set the current text of revised lines from the lines table."""
    ln = schema.lines
    rows = conn.execute(
        sa.select(ln.c.number, ln.c.text).where(ln.c.document_id == doc_id, ln.c.revised)
    ).all()
    current = dict((number, text) for number, text in rows)
    for line in doc.lines:
        if line.number in current:
            line.text = current[line.number]
            line.revised = True
