"""Words, line breaking and line setting: the primitives the page layout is built from.

A `Word` is a list of `Piece`s set without space between them (a word with a superscript
footnote marker has two). A set line is a `TextLine`: its pieces at page positions, its
plain text and the box of its ink, all in page pixels.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from corpus.scangen.fonts import Face, load_font

_MARKED_WORD = re.compile(r"^(.*[^\W\d_)\]”\"'])(\d{1,2})([.,;:)]*)$")
SUPERSCRIPT_SCALE = 0.62
SUPERSCRIPT_RISE = 0.38


@dataclass(frozen=True)
class Piece:
    """A run of characters in one face and size, raised by `rise` pixels."""

    text: str
    face: Face
    size: int
    rise: int = 0

    @property
    def advance(self) -> float:
        """Horizontal advance in pixels."""
        return float(load_font(self.face, self.size).getlength(self.text))


Word = list[Piece]


def word_width(word: Word) -> float:
    """Advance of the whole word."""
    return sum(piece.advance for piece in word)


@dataclass(frozen=True)
class PlacedPiece:
    """A piece at its page position (left end of its baseline)."""

    piece: Piece
    x: float
    baseline: float


@dataclass
class TextLine:
    """One rendered line: what it reads, where it is, and what to draw."""

    text: str
    box: tuple[int, int, int, int]  # x, y, w, h in page pixels
    pieces: list[PlacedPiece] = field(default_factory=list)


def split_words(
    text: str,
    face: Face,
    size: int,
    markers: set[int] | None = None,
    bold_words: int = 0,
) -> list[Word]:
    """Cut `text` into words; a marker number glued to a word becomes a superscript.

    Each marker in `markers` is used once and removed from the set, so a number that
    reappears later stays ordinary text.
    """
    words: list[Word] = []
    for index, token in enumerate(text.split()):
        token_face = _emboldened(face) if index < bold_words else face
        found = _MARKED_WORD.match(token) if markers else None
        if found and markers is not None and int(found.group(2)) in markers:
            markers.discard(int(found.group(2)))
            word = [
                Piece(found.group(1), token_face, size),
                Piece(
                    found.group(2),
                    token_face,
                    max(1, round(size * SUPERSCRIPT_SCALE)),
                    round(size * SUPERSCRIPT_RISE),
                ),
            ]
            if found.group(3):
                word.append(Piece(found.group(3), token_face, size))
            words.append(word)
        else:
            words.append([Piece(token, token_face, size)])
    return words


def _emboldened(face: Face) -> Face:
    return Face.BOLD_ITALIC if face in (Face.ITALIC, Face.BOLD_ITALIC) else Face.BOLD


def space_width(face: Face, size: int) -> float:
    """The width of an interword space."""
    return float(load_font(face, size).getlength(" "))


def break_lines(
    words: list[Word], width: float, space: float, first_indent: float = 0.0
) -> list[list[Word]]:
    """Greedy line breaking; a word wider than a whole line gets a line of its own."""
    lines: list[list[Word]] = []
    current: list[Word] = []
    used = 0.0
    for word in words:
        available = width - (first_indent if not lines else 0.0)
        advance = word_width(word)
        needed = advance if not current else used + space + advance
        if current and needed > available:
            lines.append(current)
            current, used = [word], advance
        else:
            current.append(word)
            used = needed
    if current:
        lines.append(current)
    return lines


def set_line(
    words: list[Word],
    x: float,
    baseline: float,
    space: float,
    *,
    width: float | None = None,
    align: str = "left",
) -> TextLine:
    """Place `words` on a baseline; `align` is left, center, right or justify in `width`."""
    natural = sum(word_width(w) for w in words) + space * (len(words) - 1)
    gap = space
    if width is not None:
        slack = width - natural
        if align == "center":
            x += slack / 2
        elif align == "right":
            x += slack
        elif align == "justify" and len(words) > 1 and slack > 0:
            gap = space + slack / (len(words) - 1)
    placed: list[PlacedPiece] = []
    cursor = x
    for index, word in enumerate(words):
        if index:
            cursor += gap
        for piece in word:
            placed.append(PlacedPiece(piece, cursor, baseline))
            cursor += piece.advance
    text = " ".join("".join(piece.text for piece in word) for word in words)
    return TextLine(text=text, box=ink_box(placed), pieces=placed)


def ink_box(pieces: list[PlacedPiece]) -> tuple[int, int, int, int]:
    """The box around the ink of `pieces` (glyph outlines, diacritics included)."""
    left = top = math.inf
    right = bottom = -math.inf
    for placed in pieces:
        font = load_font(placed.piece.face, placed.piece.size)
        x0, y0, x1, y1 = font.getbbox(placed.piece.text, anchor="ls")
        y_base = placed.baseline - placed.piece.rise
        left, top = min(left, placed.x + x0), min(top, y_base + y0)
        right, bottom = max(right, placed.x + x1), max(bottom, y_base + y1)
    if left == math.inf:
        return (0, 0, 0, 0)
    x, y = math.floor(left), math.floor(top)
    return (x, y, math.ceil(right) - x, math.ceil(bottom) - y)
