"""Build the restoration model: `python -m pipeline.training.build` (run by `make models`).

Language model: the project's administrative corpus, the VLSP sample that underthesea
ships and the dev restorations not excluded; the syllables of the underthesea and
hunspell-vi dictionaries join its vocabulary and the candidate words. Channel: (true,
OCR) word pairs from English-model OCR of rendered corpus text (models/channel_pairs.tsv,
made by `pipeline.training.synth`) and from the dev documents not excluded.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pipeline.channel import CandidateIndex, learn_channel
from pipeline.lm import train
from pipeline.restore import MODEL_PATH, RestorationModel
from pipeline.tokens import sentences, split_line
from pipeline.training.sources import (
    REPO,
    admin_texts,
    aligned_words,
    dev_gold,
    dictionary_words,
    lexicon_syllables,
    vlsp_sample_text,
)
from pipeline.vietnamese import fold, is_syllable_shape

PAIRS_PATH = REPO / "models" / "channel_pairs.tsv"
# Pairs from real scans (the dev documents) count this many times against rendered ones
# (about a third of all pairs, as before the rendered pairs grew 4.5-fold and this went
# from 5 to 20).
REAL_PAIR_WEIGHT = 20


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """(true word, OCR word) pairs from a two-column TSV."""
    if not path.exists():
        return []
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").split("\n"))
    return [(r[0], r[1]) for r in rows if len(r) == 2 and r[0] and r[1]]


def corpus_words(texts: Iterable[str], min_count: int = 2) -> set[str]:
    """Lower-case words seen often enough in clean text to be offered as candidates."""
    counts: Counter[str] = Counter()
    for text in texts:
        for line in text.split("\n"):
            counts.update(p.text.lower() for p in split_line(line) if p.kind == "word")
    return {
        w
        for w, c in counts.items()
        if c >= min_count and (is_syllable_shape(w) or c >= 3) and not any(ch.isdigit() for ch in w)
    }


def build_model(
    exclude_dev: frozenset[str] = frozenset(),
    exclude_admin: frozenset[str] = frozenset(),
    use_dev: bool = True,
) -> RestorationModel:
    """Train the language model, the candidate index and the channel."""
    dev = list(dev_gold(exclude_dev)) if use_dev else []
    texts = [t for _, t in admin_texts(exclude_admin)] + [g for _, _, g in dev]
    general = vlsp_sample_text()
    words = dictionary_words()
    sents = [s for t in [*texts, general] for s in sentences(t)]
    # Dictionary phrases are not language-model text: as sentences of their own they
    # taught the model pairs such as "mềm môi" that beat "phần mềm mới" (measured: dev
    # legacy 0.9675 → 0.9694 without them, held-out renders 0.9689 → 0.9687).
    syllables = lexicon_syllables(words)
    lm = train(sents, extra_vocab=syllables)
    index = CandidateIndex.build(syllables | corpus_words([*texts, general]))
    pairs = read_pairs(PAIRS_PATH)
    for _, ocr, gold in dev:
        for o_line, g_line in zip(ocr.split("\n"), gold.split("\n"), strict=False):
            pairs += list(aligned_words(o_line, g_line)) * REAL_PAIR_WEIGHT
    channel = learn_channel(pairs)
    code_parts = document_code_parts([*texts, general])
    meta = {
        "sentences": str(len(sents)),
        "syllables": str(sum(len(s) for s in sents)),
        "channel_pairs": str(len(pairs)),
        "excluded_dev": ",".join(sorted(exclude_dev)) if use_dev else "all",
    }
    return RestorationModel(lm=lm, index=index, channel=channel, code_parts=code_parts, meta=meta)


def document_code_parts(texts: Iterable[str]) -> dict[str, str]:
    """The letter groups of document numbers (QĐ, NQ, BCĐTW), keyed by folded spelling."""
    counts: Counter[str] = Counter()
    for text in texts:
        for line in text.split("\n"):
            for piece in split_line(line):
                if piece.kind == "code":
                    counts.update(p for p in re.findall(r"[^\W\d_]+", piece.text) if p.isupper())
    best: dict[str, str] = {}
    for part, _ in counts.most_common():
        best.setdefault(fold(part).lower(), part)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exclude-dev", default="", help="dev documents to leave out (000,001)")
    ap.add_argument("--no-dev", action="store_true", help="train on no dev document")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    exclude = frozenset(x for x in args.exclude_dev.split(",") if x)
    model = build_model(exclude_dev=exclude, use_dev=not args.no_dev)
    model.save(args.out)
    size = args.out.stat().st_size / 1e6
    print(
        f"wrote {args.out} ({size:.1f} MB) in {time.perf_counter() - start:.1f} s: {model.meta}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
