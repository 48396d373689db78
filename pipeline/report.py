"""Presenting results to people (tables) and programs (CSV, JSON, XLSX)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from pipeline.errors import UsageError
from pipeline.model import Document


def emit(frame: pd.DataFrame, fmt: str, output: Path | None) -> None:
    """Write a frame as a table, CSV, JSON or XLSX to `output` or stdout."""
    if fmt == "xlsx":
        if output is None:
            raise UsageError("--format xlsx needs --output FILE.xlsx")
        flat_lists(frame).to_excel(output, index=False)
        return
    if fmt == "csv":
        text = flat_lists(frame).to_csv(index=False)
    elif fmt == "json":
        text = (
            frame.to_json(orient="records", force_ascii=False, indent=1, date_format="iso") or "[]"
        )
    else:
        text = table(frame)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")


def flat_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (co-operating agencies) joined with "; " for CSV and spreadsheets."""
    out = frame.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, list)).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, list) else v)
    return out


def table(frame: pd.DataFrame, width: int = 60) -> str:
    """A plain-text table with long cells shortened."""
    if frame.empty:
        return "(none)"
    shown = frame.copy()
    for col in shown.columns:
        shown[col] = shown[col].map(lambda v: _cell(v, width))
    return shown.to_string(index=False)


def _cell(value: object, width: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def directives_frame(doc: Document) -> pd.DataFrame:
    """A document's directives with where they stand."""
    return pd.DataFrame(
        [
            {
                "page": d.anchor.page,
                "line": d.anchor.line,
                "responsible": d.responsible,
                "action": d.action,
                "deadline": d.deadline,
                "kind": d.kind,
            }
            for d in doc.directives
        ],
        columns=["page", "line", "responsible", "action", "deadline", "kind"],
    )


def directives_table(doc: Document) -> str:
    return table(directives_frame(doc))
