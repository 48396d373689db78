"""Restoration benchmark: input vs pyvi vs vanthu, on dev (leave-one-out) and variants."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    DEV,
    DEV_DOCS,
    OUT,
    REPO,
    damage,
    markdown_table,
    micro,
    score_restore,
)
from pipeline.training.build import build_model
from pipeline.training.sources import admin_texts
from pipeline.vietnamese import fold

VANTHU = str(REPO / ".venv" / "bin" / "vanthu")
HELDOUT = REPO / "corpus" / "heldout"


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


@dataclass(frozen=True)
class Case:
    """One document of a test set: its gold text, the input to restore, the model to use."""

    name: str
    gold: Path
    source: Path
    model: Path | None  # None: the shipped model


def test_sets(models: dict[str, Path]) -> dict[str, list[Case]]:
    """The test sets: dev legacy OCR, dev stripped, and held-out corpus OCR (if present)."""
    sets: dict[str, list[Case]] = {"legacy eng-OCR (dev)": [], "diacritics stripped (dev)": []}
    for d in DEV_DOCS:
        gold = DEV / f"{d}.gold.txt"
        sets["legacy eng-OCR (dev)"].append(Case(d, gold, DEV / f"{d}.ocr.txt", models[d]))
        stripped = OUT / f"{d}.stripped.txt"
        stripped_copy(gold, stripped)
        sets["diacritics stripped (dev)"].append(Case(d, gold, stripped, models[d]))
    for kind, title in [("eng", "eng-OCR of held-out corpus renders"), ("vie", VIE_TITLE)]:
        folder = HELDOUT / kind
        cases = [
            Case(g.name.split(".")[0], g, g.with_name(g.name.replace(".gold.", ".ocr.")), None)
            for g in sorted(folder.glob("*.gold.txt"))
        ]
        if cases:
            sets[f"{title} ({len(cases)} docs)"] = cases
    return sets


VIE_TITLE = "vie-OCR of degraded held-out renders"


def run() -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    models = {d: loo_model(d) for d in DEV_DOCS}
    rows = []
    for set_no, (name, cases) in enumerate(test_sets(models).items()):
        per_system: dict[str, list[dict[str, float]]] = {"input": [], "pyvi": [], "vanthu": []}
        damaged = {"pyvi": [0, 0], "vanthu": [0, 0]}
        for case in cases:
            tag = f"{case.name}.set{set_no}"
            per_system["input"].append(score_restore(case.gold, case.source))
            pv = OUT / f"{tag}.pyvi.txt"
            pyvi_restore(case.source, pv)
            per_system["pyvi"].append(score_restore(case.gold, pv))
            for system, out in (("pyvi", pv), ("vanthu", OUT / f"{tag}.vanthu.txt")):
                if system == "vanthu":
                    vanthu_restore(case.source, out, case.model)
                right, broken = damage(case.gold, case.source, out)
                damaged[system][0] += right
                damaged[system][1] += broken
            per_system["vanthu"].append(score_restore(case.gold, OUT / f"{tag}.vanthu.txt"))
        for system, results in per_system.items():
            acc, cer = micro(results)
            docs = " ".join(f"{r['word_acc']:.3f}" for r in results) if len(results) <= 3 else ""
            right, broken = damaged.get(system, (0, 0))
            harm = f"{broken / right:.2%} of {right}" if right else "—"
            rows.append([name, system, f"{acc:.4f}", f"{cer:.4f}", harm, docs])
    table = markdown_table(
        [
            "test set",
            "system",
            "word acc",
            "CER",
            "right input words made wrong",
            "per document (000 001 002)",
        ],
        rows,
    )
    return (
        "Dev documents are restored by a model trained without them (leave-one-document-out);"
        " the held-out corpus documents are in no model's training data.\n\n"
        + table
        + "\n\n"
        + learning_curve()
        + "\n\n"
        + speed(models)
    )


def learning_curve() -> str:
    """Word accuracy on the dev legacy OCR (leave-one-out) as the written corpus grows."""
    names = [n for n, _ in admin_texts()]
    rows = []
    for share in (0.0, 0.25, 0.5, 1.0):
        keep = set(names[:: max(1, round(1 / share))]) if share else set()
        exclude = frozenset(n for n in names if n not in keep)
        results = []
        syllables = ""
        for d in DEV_DOCS:
            model = build_model(exclude_dev=frozenset([d]), exclude_admin=exclude)
            syllables = model.meta["syllables"]
            path = OUT / "curve-model.pkl.gz"
            model.save(path)
            out = OUT / f"{d}.curve.txt"
            vanthu_restore(DEV / f"{d}.ocr.txt", out, path)
            results.append(score_restore(DEV / f"{d}.gold.txt", out))
        acc, _ = micro(results)
        rows.append([f"{len(keep)} of {len(names)}", syllables, f"{acc:.4f}"])
    return (
        "How restoration of the dev legacy OCR (leave-one-out) grows with the administrative"
        " corpus the project wrote (`corpus/admin/`); every row also trains on the VLSP sample,"
        " the dictionaries and the two other dev documents.\n\n"
        + markdown_table(
            ["corpus documents used", "LM training syllables (all sources)", "word acc"], rows
        )
    )


def speed(models: dict[str, Path]) -> str:
    """Syllables per second on one core, and the start-up time of the command."""
    from pipeline.restore import RestorationModel, Restorer

    text = "\n".join((DEV / f"{d}.ocr.txt").read_text(encoding="utf-8") for d in DEV_DOCS)
    lines = text.split("\n")
    words = len(text.split())
    restorer = Restorer(RestorationModel.load(models[DEV_DOCS[0]]))
    start = time.process_time()
    restorer.restore_lines(lines)
    cold = time.process_time() - start
    start = time.process_time()
    restorer.restore_lines(lines)
    warm = time.process_time() - start
    one = OUT / "one-line.txt"
    one.write_text("Bao cao két qua thuc hién\n", encoding="utf-8")
    startup = min(vanthu_restore(one, OUT / "one-line.out", None) for _ in range(3))
    return markdown_table(
        ["measure", "value"],
        [
            ["syllables per CPU second, first pass (cold candidate cache)", f"{words / cold:,.0f}"],
            ["syllables per CPU second, second pass (as in a long batch)", f"{words / warm:,.0f}"],
            ["`vanthu restore` on one line, wall seconds (best of 3)", f"{startup:.2f}"],
            [
                "model file size",
                f"{(REPO / 'models' / 'restore.pkl.gz').stat().st_size / 1e6:.1f} MB",
            ],
        ],
    )


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
