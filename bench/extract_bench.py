"""Extraction benchmark: `vanthu extract --json` on legacy OCR text and on gold text."""

from __future__ import annotations

import json
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
        rows.append([name, *score_cells(score_extract(pairs), with_pr=True)])
    header = ["input", *[f"{c} F1 (P/R)" for c in CATEGORIES], "responsible acc", "header acc"]
    return (
        "Dev documents; the legacy OCR is restored by a model trained without the document.\n\n"
        + markdown_table([*header, "macro F1"], rows)
        + "\n\n"
        + heldout_survival()
    )


def score_cells(s: dict[str, object], with_pr: bool) -> list[str]:
    """Table cells of a scorer result: F1 per category (with precision/recall), then the
    responsible-agency and header accuracies and the macro F1."""
    cells = []
    for c in CATEGORIES:
        cat = s[c]
        assert isinstance(cat, dict)
        pr = f" ({cat['precision']:.2f}/{cat['recall']:.2f})" if with_pr else ""
        cells.append(f"{cat['f1']:.3f}{pr}")
    return [
        *cells,
        f"{s['task_responsible_acc']:.3f}",
        f"{s['doc_field_acc']:.3f}",
        f"{s['macro_f1']:.3f}",
    ]


def heldout_survival() -> str:
    """How much of what is extracted from clean text survives English-model OCR and
    restoration, on held-out corpus documents no model trained on (no hand annotation:
    the clean-text extraction is the reference)."""
    from pipeline.annotation import to_annotation
    from pipeline.run import process_file

    pairs = []
    for gold in sorted((REPO / "corpus" / "heldout" / "eng").glob("*.gold.txt")):
        name = gold.name.split(".")[0]
        ref, pred = OUT / f"{name}.clean.json", OUT / f"{name}.ocr.json"
        ref.write_text(json.dumps(to_annotation(process_file(gold)), ensure_ascii=False))
        ocr = gold.with_name(f"{name}.ocr.txt")
        pred.write_text(json.dumps(to_annotation(process_file(ocr)), ensure_ascii=False))
        pairs.append((ref, pred))
    if not pairs:
        return ""
    return (
        f"Held-out corpus renders ({len(pairs)} documents, English-model OCR → restore →"
        " extract), scored against extraction from their clean text:\n\n"
        + markdown_table(
            [*CATEGORIES, "responsible acc", "header acc", "macro F1"],
            [score_cells(score_extract(pairs), with_pr=False)],
        )
    )


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
