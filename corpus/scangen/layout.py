"""Lay an `AdminDocument` out on A4 pages the way Nghị định 30/2020/NĐ-CP sets documents.

Margins 20/20/30/15 mm (top, bottom, left, right); Liberation Serif (Times metrics);
two-column header with the issuing authority on the left and the national name and
motto on the right; number left and place-date (italic) right on one row; document type
and subject centred bold; 14 pt justified body with a 12.7 mm first-line indent; bold
numbered headings; footnotes at the foot of the page that cites them; "Nơi nhận:" and
the signature block side by side; page numbers centred in the top margin from page 2.

Reading order of each page's recorded lines: the page number (from page 2); on page 1
the left header block top to bottom (authority, number, "V/v", urgency) and then the
right header block (national name, motto, place-date); title and body in order; the
closing block as the left block ("Nơi nhận" and recipients) and then the right block
(signature titles, signer); last the footnotes of the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from corpus.scangen.document import AdminDocument, Footnote, Paragraph, Role
from corpus.scangen.fonts import Face
from corpus.scangen.reader import BULLET, MOTTO, NATIONAL_NAME, PARTY_NAME
from corpus.scangen.typeset import (
    Piece,
    TextLine,
    Word,
    break_lines,
    set_line,
    space_width,
    split_words,
    word_width,
)

A4_MM = (210.0, 297.0)
MARGINS_MM = {"top": 20.0, "bottom": 20.0, "left": 30.0, "right": 15.0}
HEADER_LEFT_MM = 72.0  # width of the authority column; the rest is the national column
CLOSING_LEFT_MM = 78.0  # width of the "Nơi nhận" column
SIGNATURE_GAP_MM = 26.0  # room left between signature title and signer for ink and seal
INDENT_MM = 12.7
BODY_PT = 14.0
LINE_SPACING = 1.2  # times the font size
PARAGRAPH_SPACE_PT = 6.0
FOOTNOTE_PT = 10.0
# First lines that are half of one name broken over two lines, not a superior body.
SPLIT_NAMES = ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")


@dataclass(frozen=True)
class Rule:
    """A horizontal stroke: header underlines and the footnote separator."""

    x0: int
    x1: int
    y: int
    thickness: int


@dataclass
class PageLayout:
    """Everything on one page, in page pixels at `dpi`."""

    number: int
    width: int
    height: int
    dpi: int
    lines: list[TextLine] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    # x, y, w, h of the space left for ink; the first is sealed, a co-signer's is not
    signature_areas: list[tuple[int, int, int, int]] = field(default_factory=list)


class Geometry:
    """A4 at `dpi`: millimetres and points to pixels, margins, text block."""

    def __init__(self, dpi: int) -> None:
        self.dpi = dpi
        self.width = round(self.mm(A4_MM[0]))
        self.height = round(self.mm(A4_MM[1]))
        self.left = self.mm(MARGINS_MM["left"])
        self.right = self.width - self.mm(MARGINS_MM["right"])
        self.top = self.mm(MARGINS_MM["top"])
        self.bottom = self.height - self.mm(MARGINS_MM["bottom"])
        self.text_width = self.right - self.left

    def mm(self, value: float) -> float:
        """Millimetres to pixels."""
        return value / 25.4 * self.dpi

    def pt(self, value: float) -> int:
        """Points to whole pixels (font sizes)."""
        return max(1, round(value * self.dpi / 72))


def lay_out(doc: AdminDocument, dpi: int = 300) -> list[PageLayout]:
    """All pages of `doc` at `dpi`; at least one page, even for an empty document."""
    return _Composer(doc, Geometry(dpi)).compose()


@dataclass
class _Column:
    """A column to stack centred lines in."""

    x: float
    width: float
    y: float
    lines: list[TextLine] = field(default_factory=list)


class _Composer:
    """Flows one document onto pages, keeping footnotes with the lines that cite them."""

    def __init__(self, doc: AdminDocument, geo: Geometry) -> None:
        self.geo = geo
        self.pages: list[PageLayout] = []
        self.page_notes: list[Footnote] = []
        self.doc = doc
        self.notes: dict[int, Footnote] = {}
        self.unclaimed: set[int] = set()
        self.note_lines: dict[int, list[list[Word]]] = {}
        self._use(doc)
        self.y = 0.0
        self.page_top = 0.0
        self._open_page()

    def compose(self) -> list[PageLayout]:
        """Lay out the document, then each annex from a new page."""
        while True:
            self._header()
            self._title()
            for index, block in enumerate(self.doc.body):
                if isinstance(block, Footnote):
                    self._orphan_note(block)
                elif block.role is Role.ADDRESSEES:
                    self._addressees(block)
                else:
                    self._paragraph(block, _headings_after(self.doc.body, index))
            if self.doc.has_closing:
                self._closing()
            if self.doc.postscript:
                self._paragraph(Paragraph(" ".join(self.doc.postscript)))
            if self.doc.annex is None:
                break
            self._new_page()
            self._use(self.doc.annex)
        self._close_page()
        return self.pages

    def _use(self, doc: AdminDocument) -> None:
        """Switch to `doc`: its footnotes are numbered on their own."""
        self.doc = doc
        self.notes = {b.number: b for b in doc.body if isinstance(b, Footnote)}
        self.unclaimed = set(self.notes)
        self.note_lines = {}

    # --- pages --------------------------------------------------------------------------

    @property
    def page(self) -> PageLayout:
        return self.pages[-1]

    def _open_page(self) -> None:
        geo = self.geo
        page = PageLayout(len(self.pages) + 1, geo.width, geo.height, geo.dpi)
        self.pages.append(page)
        self.page_notes = []
        self.y = self.page_top = geo.top
        if page.number > 1:
            size = geo.pt(13)
            words = split_words(str(page.number), Face.REGULAR, size)
            line = set_line(
                words,
                geo.left,
                geo.top * 0.6,
                space_width(Face.REGULAR, size),
                width=geo.text_width,
                align="center",
            )
            page.lines.append(line)

    def _close_page(self) -> None:
        if not self.page_notes:
            return
        geo = self.geo
        size = geo.pt(FOOTNOTE_PT)
        pitch = size * LINE_SPACING
        y = geo.bottom - self._notes_height(self.page_notes)
        rule_y = round(y + geo.mm(1.5))
        self.page.rules.append(Rule(round(geo.left), round(geo.left + geo.mm(50)), rule_y, 1))
        y += geo.mm(3)
        for note in self.page_notes:
            lines = self._note_lines(note.number)
            for index, words in enumerate(lines):
                align = "justify" if index < len(lines) - 1 else "left"
                self.page.lines.append(
                    set_line(
                        words,
                        geo.left,
                        y + size * 0.95,
                        space_width(Face.REGULAR, size),
                        width=geo.text_width,
                        align=align,
                    )
                )
                y += pitch

    def _new_page(self) -> None:
        self._close_page()
        self._open_page()

    def _note_lines(self, number: int) -> list[list[Word]]:
        if number in self.note_lines:
            return self.note_lines[number]
        size = self.geo.pt(FOOTNOTE_PT)
        marker = Piece(str(number), Face.REGULAR, round(size * 0.62), round(size * 0.38))
        words = [[marker], *split_words(self.notes[number].text, Face.REGULAR, size)]
        lines = break_lines(words, self.geo.text_width, space_width(Face.REGULAR, size))
        self.note_lines[number] = lines
        return lines

    def _notes_height(self, notes: list[Footnote]) -> float:
        if not notes:
            return 0.0
        pitch = self.geo.pt(FOOTNOTE_PT) * LINE_SPACING
        return self.geo.mm(3) + sum(len(self._note_lines(n.number)) * pitch for n in notes)

    def _fits(self, height: float, numbers: list[int] | None = None) -> bool:
        notes = self.page_notes + [self.notes[n] for n in numbers or []]
        return self.y + height <= self.geo.bottom - self._notes_height(notes)

    def _make_room(self, height: float, numbers: list[int] | None = None) -> None:
        """Start a new page unless `height` (and the cited footnotes) fit on this one."""
        if not self._fits(height, numbers) and self.y > self.page_top:
            self._new_page()

    def _space(self, points: float) -> None:
        if self.y > self.page_top:
            self.y += self.geo.pt(points)

    # --- header and title ---------------------------------------------------------------

    def _stack(self, column: _Column, text: str, face: Face, points: float) -> TextLine:
        """Add centred line(s) of `text` to `column`; returns the last line set."""
        size = self.geo.pt(points)
        space = space_width(face, size)
        line: TextLine | None = None
        for words in break_lines(split_words(text, face, size), column.width, space):
            line = set_line(
                words, column.x, column.y + size * 0.95, space, width=column.width, align="center"
            )
            column.lines.append(line)
            column.y += size * 1.15
        assert line is not None
        return line

    def _underline(self, line: TextLine, fraction: float, below_pt: float = 3.0) -> int:
        """Rule under `line`, `fraction` of its width, centred; returns the rule's y."""
        x, y, w, h = line.box
        length = w * fraction
        start = x + (w - length) / 2
        rule_y = round(y + h + self.geo.pt(below_pt))
        thickness = max(1, self.geo.pt(0.8))
        self.page.rules.append(Rule(round(start), round(start + length), rule_y, thickness))
        return rule_y

    def _header(self) -> None:
        doc, geo = self.doc, self.geo
        if not (doc.authority or doc.national or doc.number or doc.place_date):
            return
        left_width = geo.mm(HEADER_LEFT_MM)
        left = _Column(geo.left - geo.mm(6), left_width + geo.mm(6), geo.top)
        right = _Column(geo.left + left_width, geo.text_width - left_width, geo.top)
        rule_bottom = geo.top
        superior = len(doc.authority) > 1 and doc.authority[0] not in SPLIT_NAMES
        for index, text in enumerate(doc.authority):
            face = Face.REGULAR if index == 0 and superior else Face.BOLD
            line = self._stack(left, text, face, 13)
            if index == len(doc.authority) - 1 and text != "*":
                rule_bottom = max(rule_bottom, self._underline(line, 0.4))
        for text in doc.national:
            if MOTTO.fullmatch(text) or PARTY_NAME.fullmatch(text):
                points = 13.0 if MOTTO.fullmatch(text) else 14.0
                line = self._stack(right, text, Face.BOLD, points)
                rule_bottom = max(rule_bottom, self._underline(line, 1.0))
            else:
                self._stack(right, text, Face.BOLD, 12 if NATIONAL_NAME.fullmatch(text) else 13)
        row = max(left.y, right.y, rule_bottom + geo.pt(4)) + geo.pt(6)
        left.y = right.y = row
        if doc.number:
            self._stack(left, doc.number, Face.REGULAR, 13)
            left.y += geo.pt(1)
        if doc.place_date:
            right.y = row - geo.pt(1)  # 14 pt italic on the 13 pt number's baseline
            self._stack(right, doc.place_date, Face.ITALIC, 14)
        for text in doc.summary:
            self._stack(left, text, Face.REGULAR, 12)
        if doc.urgency:
            left.y += geo.pt(6)
            self._stack(left, doc.urgency, Face.BOLD, 13)
        self.page.lines.extend(left.lines + right.lines)
        self.y = max(left.y, right.y)

    def _title(self) -> None:
        doc, geo = self.doc, self.geo
        if not doc.doc_type:
            self._space(12)
            return
        self._space(18)
        column = _Column(geo.left, geo.text_width, self.y)
        last = self._stack(column, doc.doc_type, Face.BOLD, 14)
        widest = last
        for text in doc.subject:
            line = self._stack(column, text, Face.BOLD, 14)
            widest = line if line.box[2] > widest.box[2] else widest
            last = line
        x, _, w, _ = widest.box
        rule_y = self._underline(last, 1.0)
        self.page.rules[-1] = Rule(
            round(x + w / 3), round(x + 2 * w / 3), rule_y, self.page.rules[-1].thickness
        )
        self.page.lines.extend(column.lines)
        self.y = rule_y + geo.pt(12)

    # --- body ---------------------------------------------------------------------------

    def _paragraph(self, paragraph: Paragraph, keep_with: int = 0) -> None:
        """Set one paragraph; a heading keeps `keep_with` more headings and two lines with it."""
        geo = self.geo
        size = geo.pt(BODY_PT)
        pitch = size * LINE_SPACING
        face = {
            Role.HEADING: Face.BOLD,
            Role.CENTERED: Face.BOLD,
            Role.PREAMBLE: Face.ITALIC,
        }.get(paragraph.role, Face.REGULAR)
        centered = paragraph.role is Role.CENTERED
        indent = 0.0 if centered else geo.mm(INDENT_MM)
        space = space_width(face, size)
        words = split_words(paragraph.text, face, size, self.unclaimed, paragraph.bold_words)
        lines = break_lines(words, geo.text_width, space, indent)
        self._space(PARAGRAPH_SPACE_PT)
        if paragraph.role in (Role.HEADING, Role.CENTERED):
            self._make_room(pitch * (len(lines) + 2 + 1.5 * keep_with))
        for index, line_words in enumerate(lines):
            cited = list(_cited(line_words))
            self._make_room(pitch, cited)
            self.page_notes.extend(self.notes[n] for n in cited if n in self.notes)
            first = index == 0 and not centered
            last = index == len(lines) - 1
            align = "center" if centered else ("left" if last else "justify")
            self.page.lines.append(
                set_line(
                    line_words,
                    geo.left + (indent if first else 0.0),
                    self.y + size * 0.95,
                    space,
                    width=geo.text_width - (indent if first else 0.0),
                    align=align,
                )
            )
            self.y += pitch

    def _orphan_note(self, note: Footnote) -> None:
        """A footnote whose marker was never found goes to the page it follows."""
        if note.number not in self.unclaimed:
            return
        self.unclaimed.discard(note.number)
        self._make_room(0.0, [note.number])
        self.page_notes.append(note)

    def _addressees(self, paragraph: Paragraph) -> None:
        geo = self.geo
        size = geo.pt(BODY_PT)
        pitch = size * LINE_SPACING
        space = space_width(Face.REGULAR, size)
        label, _, rest = paragraph.lines[0].partition(":")
        items = _items([rest.strip(), *paragraph.lines[1:]])
        self._space(PARAGRAPH_SPACE_PT * 2)
        if len(items) <= 1:
            words = split_words(f"{label}: {' '.join(items)}".strip(), Face.REGULAR, size)
            for line_words in break_lines(words, geo.text_width, space):
                self._make_room(pitch)
                self.page.lines.append(
                    set_line(
                        line_words,
                        geo.left,
                        self.y + size * 0.95,
                        space,
                        width=geo.text_width,
                        align="center",
                    )
                )
                self.y += pitch
            return
        label_x = geo.left + geo.mm(22)
        item_x = label_x + geo.mm(10)
        self._make_room(pitch * 2)
        label_words = split_words(f"{label}:", Face.REGULAR, size)
        self.page.lines.append(set_line(label_words, label_x, self.y + size * 0.95, space))
        self.y += pitch
        for item in items:
            words = split_words(item, Face.REGULAR, size)
            for line_words in break_lines(words, geo.right - item_x, space):
                self._make_room(pitch)
                self.page.lines.append(set_line(line_words, item_x, self.y + size * 0.95, space))
                self.y += pitch

    # --- closing ------------------------------------------------------------------------

    def _closing(self) -> None:
        """Nơi nhận (or a co-signer) on the left, the signature on the right, tops level."""
        doc, geo = self.doc, self.geo
        left_width = geo.mm(CLOSING_LEFT_MM)
        right_x = geo.left + left_width - geo.mm(4)
        right = _Signature(doc.signature, doc.signer, right_x, geo.right - right_x)
        left = _Signature(doc.cosignature, doc.cosigner, geo.left, left_width - geo.mm(4))
        left_rows = self._recipient_rows(left_width)
        left_height = sum(size * LINE_SPACING for _, _, size in left_rows)
        if not left_rows and left.present:
            left_height = self._signature_height(left)
        self._space(12)
        self._make_room(max(left_height, self._signature_height(right)))
        top = self.y
        y = top
        for words, x, size in left_rows:
            space = space_width(words[0][0].face, size)
            self.page.lines.append(set_line(words, x, y + size * 0.95, space))
            y += size * LINE_SPACING
        areas = []
        if not left_rows and left.present:
            y, left_area = self._sign_block(left, top)
            areas.append(left_area)
        left_end = y
        right_end, right_area = self._sign_block(right, top)
        self.page.signature_areas.extend([right_area, *areas])
        self.y = max(left_end, right_end)

    def _recipient_rows(self, width: float) -> list[tuple[list[Word], float, int]]:
        """The Nơi nhận list as rows of (words, x, size); dash items hang."""
        geo = self.geo
        rows: list[tuple[list[Word], float, int]] = []
        for index, text in enumerate(self.doc.recipients):
            notice = index == 0 and text == "Nơi nhận:"
            face = Face.BOLD_ITALIC if notice else Face.REGULAR
            size = geo.pt(12) if notice else geo.pt(11)
            words = split_words(text, face, size)
            space = space_width(face, size)
            hang = word_width(words[0]) + space if BULLET.match(text) else 0.0
            for row, line_words in enumerate(break_lines(words, width - hang, space)):
                rows.append((line_words, geo.left + (hang if row else 0.0), size))
        return rows

    def _title_rows(self, block: _Signature) -> list[list[Word]]:
        size = self.geo.pt(14)
        rows: list[list[Word]] = []
        for text in block.titles:
            words = split_words(text, Face.BOLD, size)
            rows.extend(break_lines(words, block.width, space_width(Face.BOLD, size)))
        return rows

    def _signature_height(self, block: _Signature) -> float:
        size = self.geo.pt(14)
        return len(self._title_rows(block)) * size * 1.15 + self.geo.mm(SIGNATURE_GAP_MM) + size

    def _sign_block(self, block: _Signature, top: float) -> tuple[float, tuple[int, int, int, int]]:
        """Titles, room to sign, name, centred in the block; returns end y and ink area."""
        size = self.geo.pt(14)
        space = space_width(Face.BOLD, size)
        y = top
        for words in self._title_rows(block):
            self.page.lines.append(
                set_line(words, block.x, y + size * 0.95, space, width=block.width, align="center")
            )
            y += size * 1.15
        gap = self.geo.mm(SIGNATURE_GAP_MM)
        area = (round(block.x), round(y), round(block.width), round(gap))
        y += gap
        if block.signer:
            words = split_words(block.signer, Face.BOLD, size)
            self.page.lines.append(
                set_line(words, block.x, y + size * 0.95, space, width=block.width, align="center")
            )
            y += size * 1.2
        return y, area


@dataclass(frozen=True)
class _Signature:
    """A signature block: titles above, the signer's name below, at x within width."""

    titles: list[str]
    signer: str | None
    x: float
    width: float

    @property
    def present(self) -> bool:
        return bool(self.titles or self.signer)


def _headings_after(body: list[Paragraph | Footnote], index: int) -> int:
    """How many headings directly follow the block at `index`."""
    count = 0
    for block in body[index + 1 :]:
        if not (isinstance(block, Paragraph) and block.role is Role.HEADING):
            break
        count += 1
    return count


def _cited(words: list[Word]) -> Iterator[int]:
    """Footnote numbers set as superscripts in a line."""
    for word in words:
        for piece in word:
            if piece.rise and piece.text.isdigit():
                yield int(piece.text)


def _items(lines: list[str]) -> list[str]:
    """Join an addressee list into items: a line not opening with a dash continues one."""
    items: list[str] = []
    for line in lines:
        if not line:
            continue
        if items and not BULLET.match(line):
            items[-1] += " " + line
        else:
            items.append(line)
    return items
