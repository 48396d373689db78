"""A `Document` as table rows: one function per table, no database access."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa

from pipeline import __version__
from pipeline.model import Anchor, Box, Document
from pipeline.store import schema
from pipeline.store.days import due_day, iso_day, period_end
from pipeline.store.keys import agency_key, folded, number_key, storable, word_key

Row = dict[str, Any]


class _Anchored(Protocol):
    @property
    def anchor(self) -> Anchor: ...


_Item = TypeVar("_Item", bound=_Anchored)


def box_columns(box: Box | None) -> Row:
    if box is None:
        return {"box_x": None, "box_y": None, "box_w": None, "box_h": None}
    return {"box_x": box.x, "box_y": box.y, "box_w": box.w, "box_h": box.h}


def document_row(doc: Document, *, saved_at: datetime, run_id: int | None) -> Row:
    h = doc.header
    return {
        "source_path": storable(doc.source.path),
        "sha256": doc.source.sha256,
        "kind": doc.source.kind,
        "text_layer": doc.source.text_layer,
        "parent_authority": h.parent_authority,
        "issuer": h.issuer,
        "number": h.number,
        "number_key": number_key(h.number) if h.number else None,
        "type": h.type,
        "place": h.place,
        "date": h.date,
        "date_value": iso_day(h.date),
        "subject": h.subject,
        "recipients": list(h.recipients),
        "signer": h.signer,
        "signer_title": h.signer_title,
        "authority_mark": h.authority_mark,
        "page_count": len(doc.pages),
        "line_count": sum(len(p.lines) for p in doc.pages),
        "stage_versions": dict(doc.stage_versions),
        "pipeline_version": __version__,
        "document": doc.model_dump(mode="json"),
        "saved_at": saved_at,
        "run_id": run_id,
    }


def page_rows(doc: Document, doc_id: int) -> list[Row]:
    return [
        {
            "document_id": doc_id,
            "number": p.number,
            "width": p.width,
            "height": p.height,
            "dpi": p.dpi,
            "rotation": p.rotation,
        }
        for p in doc.pages
    ]


def line_rows(doc: Document, doc_id: int) -> list[Row]:
    return [
        {
            "document_id": doc_id,
            "page": ln.page,
            "number": ln.number,
            "raw": ln.raw,
            "text": ln.text,
            "folded": folded(ln.text),
            **box_columns(ln.box),
            "conf": ln.conf,
            "section": ln.section,
            "tokens": [t.model_dump(mode="json") for t in ln.tokens],
            "revised": ln.revised,
        }
        for ln in doc.lines
    ]


def _item_rows(
    doc: Document,
    doc_id: int,
    table: sa.Table,
    items: Sequence[_Item],
    fields: Callable[[_Item], Row],
) -> list[Row]:
    """Rows of one item table: the item's own columns from `fields`, plus the shared ones."""
    stage_version = doc.stage_versions.get(schema.ITEM_STAGES[table.name])
    rows = []
    for position, item in enumerate(items):
        anchor = item.anchor
        rows.append(
            {
                "document_id": doc_id,
                "position": position,
                **fields(item),
                "page": anchor.page,
                "line": anchor.line,
                **box_columns(anchor.box),
                "stage_version": stage_version,
                "pipeline_version": __version__,
            }
        )
    return rows


def item_rows(doc: Document, doc_id: int) -> dict[sa.Table, list[Row]]:
    """Rows for every extracted-item table."""
    return {
        schema.sections: _item_rows(
            doc,
            doc_id,
            schema.sections,
            doc.sections,
            lambda s: {"label": s.label, "level": s.level, "title": s.title, "path": s.path},
        ),
        schema.references: _item_rows(
            doc,
            doc_id,
            schema.references,
            doc.references,
            lambda r: {
                "number": r.number,
                "number_key": number_key(r.number),
                "type": r.type,
                "date": r.date,
                "date_value": iso_day(r.date),
                "issuer": r.issuer,
            },
        ),
        schema.deadlines: _item_rows(
            doc,
            doc_id,
            schema.deadlines,
            doc.deadlines,
            lambda d: {
                "date": d.date,
                "date_value": iso_day(d.date),
                "period": d.period,
                "due": iso_day(d.date) or period_end(d.period),
                "text": d.text,
                "invalid": d.invalid,
            },
        ),
        schema.directives: _item_rows(
            doc,
            doc_id,
            schema.directives,
            doc.directives,
            lambda t: {
                "responsible": t.responsible,
                "responsible_key": agency_key(t.responsible),
                "cooperating": list(t.cooperating),
                "action": t.action,
                "deadline": t.deadline,
                "deadline_date": iso_day(t.deadline),
                "deadline_period": None if iso_day(t.deadline) else t.deadline,
                "due": due_day(t.deadline),
                "kind": t.kind,
                "section": t.section,
            },
        ),
        schema.indicators: _item_rows(
            doc,
            doc_id,
            schema.indicators,
            doc.indicators,
            lambda i: {
                "name": i.name,
                "value": i.value,
                "total": i.total,
                "percent": i.percent,
                "unit": i.unit,
                "unit_key": word_key(i.unit) if i.unit else None,
                "as_of": i.as_of,
                "as_of_value": due_day(i.as_of),
                "text": i.text,
            },
        ),
        schema.entities: _item_rows(
            doc,
            doc_id,
            schema.entities,
            doc.entities,
            lambda e: {"kind": e.kind, "text": e.text, "normalized": e.normalized},
        ),
    }
