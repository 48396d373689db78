"""Paragraphs: runs of lines read as one text, every offset traceable to its line.

Items often wrap across lines (`Nghị quyết 57-` / `NQ/TW`, `hoàn thành` / `trong Quý 1`),
so the extractors read paragraphs and anchor what they find to the line where it starts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from pipeline.model import Line
from pipeline.vietnamese import fold_key as fold
from pipeline.vietnamese import nfc

_BULLET = tuple("-+•~*–")
_SPLIT_NUMBER = re.compile(r"[\dA-Z][-/]$")


@dataclass
class Paragraph:
    lines: list[Line]
    text: str
    folded: str
    starts: list[int]  # offset in `text` where each line begins
    opens_heading: bool = False  # the first line is a section heading
    bullet: bool = False
    section: str | None = None
    in_body: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    def line_at(self, offset: int) -> Line:
        """The line holding character `offset` of the paragraph text."""
        return self.lines[max(0, bisect_right(self.starts, offset) - 1)]


def _join(lines: list[Line]) -> Paragraph:
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for line in lines:
        text = nfc(line.text).strip()
        if parts:
            prev = parts[-1]
            # a number cut at the line end (57- / NQ/TW) is joined without a space
            sep = "" if _SPLIT_NUMBER.search(prev) and text[:1].isupper() else " "
            parts.append(sep)
            pos += len(sep)
        starts.append(pos)
        parts.append(text)
        pos += len(text)
    text = "".join(parts)
    return Paragraph(lines=lines, text=text, folded=fold(text), starts=starts)


def paragraphs(
    lines: list[Line], heading_lines: set[int], body: tuple[int, int]
) -> list[Paragraph]:
    """Split lines into paragraphs at blank lines, headings and bullets.

    `heading_lines` holds the numbers of section-heading lines; `body` the first and
    last line numbers of the body (inclusive).
    """
    out: list[Paragraph] = []
    current: list[Line] = []

    def flush() -> None:
        if current:
            para = _join(list(current))
            first = current[0]
            para.opens_heading = first.number in heading_lines
            para.bullet = first.text.strip().startswith(_BULLET)
            para.section = first.section
            para.in_body = body[0] <= first.number <= body[1]
            out.append(para)
            current.clear()

    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            flush()
            continue
        if (
            line.number in heading_lines
            or stripped.startswith(_BULLET)
            or (current and current[-1].number in heading_lines and _heading_ends(current[-1]))
        ):
            flush()
        current.append(line)
    flush()
    return out


def _heading_ends(line: Line) -> bool:
    """A heading line that carries a whole title ends its paragraph."""
    return line.text.rstrip().endswith(":")
