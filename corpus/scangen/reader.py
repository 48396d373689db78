"""Read plain document text into an `AdminDocument` with simple line rules.

Two kinds of input are understood: the tidy texts of `corpus/admin/` (header columns
separated by three or more spaces) and transcriptions of real scans such as
`corpus/dev/*.gold.txt` (header columns run together on one line, stamp residue in the
signature area, a leading space where a page began). Whatever no rule recognises is
laid out as body text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from corpus.scangen.document import AdminDocument, Footnote, Paragraph, Role

_UPPER = "A-ZĐÀ-ỸÂĂÊÔƠƯ"
NATIONAL_NAME = re.compile(r"CỘNG\s+H(?:ÒA|OÀ)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM")
PARTY_NAME = re.compile(r"ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM")
MOTTO = re.compile(r"Độc\s+lập\s*[-–—]\s*Tự\s+do\s*[-–—]\s*Hạnh\s+phúc")
PLACE_DATE = re.compile(
    rf"(?<!\S)[{_UPPER}][^\d,;:]{{1,40}},\s*ngày\s+\S+\s+tháng\s+\S+\s+năm\s+\S+"
)
NUMBER = re.compile(r"^Số\s*:?\s*[^\s]*[/-]\S*")
URGENCY = re.compile(r"^(HỎA TỐC|HỎA TỐC HẸN GIỜ|THƯỢNG KHẨN|KHẨN|MẬT|TỐI MẬT|TUYỆT MẬT)$")
COLUMN_GAP = re.compile(r"\s{3,}")
NOTICE = re.compile(r"^Nơi\s+nhận\s*:")
ADDRESSEES = re.compile(r"^Kính\s+gửi\s*:")
ROMAN_HEADING = re.compile(r"^[IVXL]+\.\s")
NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.\s")
ARTICLE = re.compile(r"^Điều\s+\d+\.")
CHAPTER = re.compile(r"^(Chương|Mục|Phần)\s+[IVXLC\d]+\b")
PREAMBLE = re.compile(r"^(Căn\s+cứ|Theo\s+đề\s+nghị|Xét\s+đề\s+nghị)\b")
BULLET = re.compile(r"^[-+–•~]\s")
LETTER_ITEM = re.compile(r"^[a-zđ]\)\s")
FOOTNOTE_START = re.compile(r"^(\d{1,2})(?![\d.)/,:-])\s*\S")
TITLE_LINE = re.compile(rf"^[{_UPPER}][{_UPPER}./ ]*[{_UPPER}.]$")
_NAME_WORD = rf"[{_UPPER}](?:[^\W\d_]|')*"
_RANK = r"(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tá|úy|uý|tướng)\s+)?"
PERSON_NAME = re.compile(rf"^{_RANK}{_NAME_WORD}(?: {_NAME_WORD}){{1,5}}$")
END_OF_TEXT = "./."
ITEM_STARTS = (BULLET, LETTER_ITEM, ROMAN_HEADING, NUMBERED_HEADING, ARTICLE, PREAMBLE)
SHORT_LINE = 60  # characters; shorter lines end a heading, not wrap a paragraph
HEADER_LOOKAHEAD = 16  # lines; a header never runs longer
HEADING_MAX_CHARS = 240


def read_document(text: str) -> AdminDocument:
    """Split `text` into header, title, body and closing; never fails on odd input."""
    lines = unicodedata.normalize("NFC", text.replace("\t", "    ")).splitlines()
    doc = AdminDocument()
    start = _read_header(lines, doc)
    end = next((i for i in range(start, len(lines)) if NOTICE.match(lines[i].strip())), None)
    if end is None:
        end = _signature_start(lines, start)
    annex = next((i for i in range(end + 1, len(lines)) if _opens_header(lines[i])), len(lines))
    doc.body = _read_body(lines[start:end])
    annex = min(annex, end + _read_closing(lines[end:annex], doc))
    if any(line.strip() for line in lines[annex:]):
        doc.annex = read_document("\n".join(lines[annex:]))
    return doc


def _opens_header(line: str) -> bool:
    """Whether `line` carries the national name or motto that open a document."""
    return any(p.search(line) for p in (NATIONAL_NAME, PARTY_NAME, MOTTO))


def is_upper(text: str) -> bool:
    """True when `text` has letters and none of them is lower case."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


# --- header -----------------------------------------------------------------------------


def _header_pieces(line: str) -> list[str]:
    """A header line cut into its column parts."""
    pieces = [p for p in COLUMN_GAP.split(line.strip()) if p]
    out: list[str] = []
    for piece in pieces:
        for pattern in (NATIONAL_NAME, PARTY_NAME, MOTTO, PLACE_DATE):
            found = pattern.search(piece)
            if found and found.start() > 0:
                out.extend((piece[: found.start()].strip(), piece[found.start() :].strip()))
                break
        else:
            out.append(piece)
    return [p for p in out if p]


@dataclass
class _HeaderState:
    """Where the header reader stands."""

    in_summary: bool = False
    want_subject: bool = False
    after_gap: bool = False  # a blank line came after the national name
    single: bool = False  # the current line is one piece, not two columns


def _read_header(lines: list[str], doc: AdminDocument) -> int:
    """Fill the header fields of `doc`; returns the index of the first body line."""
    state = _HeaderState()
    i = _read_header_lines(lines, doc, state)
    if not doc.national and doc.number is None:
        # No national name and no number: capitals at the top are a title, not a sender.
        doc.authority, doc.summary, doc.urgency, doc.place_date = [], [], None, None
        doc.doc_type, doc.subject = None, []
        return 0
    return i


def _read_header_lines(lines: list[str], doc: AdminDocument, state: _HeaderState) -> int:
    i = 0
    while i < min(len(lines), HEADER_LOOKAHEAD + len(doc.subject)):
        line = lines[i].strip()
        if not line:
            state.in_summary = False
            state.after_gap = bool(doc.national)
            if doc.subject:
                return i
            i += 1
            continue
        if state.want_subject:
            if ADDRESSEES.match(line) or NOTICE.match(line):
                return i
            doc.subject.append(line)
            i += 1
            continue
        if state.in_summary and not ADDRESSEES.match(line):
            doc.summary.append(line)
            i += 1
            continue
        pieces = _header_pieces(line)
        state.single = len(pieces) == 1
        if not all(_take_header_piece(piece, doc, state) for piece in pieces):
            return i
        i += 1
    return i


def _take_header_piece(piece: str, doc: AdminDocument, state: _HeaderState) -> bool:
    """Put one header piece in its place; False when it is not a header piece."""
    if NATIONAL_NAME.fullmatch(piece) or PARTY_NAME.fullmatch(piece) or MOTTO.fullmatch(piece):
        doc.national.append(piece)
    elif PLACE_DATE.fullmatch(piece):
        doc.place_date = piece
    elif doc.number is None and NUMBER.match(piece):
        doc.number = piece
    elif piece.startswith("V/v"):
        doc.summary.append(piece)
        state.in_summary = True
    elif URGENCY.match(piece):
        doc.urgency = piece
    elif (
        doc.doc_type is None
        and is_upper(piece)
        and len(piece) <= 40
        and (doc.number is not None or (state.after_gap and state.single))
    ):
        doc.doc_type = piece
        state.want_subject = True
    elif doc.number is None and doc.doc_type is None and (is_upper(piece) or piece == "*"):
        doc.authority.append(piece)
    else:
        return False
    return True


# --- body -------------------------------------------------------------------------------


def _read_body(lines: list[str]) -> list[Paragraph | Footnote]:
    """Group body lines into paragraphs and footnotes."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in lines:
        line = raw.strip()
        if END_OF_TEXT in line:
            line = line[: line.index(END_OF_TEXT) + len(END_OF_TEXT)]
        # Texts without blank lines between paragraphs: an item or heading opens a new
        # one after a finished sentence or after a short line (a heading).
        opens_item = (
            any(p.match(line) for p in ITEM_STARTS)
            and bool(current)
            and (current[-1][-1] in ".;:!?" or len(current[-1]) < SHORT_LINE)
        )
        # A transcription marks the first line of a new scanned page with a leading space.
        page_start = raw[:1].isspace() and bool(line)
        if not line or page_start or (opens_item and not ADDRESSEES.match(current[0])):
            if current:
                blocks.append(current)
            current = [line] if line else []
        else:
            current.append(line)
    if current:
        blocks.append(current)

    body: list[Paragraph | Footnote] = []
    next_note = 1
    for block in blocks:
        found = FOOTNOTE_START.match(block[0])
        if found and int(found.group(1)) == next_note:
            text = " ".join(block)[len(found.group(1)) :].strip()
            body.append(Footnote(next_note, text))
            next_note += 1
            continue
        if block[0][0].islower() and not LETTER_ITEM.match(block[0]):
            last = _last_paragraph(body)
            if last is not None:
                index, paragraph = last
                body[index] = Paragraph(
                    f"{paragraph.text} {' '.join(block)}", paragraph.role, paragraph.bold_words
                )
                continue
        body.append(_classify(block))
    return body


def _last_paragraph(body: list[Paragraph | Footnote]) -> tuple[int, Paragraph] | None:
    for index in range(len(body) - 1, -1, -1):
        block = body[index]
        if isinstance(block, Paragraph) and block.role is not Role.ADDRESSEES:
            return index, block
    return None


def _classify(block: list[str]) -> Paragraph:
    """Give a paragraph its role from how it starts and how long it is."""
    text = " ".join(block)
    short = len(text) <= HEADING_MAX_CHARS and text[-1] not in ".;"
    if ADDRESSEES.match(text):
        return Paragraph(text, Role.ADDRESSEES, lines=tuple(block))
    if ROMAN_HEADING.match(text) or (NUMBERED_HEADING.match(text) and short):
        return Paragraph(text, Role.HEADING)
    if CHAPTER.match(text) or (is_upper(text) and len(text) <= 80):
        return Paragraph(text, Role.CENTERED)
    if ARTICLE.match(text):
        return Paragraph(text, Role.HEADING) if short else Paragraph(text, bold_words=2)
    if PREAMBLE.match(text):
        return Paragraph(text, Role.PREAMBLE)
    return Paragraph(text)


# --- closing ----------------------------------------------------------------------------


def _signature_start(lines: list[str], start: int) -> int:
    """Where a signature block without "Nơi nhận" begins, or the end of the text."""
    tail = len(lines)
    while tail > start and not lines[tail - 1].strip():
        tail -= 1
    if tail > start and _all_pieces(lines[tail - 1], PERSON_NAME):
        i = tail - 1
        while i > start and (not lines[i - 1].strip() or _all_pieces(lines[i - 1], TITLE_LINE)):
            i -= 1
        if any(_all_pieces(line, TITLE_LINE) for line in lines[i:tail]):
            return i
    return len(lines)


def _all_pieces(line: str, pattern: re.Pattern[str]) -> bool:
    pieces = [p for p in COLUMN_GAP.split(line.strip()) if p]
    return bool(pieces) and all(pattern.match(p) for p in pieces)


def _split_trailing_title(line: str) -> tuple[str, str]:
    """Cut a signature title run into a recipient line ("- Sở Tài chính; PHÓ GIÁM ĐỐC")."""
    words = line.split()
    cut = len(words)
    while cut > 0 and TITLE_LINE.match(words[cut - 1]):
        cut -= 1
    head, title = " ".join(words[:cut]), " ".join(words[cut:])
    if len(words) - cut >= 2 and head and head[-1] in ";," and TITLE_LINE.match(title):
        return head, title
    return line, ""


def _drop_residue(line: str) -> str:
    """Strip stamp residue after a recipient's last ';' ("tỉnh; K , - \\")."""
    head, sep, tail = line.rpartition(";")
    if sep and tail.strip() and not re.search(r"[^\W\d_]{2,}", tail):
        return head + sep
    return line


def _read_closing(lines: list[str], doc: AdminDocument) -> int:
    """Fill recipients, signature titles and signers; drops what looks like stamp residue.

    A signature line in two columns ("THƯ KÝ      CHỦ TRÌ") gives its left part to the
    co-signature; a line pushed far right belongs to the main signature. Returns how
    many lines the closing took: it ends with the signer's name, and what follows (an
    appendix) is not part of it.
    """
    for index, raw in enumerate(lines):
        if doc.signer is not None:
            return index
        line = raw.strip()
        if not line:
            continue
        notice = NOTICE.match(line)
        if notice:
            doc.recipients.append("Nơi nhận:")
            line = line[notice.end() :].strip()
            if line:
                doc.signature.append(line)
            continue
        pieces = [p for p in COLUMN_GAP.split(line) if p]
        if len(pieces) == 2 and not BULLET.match(line):
            _take_signature_piece(pieces[0], doc, left=True)
            _take_signature_piece(pieces[1], doc, left=False)
        elif BULLET.match(line) or (doc.recipients and line[0].islower()):
            head, title = _split_trailing_title(line)
            head, name = _split_trailing_name(head) if doc.signature else (head, "")
            doc.recipients.append(_drop_residue(head))
            if title:
                doc.signature.append(title)
            if name and doc.signer is None:
                doc.signer = name
        elif (
            len(doc.recipients) > 1
            and doc.recipients[-1][-1] == ","
            and not PERSON_NAME.match(line)
            and not TITLE_LINE.match(line)
        ):
            doc.recipients[-1] += " " + line
        elif not _take_signature_piece(line, doc, left=False) and _reads_as_text(line):
            doc.postscript.append(line)
    return len(lines)


def _take_signature_piece(piece: str, doc: AdminDocument, *, left: bool) -> bool:
    """Put a title or a name into the left or right signature; False if it is neither."""
    titles = doc.cosignature if left else doc.signature
    signer = doc.cosigner if left else doc.signer
    if TITLE_LINE.match(piece) and signer is None:
        titles.append(piece)
    elif PERSON_NAME.match(piece) and signer is None:
        if left:
            doc.cosigner = piece
        else:
            doc.signer = piece
    else:
        return False
    return True


def _split_trailing_name(line: str) -> tuple[str, str]:
    """Cut a signer's name run into the last recipient ("- Lưu: VT, NC. Nguyễn Hữu Lộc")."""
    found = re.match(rf"^(.*[.;])\s+([{_UPPER}]\S*(?: [{_UPPER}]\S*){{1,5}})$", line)
    if found and PERSON_NAME.match(found.group(2)):
        return found.group(1), found.group(2)
    return line, ""


def _reads_as_text(line: str) -> bool:
    """Words rather than seal residue (which is in capitals): four or more, mostly
    letters, some in lower case."""
    words = line.split()
    wordy = [w for w in words if re.fullmatch(r"[^\W\d_]+[.,;:]?", w)]
    return len(words) >= 4 and len(wordy) >= 0.7 * len(words) and not is_upper(line)
