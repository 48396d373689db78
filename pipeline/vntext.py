"""The extraction rules' data tables, and alternations of their phrases for regexes.

Rules match text folded by `pipeline.vietnamese.fold_key` (no diacritics, lower case, one
character per character), which makes them indifferent to case and to diacritics an OCR
engine dropped, and cut spans from the NFC text at the same offsets.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pipeline.vietnamese import fold_key


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

    items = sorted({fold_key(w) for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)
