"""Shared paths and helpers of the benchmarks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from pipeline.vietnamese import modern_tone

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


_TOKEN = re.compile(r"\w+")


def _tokens(line: str) -> list[str]:
    return [modern_tone(t) for t in _TOKEN.findall(unicodedata.normalize("NFC", line).lower())]


def damage(gold: Path, source: Path, restored: Path) -> tuple[int, int]:
    """(tokens right in the input, of those made wrong by restoration), over the lines
    whose gold, input and output have the same number of tokens."""
    right = broken = 0
    lines = zip(
        gold.read_text(encoding="utf-8").split("\n"),
        source.read_text(encoding="utf-8").split("\n"),
        restored.read_text(encoding="utf-8").split("\n"),
        strict=False,
    )
    for g, i, o in lines:
        gt, it, ot = _tokens(g), _tokens(i), _tokens(o)
        if not len(gt) == len(it) == len(ot):
            continue
        for a, b, c in zip(gt, it, ot, strict=True):
            if a == b:
                right += 1
                broken += int(c != a)
    return right, broken
