"""Training text and word lists: the project's corpus and data shipped by installed packages."""

from __future__ import annotations

import importlib.util
import zlib
from collections.abc import Iterator
from pathlib import Path

from pipeline.channel import alignment
from pipeline.tokens import split_line
from pipeline.vietnamese import fold, is_syllable_shape, normalize_spelling

REPO = Path(__file__).resolve().parents[2]
ADMIN_CORPUS = REPO / "corpus" / "admin"
DEV_DIR = REPO.parent / "shared" / "corpus" / "dev"
HUNSPELL_VI = Path("/usr/share/hunspell/vi_VN.dic")


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def admin_texts(exclude: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(name, text) of the training documents the project wrote (held-out ones left out)."""
    for path in sorted(ADMIN_CORPUS.glob("*.txt")):
        if path.stem not in exclude and not is_heldout(path.stem):
            yield path.stem, normalize_spelling(path.read_text(encoding="utf-8"))


def dev_gold(exclude: frozenset[str] = frozenset()) -> Iterator[tuple[str, str, str]]:
    """(name, OCR text, gold text) of the dev documents not excluded."""
    for gold in sorted(DEV_DIR.glob("*.gold.txt")):
        name = gold.name.split(".")[0]
        if name in exclude:
            continue
        ocr = gold.with_name(f"{name}.ocr.txt")
        yield (
            name,
            ocr.read_text(encoding="utf-8"),
            normalize_spelling(gold.read_text(encoding="utf-8")),
        )


def vlsp_sample_text() -> str:
    """Running text of the VLSP 2013 sample bundled with underthesea (general Vietnamese)."""
    root = _package_dir("underthesea")
    if root is None:
        return ""
    path = root / "pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"
    if not path.exists():
        return ""
    out: list[str] = []
    sentence: list[str] = []
    for row in path.read_text(encoding="utf-8").split("\n"):
        if not row.strip():
            if sentence:
                out.append(" ".join(sentence))
            sentence = []
            continue
        sentence.append(row.split("\t")[0])
    if sentence:
        out.append(" ".join(sentence))
    return normalize_spelling("\n\n".join(out))


def dictionary_words() -> list[str]:
    """Vietnamese words from underthesea's Viet74K list and Debian's hunspell-vi."""
    words: list[str] = []
    root = _package_dir("underthesea")
    if root is not None:
        viet74k = root / "corpus" / "data" / "Viet74K.txt"
        if viet74k.exists():
            words += viet74k.read_text(encoding="utf-8").split("\n")
    if HUNSPELL_VI.exists():
        rows = HUNSPELL_VI.read_text(encoding="utf-8").split("\n")[1:]
        words += [row.split("/")[0] for row in rows]
    return [normalize_spelling(w.strip()) for w in words if w.strip()]


def lexicon_syllables(words: list[str]) -> set[str]:
    """Lower-case syllables of dictionary words that have a Vietnamese syllable's shape."""
    out = set()
    for w in words:
        for s in w.lower().replace("-", " ").split():
            if s.isalpha() and is_syllable_shape(s):
                out.add(s)
    return out


def aligned_words(ocr_line: str, gold_line: str) -> Iterator[tuple[str, str]]:
    """(gold word, OCR word) pairs of one line, aligned by their folded spellings."""
    gw = [p.text for p in split_line(gold_line) if p.kind == "word"]
    # A short number in OCR text may be a misread word (ty 16 for tỷ lệ), so it is aligned too.
    ow = [
        p.text
        for p in split_line(ocr_line)
        if p.kind == "word" or (p.kind == "num" and len(p.text) <= 2)
    ]
    gf, of = [fold(w.lower()) for w in gw], [fold(w.lower()) for w in ow]
    for i, j in alignment(gf, of):
        if i is not None and j is not None:
            yield gw[i], ow[j]


def is_heldout(name: str) -> bool:
    """Whether a corpus document is kept out of training, for testing on unseen text."""
    return zlib.crc32(name.encode()) % 8 == 0
