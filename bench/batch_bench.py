"""Batch benchmark: `vanthu ingest` and `vanthu reprocess` over a generated archive.

The archive: legacy text documents in the style of an English-model OCR (the corpus'
administrative texts with each word replaced by an English-model reading of it from
`models/channel_pairs.tsv`, or stripped of its diacritics; `corpus/heldout/eng/*.ocr.txt`
as they are), replicated with variations (document number, dropped lines) up to 50, 200
and, with `--full`, 1,000 documents; and scanned PDFs (`corpus/samples/*.pdf` and pages
made by `corpus.scangen`). Every figure comes from the `--report` JSON of a real
`vanthu` process on a fresh SQLite store.

    python -m bench.batch_bench            # about 7 minutes on 2 cores
    python -m bench.batch_bench --full     # adds the 1,000-document point (+4 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import OUT, REPO, markdown_table

VANTHU = str(REPO / ".venv" / "bin" / "vanthu")
SIZES = (50, 200)
FULL_SIZE = 1000
SCAN_PAGES = 12  # scangen pages at level 1, beside the samples' 4
_WORD = re.compile(r"\w+")


def _english_readings() -> dict[str, list[str]]:
    readings: dict[str, list[str]] = {}
    pairs = REPO / "models" / "channel_pairs.tsv"
    for line in pairs.read_text(encoding="utf-8").splitlines():
        true, _, printed = line.partition("\t")
        if true and printed:
            readings.setdefault(true, []).append(printed)
    return readings


def legacy_style(text: str, rng: random.Random, readings: dict[str, list[str]]) -> str:
    """Text as Tesseract's English model prints Vietnamese: `số` → `s6`, `ủy` → `uy`."""
    from pipeline.vietnamese import fold

    def word(m: re.Match[str]) -> str:
        w = m.group()
        options = readings.get(w) or readings.get(w.lower())
        return rng.choice(options) if options else fold(w)

    return _WORD.sub(word, text)


def make_archive(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """`count` distinct legacy text documents in `folder`."""
    rng = random.Random(seed)
    readings = _english_readings()
    admin = sorted((REPO / "corpus" / "admin").glob("*.txt"))
    bases = [legacy_style(p.read_text(encoding="utf-8"), rng, readings) for p in admin]
    heldout = sorted(REPO.glob("corpus/heldout/eng/*.ocr.txt"))
    bases += [p.read_text(encoding="utf-8") for p in heldout]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        lines = bases[i % len(bases)].split("\n")
        kept = [ln for ln in lines if rng.random() > 0.05 or not ln.strip()]
        kept.insert(min(3, len(kept)), f"S6: {rng.randint(1, 9999)}/BC-UBND ban {i}")
        path = folder / f"legacy-{i:04d}.txt"
        path.write_text("\n".join(kept), encoding="utf-8")
        out.append(path)
    return out


def scans(folder: Path, pages: int = SCAN_PAGES) -> list[Path]:
    """The sample PDFs and a scangen batch of `pages` pages (made once, then reused)."""
    made = folder / f"scangen-{pages}"
    if not (made / "manifest.json").exists():
        subprocess.run(
            [sys.executable, "-m", "corpus.scangen", "batch", "corpus/admin", str(made),
             "--levels", "1", "--pages-per-level", str(pages)],
            cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
    return sorted((REPO / "corpus" / "samples").glob("*.pdf")) + sorted(made.rglob("*.pdf"))


def vanthu(args: list[str], db: Path, work: Path) -> dict[str, Any]:
    """Run one `vanthu` batch command; its run report, with the wall time added."""
    report = work / "report.json"
    started = time.monotonic()
    done = subprocess.run(
        [VANTHU, *args, "--db", str(db), "--report", str(report)],
        capture_output=True, text=True, cwd=work,
    )  # fmt: skip
    if done.returncode not in (0, 3):
        raise RuntimeError(f"vanthu {' '.join(args)} failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(report.read_text())
    result["wall_seconds"] = time.monotonic() - started
    return result


def ingest(paths: list[Path], jobs: int, work: Path, tag: str) -> tuple[dict[str, Any], Path]:
    """Ingest into a new store; the report and the store."""
    db = work / f"{tag}.db"
    return vanthu(["ingest", *map(str, paths), "--jobs", str(jobs)], db, work), db


def peak_worker_mb(report: dict[str, Any]) -> float:
    return max(report["worker_peak_rss_mb"].values(), default=0.0)


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def run(full: bool = False) -> str:
    """The Markdown section: throughput with 1 and 2 workers, memory, growth with size."""
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = (*SIZES, FULL_SIZE) if full else SIZES
    parts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vanthu-bench-") as tmp:
        work = Path(tmp)
        for n in sizes:
            make_archive(work / f"archive-{n}", n, seed=n)
        scanned = scans(OUT / "batch")

        rows = []
        text_runs: dict[int, tuple[dict[str, Any], Path]] = {}
        for label, paths in [
            ("legacy text, 200 documents", [work / "archive-200"]),
            ("scanned PDFs", scanned),
        ]:
            for jobs in (1, 2):
                report, db = ingest(paths, jobs, work, f"ingest-{len(paths)}-{jobs}")
                if len(paths) == 1:
                    text_runs[jobs] = (report, db)
                rows.append([
                    label, str(jobs), str(report["documents"]["succeeded"]), str(report["pages"]),
                    _fmt(report["seconds"]), _fmt(report["pages_per_minute"]),
                    _fmt(report["documents_per_minute"]),
                    _fmt(report["worker_cpu_seconds"] / max(1, report["pages"]), 2),
                    _fmt(peak_worker_mb(report), 0),
                ])  # fmt: skip
        parts += [
            "Ingest (`vanthu ingest PATHS --jobs N`, SQLite store, every document new):",
            "",
            markdown_table(
                [
                    "input",
                    "workers",
                    "documents",
                    "pages",
                    "seconds",
                    "pages/min",
                    "docs/min",
                    "CPU s per page",
                    "peak MB per worker",
                ],
                rows,
            ),
            "",
        ]

        rows = []
        for jobs in (1, 2):
            report = vanthu(
                ["reprocess", "--stage", "all", "--force", "--jobs", str(jobs)],
                text_runs[2][1],
                work,
            )
            rows.append([
                str(jobs), str(report["documents"]["succeeded"]), _fmt(report["seconds"]),
                _fmt(report["documents_per_minute"]),
                _fmt(report["worker_cpu_seconds"] / max(1, report["documents"]["succeeded"]), 2),
                _fmt(peak_worker_mb(report), 0),
                ", ".join(f"{k} {v:.0f} s" for k, v in report["stage_seconds"].items()),
            ])  # fmt: skip
        parts += [
            "Reprocess (`vanthu reprocess --stage all --force --jobs N`: restore, segment and"
            " extract again from the stored OCR text of the 200 documents):",
            "",
            markdown_table(
                [
                    "workers",
                    "documents",
                    "seconds",
                    "docs/min",
                    "CPU s per document",
                    "peak MB per worker",
                    "time in stages (all workers)",
                ],
                rows,
            ),
            "",
        ]

        rows = []
        for n in sizes:
            report = (
                text_runs[2][0]
                if n == 200
                else ingest([work / f"archive-{n}"], 2, work, f"n{n}")[0]
            )
            rows.append([
                str(n), _fmt(report["seconds"]), _fmt(report["seconds"] / n, 3),
                _fmt(report["worker_cpu_seconds"] / n, 3),
                _fmt(report["documents_per_minute"]), _fmt(report["wall_seconds"]),
            ])  # fmt: skip
        parts += [
            "Growth with the archive (`vanthu ingest --jobs 2`, legacy text):",
            "",
            markdown_table(
                [
                    "documents",
                    "batch seconds",
                    "seconds per document",
                    "CPU s per document",
                    "docs/min",
                    "wall seconds (with start-up)",
                ],
                rows,
            ),
            "",
        ]
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    load = os.getloadavg()[1]
    parts += [
        f"Machine load (5-minute average) at the end: {load:.1f} on {os.cpu_count()} cores;"
        " other work on the machine slows every row, and more so with 2 workers.",
        "",
        f"Largest process of all runs (a batch parent, a worker or a Tesseract): {largest:.0f} MB"
        " (`getrusage(RUSAGE_CHILDREN)`). Worker peaks are each worker's own"
        " `ru_maxrss`, reported in the run report; CPU seconds are the workers' and their"
        " Tesseracts' (`worker_cpu_seconds`), which other load on the machine hardly"
        " changes. A worker loads the restoration model"
        " once (several seconds), which the 50-document point pays for in full."
        + ("" if full else " The 1,000-document point runs with `--full`."),
    ]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="add the 1,000-document point")
    args = parser.parse_args()
    print(run(full=args.full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
