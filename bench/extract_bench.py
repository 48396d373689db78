"""Extraction benchmark: `vanthu extract --json` on legacy OCR text and on gold text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.common import DEV, DEV_DOCS, OUT, REPO, markdown_table, score_extract

VANTHU = str(REPO / ".venv" / "bin" / "vanthu")
CATEGORIES = ("sections", "references", "deadlines", "tasks", "indicators")


def extract_json(src: Path, dst: Path, model: Path | None) -> None:
    env = dict(os.environ)
    if model is not None:
        env["VANTHU_RESTORE_MODEL"] = str(model)
    with dst.open("w", encoding="utf-8") as fh:
        subprocess.run([VANTHU, "extract", str(src), "--json"], stdout=fh, env=env, check=True)


def run() -> str:
    """Scores of the legacy OCR text (restored by a model that did not see the document)
    and of the gold text (extraction errors alone)."""
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, suffix in [
        ("legacy OCR → restore → extract", "ocr"),
        ("gold text → extract", "gold"),
    ]:
        pairs = []
        for d in DEV_DOCS:
            model = OUT / f"restore-without-{d}.pkl.gz"
            pred = OUT / f"{d}.{suffix}.extract.json"
            extract_json(DEV / f"{d}.{suffix}.txt", pred, model if model.exists() else None)
            pairs.append((DEV / f"{d}.gold.json", pred))
        s = score_extract(pairs)
        cells = []
        for c in CATEGORIES:
            cat = s[c]
            assert isinstance(cat, dict)
            cells.append(f"{cat['f1']:.3f} ({cat['precision']:.2f}/{cat['recall']:.2f})")
        rows.append(
            [
                name,
                *cells,
                f"{s['task_responsible_acc']:.3f}",
                f"{s['doc_field_acc']:.3f}",
                f"{s['macro_f1']:.3f}",
            ]
        )
    header = ["input", *[f"{c} F1 (P/R)" for c in CATEGORIES], "responsible acc", "header acc"]
    return markdown_table([*header, "macro F1"], rows)


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
