"""Shared paths and helpers of the benchmarks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV = SHARED / "corpus" / "dev"
EVAL = SHARED / "eval"
OUT = REPO / "bench" / "out"
DEV_DOCS = sorted(p.name.split(".")[0] for p in DEV.glob("*.gold.txt"))


def score_restore(gold: Path, pred: Path) -> dict[str, float]:
    """The project scorer's figures for one restored text."""
    run = subprocess.run(
        [sys.executable, str(EVAL / "score_restore.py"), str(gold), str(pred), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(run.stdout)["restored"]
    return result


def score_extract(pairs: list[tuple[Path, Path]]) -> dict[str, object]:
    """The project scorer's figures over (gold, predicted) annotation pairs."""
    args = [str(p) for pair in pairs for p in pair]
    run = subprocess.run(
        [sys.executable, str(EVAL / "score_extract.py"), *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(run.stdout)
    return result


def micro(results: list[dict[str, float]]) -> tuple[float, float]:
    """Word accuracy and CER summed over documents (CER weighted by gold tokens)."""
    tokens = sum(r["tokens"] for r in results)
    errors = sum(r["word_errors"] for r in results)
    cer = sum(r["cer"] * r["tokens"] for r in results) / max(1, tokens)
    return 1 - errors / max(1, tokens), cer


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
