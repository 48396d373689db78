"""The Liberation faces the scans are set in, and the check that they cover Vietnamese.

Liberation Serif is metric-compatible with Times New Roman, the face Nghị định 30/2020
prescribes; Liberation Sans Bold is used only for the ring text of the seal.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

from corpus.scangen.errors import FontCoverageError, MissingDependencyError

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")

# Vowels that carry tone marks, with their vowel-quality marks already composed.
_TONED_VOWELS = "aăâeêioôơuưy"
# Huyền, sắc, hỏi, ngã, nặng.
_TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
# Punctuation that Vietnamese administrative text uses beyond ASCII.
_TYPOGRAPHY = "–—‘’“”…•№"


class Face(StrEnum):
    """A face of Liberation Serif, or the sans face of the seal."""

    REGULAR = "LiberationSerif-Regular"
    BOLD = "LiberationSerif-Bold"
    ITALIC = "LiberationSerif-Italic"
    BOLD_ITALIC = "LiberationSerif-BoldItalic"
    SEAL = "LiberationSans-Bold"


def face_path(face: Face) -> Path:
    """The TrueType file of `face`; raises when fonts-liberation2 is not installed."""
    path = FONT_DIR / f"{face.value}.ttf"
    if not path.is_file():
        raise MissingDependencyError(f"font {path} not found: install fonts-liberation2")
    return path


def vietnamese_letters() -> str:
    """Every letter of the Vietnamese alphabet, lower and upper case, all tones, NFC."""
    letters: list[str] = ["đ", "Đ"]
    for vowel in _TONED_VOWELS:
        for mark in ("", *_TONE_MARKS):
            letter = unicodedata.normalize("NFC", vowel + mark)
            if len(letter) != 1:
                raise AssertionError(f"{vowel}+{mark!r} has no precomposed form")
            letters.extend((letter, letter.upper()))
    consonants = "bcdghklmnpqrstvx"
    letters.extend(consonants + consonants.upper() + "fjwzFJWZ")
    return "".join(sorted(set(letters)))


def vietnamese_repertoire() -> str:
    """The letters plus digits, ASCII punctuation and the typographic marks in use."""
    ascii_printable = "".join(chr(c) for c in range(0x21, 0x7F))
    return "".join(sorted(set(vietnamese_letters() + ascii_printable + _TYPOGRAPHY)))


@cache
def _cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        table = font.getBestCmap()
    return frozenset(table)


def missing_glyphs(face: Face, text: str) -> list[str]:
    """Characters of `text` (other than whitespace) that `face` maps to .notdef."""
    covered = _cmap(face_path(face))
    wanted = sorted({ch for ch in text if not ch.isspace()})
    return [ch for ch in wanted if ord(ch) not in covered]


def check_vietnamese_coverage(faces: tuple[Face, ...] = tuple(Face)) -> None:
    """Raise `FontCoverageError` unless every face has a glyph for the whole repertoire."""
    repertoire = vietnamese_repertoire()
    gaps = {face: missing_glyphs(face, repertoire) for face in faces}
    gaps = {face: chars for face, chars in gaps.items() if chars}
    if gaps:
        detail = "; ".join(f"{face.value}: {''.join(chars)}" for face, chars in gaps.items())
        raise FontCoverageError(f"fonts lack Vietnamese glyphs: {detail}")


@cache
def load_font(face: Face, size_px: int) -> ImageFont.FreeTypeFont:
    """`face` at `size_px` pixels per em, cached."""
    return ImageFont.truetype(str(face_path(face)), size_px)
