"""Vietnamese text keys: NFC text and its folded form (no diacritics, lower case).

Folding maps every character to exactly one character, so an offset into the folded
text is the same offset into the NFC text. Rules match folded text, which makes them
indifferent to case and to diacritics an OCR engine dropped, and cut spans from NFC text.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if len(base) == 1 and base != ch:
            table[cp] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    table[ord("Ð")] = "d"  # Latin capital eth, an OCR stand-in for Đ
    return table


_FOLD = _fold_table()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """`text` without diacritics and in lower case, one character per character."""
    return text.translate(_FOLD)


@cache
def load_data(name: str) -> Any:
    """A JSON table from `pipeline/data/` (parsed once)."""
    raw = resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in raw.splitlines() if line.strip()]
    return json.loads(raw)


def words_alternation(words: list[str]) -> str:
    """A regex alternation of folded phrases, longest first, spaces matching any run."""
    import re

    items = sorted({fold(w) for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)
