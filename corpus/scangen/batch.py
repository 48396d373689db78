"""Many scans at once: a fixed number of pages per level, drawn from a folder of texts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus.scangen.degrade import scan_level
from corpus.scangen.errors import InputFileError, UsageError
from corpus.scangen.scan import scan_text
from corpus.scangen.writer import write_scan


@dataclass(frozen=True)
class BatchItem:
    """One PDF of a batch, as listed in `manifest.json`."""

    pdf: str  # relative to the output folder
    source: str
    level: int
    seed: int
    dpi: int
    pages: int


def find_inputs(folder: Path, pattern: str) -> list[Path]:
    """The texts in `folder` matching `pattern`, in name order."""
    if not folder.is_dir():
        raise InputFileError(f"{folder}: not a folder")
    inputs = sorted(p for p in folder.glob(pattern) if p.is_file())
    if not inputs:
        raise UsageError(f"{folder}: no files match {pattern!r}")
    return inputs


def scan_batch(
    inputs: list[Path],
    out_dir: Path,
    *,
    levels: list[int],
    pages_per_level: int,
    seed: int = 0,
    max_pages_per_doc: int = 2,
) -> list[BatchItem]:
    """Scan texts in turn until every level has `pages_per_level` pages.

    Texts are taken in a cycle that runs on across levels, each with its own seed; every
    other one gives its last pages instead of its first. Writes
    `out_dir/level{N}/NAME-p{first page}-s{seed}.pdf` with ground truth, and
    `out_dir/manifest.json`.
    """
    if pages_per_level < 1 or max_pages_per_doc < 1:
        raise UsageError("pages per level and pages per document must be at least 1")
    for level in levels:
        scan_level(level)
    items: list[BatchItem] = []
    turn = 0  # runs on across levels, so each level starts on other documents
    for level in levels:
        remaining = pages_per_level
        while remaining > 0:
            source = inputs[turn % len(inputs)]
            doc_seed = seed + 1000 * level + turn
            take = min(remaining, max_pages_per_doc)
            # Every other document gives its last pages, where the seal and signature are.
            last = (turn + turn // len(inputs)) % 2 == 1
            picked = slice(-take, None) if last else slice(0, take)
            scan = scan_text(
                source.read_text(encoding="utf-8"),
                level=level,
                seed=doc_seed,
                pages=picked,
                source=str(source),
            )
            name = source.name.removesuffix(".txt")
            first = scan.pages[0].number
            pdf = out_dir / f"level{level}" / f"{name}-p{first}-s{doc_seed}.pdf"
            write_scan(scan, pdf)
            items.append(
                BatchItem(
                    str(pdf.relative_to(out_dir)),
                    str(source),
                    level,
                    doc_seed,
                    scan.dpi,
                    len(scan.pages),
                )
            )
            remaining -= len(scan.pages)
            turn += 1
    manifest = out_dir / "manifest.json"
    manifest.write_text(
        json.dumps([asdict(item) for item in items], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    return items
