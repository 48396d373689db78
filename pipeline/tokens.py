"""Splitting a line into pieces: words, numbers, document codes and punctuation.

The same split serves language-model training (on clean text) and restoration (on
OCR text), so a piece's language-model unit means the same thing in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PieceKind = Literal["word", "num", "code", "punct"]

# Characters that English-model OCR prints in place of Vietnamese letters (S& for Sở,
# B¢ for Bộ), so they belong to the word they stand in.
OCR_LETTER_STAND_INS = "&¢@§£€¥{}"

_PIECE = re.compile(
    r"(?P<code>(?:https?://|www\.)[^\s]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\d[\w&.:/-]*[/-][\w&./-]*?[A-ZĐ][\w&/-]*)"
    # A digit glued to letters is an OCR misreading of a letter (1& for lệ, 6i, 16p for
    # lớp: 1 for l as well), and an apostrophe between letters a misread horn (tru’éc).
    rf"|(?P<word>(?:[^\W\d_]|[{OCR_LETTER_STAND_INS}]"
    rf"|(?<![\d/.,])1?\d(?=[^\W\d_]|[{OCR_LETTER_STAND_INS}]))"
    rf"(?:[\w{OCR_LETTER_STAND_INS}]|['’](?=[^\W\d_]))*)"
    r"|(?P<num>\d+(?:[.,/]\d+)*%?)"
    r"|(?P<punct>[^\s])"
)
SENTENCE_BREAKS = frozenset(".;:!?…")
KEPT_PUNCT = frozenset(",/")
NUM = "<num>"
CODE = "<code>"


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    text: str
    kind: PieceKind


def split_line(line: str) -> list[Piece]:
    """The pieces of a line, in order, with their character offsets."""
    pieces = []
    for m in _PIECE.finditer(line):
        kind = m.lastgroup
        text = m.group()
        end = m.end()
        if kind == "code" and text.endswith("."):
            text, end = text[:-1], end - 1
        pieces.append(Piece(m.start(), end, text, kind))  # type: ignore[arg-type]
    return pieces


def lm_unit(piece: Piece) -> str | None:
    """The language-model unit of a piece; None for a sentence break or ignorable mark."""
    if piece.kind == "word":
        return piece.text.lower()
    if piece.kind == "num":
        return NUM
    if piece.kind == "code":
        return CODE
    if piece.text in KEPT_PUNCT:
        return piece.text
    return None


def is_break(piece: Piece) -> bool:
    return piece.kind == "punct" and piece.text in SENTENCE_BREAKS


def sentences(text: str) -> list[list[str]]:
    """Language-model sentences of a clean text: paragraphs joined, split at breaks."""
    out: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or line.lstrip().startswith(("- ", "+ ", "• ")):
            if current:
                out.append(current)
            current = []
        for piece in split_line(line):
            if is_break(piece):
                if current:
                    out.append(current)
                current = []
                continue
            unit = lm_unit(piece)
            if unit is not None:
                current.append(unit)
    if current:
        out.append(current)
    return out
