"""`make bench`: run every benchmark and write BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys

from bench import batch_bench, extract_bench, ocr_bench, restore_bench
from bench.common import OUT, REPO


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}"


SCANS = OUT / "scans"


def ocr_section() -> str:
    """Raw Tesseract vs vanthu OCR vs vanthu OCR + restoration on 30 generated pages."""
    if not (SCANS / "manifest.json").exists():
        subprocess.run(
            [
                *(sys.executable, "-m", "corpus.scangen", "batch", "corpus/admin", str(SCANS)),
                *("--levels", "0,1,2,3,4", "--pages-per-level", "6"),
            ],
            cwd=REPO,
            check=True,
        )
    rows = ocr_bench.compare(ocr_bench.find_scans(SCANS), os.cpu_count() or 1, True)
    return (
        "30 pages of the project's corpus rendered by `corpus.scangen` (6 per degradation"
        " level, `python -m corpus.scangen levels` lists them), OCR'd side by side in one"
        " run, one Tesseract per core. CER and WER on the page text (whitespace normalised);"
        " pages per minute on this machine, and CPU seconds per page, which depend little"
        " on what else the machine is doing (two idle cores give about 120 / that figure"
        " pages per minute).\n\n" + ocr_bench.comparison_table(rows, True)
    )


def main() -> int:
    parts = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` (`python -m bench.run`) on {dt.date.today().isoformat()},"
        f" {machine()}, Python {platform.python_version()}.",
        "Scores come from `../shared/eval/score_restore.py` and `score_extract.py`.",
        "",
        "## Restoration (`vanthu restore`)",
        "",
        restore_bench.run(),
        "",
        "## OCR (`vanthu ocr`) on generated scans",
        "",
        ocr_section(),
        "",
        "## Extraction (`vanthu extract --json`)",
        "",
        extract_bench.run(),
        "",
        "## Batches (`vanthu ingest` / `vanthu reprocess`)",
        "",
        batch_bench.run(full=True),
        "",
    ]
    text = "\n".join(parts)
    (REPO / "BENCHMARKS.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
