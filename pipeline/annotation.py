"""The annotation schema of `vanthu extract --json` (that of the dev gold files)."""

from __future__ import annotations

from typing import Any

from pipeline.model import Document


def to_annotation(doc: Document) -> dict[str, Any]:
    """The document's header and items in the gold-annotation schema."""
    h = doc.header
    return {
        "doc": {
            "number": h.number,
            "type": h.type,
            "date": h.date,
            "issuer": h.issuer,
            "place": h.place,
            "subject": h.subject,
            "signer": h.signer,
        },
        "sections": [
            {"line": s.anchor.line, "label": s.label, "level": s.level, "title": s.title}
            for s in doc.sections
        ],
        "references": [
            {
                "line": r.anchor.line,
                "number": r.number,
                "type": r.type,
                "date": r.date,
                "issuer": r.issuer,
            }
            for r in doc.references
        ],
        "deadlines": [
            {"line": d.anchor.line, "date": d.date, "period": d.period, "text": d.text}
            for d in doc.deadlines
        ],
        "tasks": [
            {
                "line": t.anchor.line,
                "responsible": t.responsible,
                "cooperating": t.cooperating,
                "action": t.action,
                "deadline": t.deadline,
            }
            for t in doc.directives
        ],
        "indicators": [
            {
                "line": i.anchor.line,
                "name": i.name,
                "value": i.value,
                "total": i.total,
                "percent": i.percent,
                "unit": i.unit,
            }
            for i in doc.indicators
        ],
    }
