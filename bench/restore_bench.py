"""Restoration benchmark: input vs pyvi vs vanthu, on dev (leave-one-out) and variants."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import DEV, DEV_DOCS, OUT, REPO, markdown_table, micro, score_restore
from pipeline.training.build import build_model
from pipeline.vietnamese import fold

VANTHU = str(REPO / ".venv" / "bin" / "vanthu")


def loo_model(doc: str) -> Path:
    """A restoration model trained without dev document `doc`."""
    path = OUT / f"restore-without-{doc}.pkl.gz"
    build_model(exclude_dev=frozenset([doc])).save(path)
    return path


def vanthu_restore(src: Path, dst: Path, model: Path | None) -> float:
    """Run `vanthu restore` as a user would; returns wall seconds."""
    env = dict(os.environ)
    if model is not None:
        env["VANTHU_RESTORE_MODEL"] = str(model)
    start = time.perf_counter()
    with dst.open("w", encoding="utf-8") as fh:
        subprocess.run([VANTHU, "restore", str(src)], stdout=fh, env=env, check=True)
    return time.perf_counter() - start


def pyvi_restore(src: Path, dst: Path) -> None:
    """pyvi's add_accents on the ASCII-folded input, line by line."""
    from pyvi import ViUtils

    out = []
    for line in src.read_text(encoding="utf-8").split("\n"):
        folded = fold(line).encode("ascii", "ignore").decode()
        try:
            out.append(ViUtils.add_accents(folded) if folded.strip() else line)
        except (KeyError, IndexError):  # pyvi fails on some punctuation runs
            out.append(folded)
    dst.write_text("\n".join(out), encoding="utf-8")


def stripped_copy(gold: Path, dst: Path) -> None:
    dst.write_text(fold(gold.read_text(encoding="utf-8")), encoding="utf-8")


def run() -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    models = {d: loo_model(d) for d in DEV_DOCS}
    sets: dict[str, dict[str, Path]] = {"legacy eng-OCR (dev)": {}, "diacritics stripped (dev)": {}}
    for d in DEV_DOCS:
        sets["legacy eng-OCR (dev)"][d] = DEV / f"{d}.ocr.txt"
        stripped = OUT / f"{d}.stripped.txt"
        stripped_copy(DEV / f"{d}.gold.txt", stripped)
        sets["diacritics stripped (dev)"][d] = stripped
    rows = []
    for name, inputs in sets.items():
        per_system: dict[str, list[dict[str, float]]] = {"input": [], "pyvi": [], "vanthu": []}
        for d, src in inputs.items():
            gold = DEV / f"{d}.gold.txt"
            per_system["input"].append(score_restore(gold, src))
            pv = OUT / f"{d}.{name[:6].strip()}.pyvi.txt"
            pyvi_restore(src, pv)
            per_system["pyvi"].append(score_restore(gold, pv))
            vt = OUT / f"{d}.{name[:6].strip()}.vanthu.txt"
            vanthu_restore(src, vt, models[d])
            per_system["vanthu"].append(score_restore(gold, vt))
        for system, results in per_system.items():
            acc, cer = micro(results)
            docs = " ".join(f"{r['word_acc']:.3f}" for r in results)
            rows.append([name, system, f"{acc:.4f}", f"{cer:.4f}", docs])
    table = markdown_table(
        ["test set", "system", "word acc", "CER", "per document (000 001 002)"], rows
    )
    return (
        "Dev documents are restored by a model trained without them (leave-one-document-out);"
        " the shipped model also learns from all three.\n\n" + table + "\n\n" + speed(models)
    )


def speed(models: dict[str, Path]) -> str:
    """Syllables per second on one core, and the start-up time of the command."""
    from pipeline.restore import RestorationModel, Restorer

    text = "\n".join((DEV / f"{d}.ocr.txt").read_text(encoding="utf-8") for d in DEV_DOCS)
    lines = text.split("\n")
    words = len(text.split())
    restorer = Restorer(RestorationModel.load(models[DEV_DOCS[0]]))
    start = time.perf_counter()
    restorer.restore_lines(lines)
    cold = time.perf_counter() - start
    one = OUT / "one-line.txt"
    one.write_text("Bao cao két qua thuc hién\n", encoding="utf-8")
    startup = min(vanthu_restore(one, OUT / "one-line.out", None) for _ in range(3))
    return markdown_table(
        ["measure", "value"],
        [
            [
                "syllables per second, one core (all dev OCR text, cold caches)",
                f"{words / cold:,.0f}",
            ],
            ["`vanthu restore` on one line, wall seconds (best of 3)", f"{startup:.2f}"],
            [
                "model file size",
                f"{(REPO / 'models' / 'restore.pkl.gz').stat().st_size / 1e6:.1f} MB",
            ],
        ],
    )


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
