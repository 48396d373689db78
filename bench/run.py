"""`make bench`: run every benchmark and write BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys

from bench import batch_bench, extract_bench, restore_bench
from bench.common import REPO


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
        "## Extraction (`vanthu extract --json`)",
        "",
        extract_bench.run(),
        "",
        "## Batches (`vanthu ingest` / `vanthu reprocess`)",
        "",
        batch_bench.run(),
        "",
    ]
    text = "\n".join(parts)
    (REPO / "BENCHMARKS.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
